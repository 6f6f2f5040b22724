// Every activity a Baton worker runs, and the task queues it is registered on, in one registry:
// the worker registers each activity on exactly these queues (src/temporal/worker.ts), and the
// workflows' activity stubs (src/workflows/activity-stubs.ts) accept, for each queue, only the
// activities registered there, checked by the compiler. A new activity is a line here, a function
// in src/activities and a field of its group's interface (docs/recipes.md). Types and plain data
// only: workflows import it.
import type { TranscriptPage, TranscriptRequest } from '../transcripts.js';
import type { AgentActivities } from './agent-activity.js';
import type { PipelineActivities } from './pipeline-activities.js';
import type { ScheduleActivities } from './schedule.js';
import type { WebhookActivities } from './webhook-delivery.js';

/**
 * The kinds of queue: `agents` is the shared queue and each host's agent queue (long agent
 * activities); `short` the shared short-activity queue (`<queue>-short`, slots of its own);
 * `control` each host's control queue (`baton-host-<id>-ctl`: short steps on that host's disk and
 * processes, never starved by agents). Names in src/workflows/names.ts.
 */
export type ActivityQueue = 'agents' | 'short' | 'control';

export interface TranscriptActivities {
  readTranscriptPage: (request: TranscriptRequest) => Promise<TranscriptPage>;
}

/** Every activity, by name. */
export type AllActivities = AgentActivities & WebhookActivities & ScheduleActivities & PipelineActivities & TranscriptActivities;

export const ACTIVITY_QUEUES = {
  runAgent: ['agents'],
  checkOutput: ['short'],
  deliverWebhook: ['short'],
  deleteSchedule: ['short'],
  earlierScheduleState: ['short'],
  startChainedSchedule: ['short'],
  lookAtBridgeSchedule: ['short'],
  // A pipeline's repository is set up before its host is known (any worker), then on its host.
  prepareIsolation: ['short', 'control'],
  createWorktree: ['control'],
  commitWorktree: ['control'],
  mergeBranch: ['control'],
  removeWorktree: ['control'],
  stopAgent: ['control'],
  readTranscriptPage: ['control'],
} as const satisfies { readonly [K in keyof AllActivities]: readonly ActivityQueue[] };

export type ActivityName = keyof typeof ACTIVITY_QUEUES;

/** The activities registered on a kind of queue. */
export type ActivityOn<Q extends ActivityQueue> = { [K in ActivityName]: Q extends (typeof ACTIVITY_QUEUES)[K][number] ? K : never }[ActivityName];

/** An activity interface whose every activity is registered on queue Q (anything else is a compile error). */
export type OnlyOn<A, Q extends ActivityQueue> = { [K in keyof A]: K extends ActivityOn<Q> ? A[K] : never };

/** The activities of one kind of queue, picked from all of a worker's implementations. */
export function activitiesOn<Q extends ActivityQueue>(queue: Q, all: AllActivities): Pick<AllActivities, ActivityOn<Q>> {
  const names = (Object.keys(ACTIVITY_QUEUES) as ActivityName[]).filter((name) => (ACTIVITY_QUEUES[name] as readonly ActivityQueue[]).includes(queue));
  return Object.fromEntries(names.map((name) => [name, all[name]])) as Pick<AllActivities, ActivityOn<Q>>;
}
