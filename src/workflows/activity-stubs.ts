// Activity stubs with the options each kind of step needs (docs/ARCHITECTURE.md).
import { ActivityCancellationType, proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { OnlyOn } from '../domain/activity-registry.js';
import type { AgentActivities } from '../domain/agent-activity.js';
import type { RunTimings } from '../domain/run-spec.js';
import { hostAgentQueue, hostControlQueue, shortQueue } from './names.js';

/** Long enough never to cut a run: its real limits are timeout_seconds and the heartbeat. */
const AGENT_START_TO_CLOSE = '3650 days';
/** How long a stop waits for its host's worker before the run ends without it. */
const CONTROL_SCHEDULE_TO_START = '1 minute';

/**
 * The runAgent activity: a new agent goes to the shared queue (any host may take it); one that
 * has a host goes to that host's queue, where its files and processes are.
 */
export function runAgentOn(target: { sharedQueue: string } | { host: string }, timings: RunTimings) {
  const pinned = 'host' in target;
  return proxyActivities<AgentActivities>({
    taskQueue: pinned ? hostAgentQueue(target.host) : target.sharedQueue,
    startToCloseTimeout: AGENT_START_TO_CLOSE,
    heartbeatTimeout: timings.heartbeat_timeout_ms,
    ...(pinned ? { scheduleToStartTimeout: timings.host_wait_ms } : {}),
    // The workflow decides what a failed attempt means (re-attach, resume, give up), not the server.
    retry: { maximumAttempts: 1 },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  }).runAgent;
}

/** Short activities any host can do, on the short queue of this workflow's task queue (only those the registry puts there). */
export function shortActivities<A extends OnlyOn<A, 'short'>>(options: Omit<ActivityOptions, 'taskQueue'>) {
  return proxyActivities<A>({ ...options, taskQueue: shortQueue(workflowInfo().taskQueue) });
}

export function checkOutputStep() {
  return shortActivities<Pick<AgentActivities, 'checkOutput'>>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 3 } }).checkOutput;
}

/** Activities on a host's control queue (only those the registry puts there). */
export function controlActivities<A extends OnlyOn<A, 'control'>>(host: string, options: Omit<ActivityOptions, 'taskQueue'>) {
  return proxyActivities<A>({ ...options, taskQueue: hostControlQueue(host) });
}

/** Short control steps on the agent's host, with slots of their own so agents never starve them. */
export function controlOn(host: string, timings: RunTimings) {
  return controlActivities<Pick<AgentActivities, 'stopAgent'>>(host, {
    scheduleToStartTimeout: CONTROL_SCHEDULE_TO_START,
    startToCloseTimeout: timings.kill_grace_ms + 60_000,
    retry: { maximumAttempts: 3, initialInterval: '1 second' },
  });
}
