// From validated schedule_run arguments and a resolved run input to Temporal ScheduleOptions: the
// spec (interval or cron, until as endAt), the policies, the start-workflow action and the memo.
// Pure but for new ids (the time comes in as an argument), so the choices are unit-tested.
import { createHash } from 'node:crypto';
import type { ScheduleOptions } from '@temporalio/client';
import { ulid } from 'ulid';
import { checkCron } from '../domain/cron.js';
import { messageHeadline } from '../domain/input-message.js';
import { runStartMetadata } from '../domain/run-metadata.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import { MIN_SCHEDULE_GAP_SECONDS, SCHEDULE_ID_PREFIX, SCHEDULE_MEMO_KEY, scheduledRunIdPrefix, waitingNote, type ScheduleMemo } from '../domain/schedule.js';
import type { ScheduleRunArgs } from '../domain/schedule-input.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import { firstLine } from '../domain/text.js';
import { InputError } from './errors.js';

/**
 * A missed fire is still taken when the server comes back within about one interval, and never
 * less than a minute later: the server's own floor is 10 s, too short to ride out a restart.
 */
const MIN_CATCHUP_WINDOW_SECONDS = 60;

export function newScheduleId(): string {
  return `${SCHEDULE_ID_PREFIX}${ulid()}`;
}

export function idempotentScheduleId(key: string): string {
  return `${SCHEDULE_ID_PREFIX}${createHash('sha256').update(`schedule:${key}`).digest('hex').slice(0, 26)}`;
}

/** The schedule's end from until or until_seconds; one in the past is refused. */
export function resolveUntil(args: Pick<ScheduleRunArgs, 'until' | 'until_seconds'>, now: Date): Date | null {
  if (args.until_seconds !== undefined) return new Date(now.getTime() + args.until_seconds * 1000);
  if (args.until === undefined) return null;
  const until = new Date(Date.parse(args.until));
  if (until.getTime() <= now.getTime()) {
    throw new InputError(`until ${until.toISOString()} is in the past (it is ${now.toISOString()} now): give a later time, or until_seconds`);
  }
  return until;
}

/** Temporal aligns intervals to the epoch: the first fire of `every` seconds after `now`. */
export function firstIntervalFire(intervalSeconds: number, now: Date): Date {
  const every = intervalSeconds * 1000;
  return new Date((Math.floor(now.getTime() / every) + 1) * every);
}

/** About one interval, at least MIN_CATCHUP_WINDOW_SECONDS. */
export function catchupWindowSeconds(timing: Pick<ScheduleRunArgs, 'interval_seconds' | 'cron'>): number {
  const gap = timing.interval_seconds ?? checkCron(timing.cron ?? '', MIN_SCHEDULE_GAP_SECONDS).gapSeconds ?? MIN_CATCHUP_WINDOW_SECONDS;
  return Math.max(gap, MIN_CATCHUP_WINDOW_SECONDS);
}

export function describeTiming(timing: { interval_seconds: number | null; cron: string | null }): string {
  return timing.interval_seconds !== null ? `every ${timing.interval_seconds} s` : `cron ${timing.cron}`;
}

export interface ScheduleBuild {
  scheduleId: string;
  args: ScheduleRunArgs;
  /** The run as every fire starts it: the workflow takes its run id from its workflow id. */
  run: RunWorkflowInput;
  argsHash: string;
  until: Date | null;
  now: Date;
}

function scheduleMemo(build: ScheduleBuild): ScheduleMemo {
  const spec = build.run.spec;
  return {
    created_at: build.now.toISOString(),
    backend: spec.backend,
    role: spec.role,
    cwd: spec.cwd,
    prompt_preview: firstLine(messageHeadline(spec.input), 200),
    interval_seconds: build.args.interval_seconds ?? null,
    cron: build.args.cron ?? null,
    until: build.until?.toISOString() ?? null,
    after_schedule_id: build.args.after_schedule_id ?? null,
    args_hash: build.argsHash,
  };
}

export function scheduleOptions(build: ScheduleBuild): ScheduleOptions {
  const { args, run, scheduleId } = build;
  const metadata = runStartMetadata(run, build.now);
  const after = args.after_schedule_id;
  return {
    scheduleId,
    spec: {
      ...(args.interval_seconds !== undefined ? { intervals: [{ every: args.interval_seconds * 1000 }] } : { cronExpressions: [args.cron!] }),
      ...(build.until ? { endAt: build.until } : {}),
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'agentRun',
      workflowId: scheduledRunIdPrefix(scheduleId),
      taskQueue: run.task_queue,
      args: [run],
      typedSearchAttributes: metadata.typedSearchAttributes,
      memo: metadata.memo,
      staticSummary: metadata.staticSummary,
      staticDetails: `${metadata.staticDetails}\n\nstarted by schedule ${scheduleId}`,
    },
    policies: {
      // A run still going when the next fire comes is left alone, and that fire is skipped.
      overlap: 'SKIP',
      catchupWindow: catchupWindowSeconds(args) * 1000,
      // A failed run does not stop the schedule; the stop marker or cancel_schedule does.
      pauseOnFailure: false,
    },
    memo: { [SCHEDULE_MEMO_KEY]: scheduleMemo(build) },
    typedSearchAttributes: [
      { key: searchAttributeKeys.kind, value: 'schedule' },
      { key: searchAttributeKeys.backend, value: run.spec.backend },
      { key: searchAttributeKeys.role, value: run.spec.role },
      ...(after ? [{ key: searchAttributeKeys.parent, value: after }] : []),
    ],
    ...(after ? { state: { paused: true, note: waitingNote(after) } } : {}),
  };
}
