// Baton's client API for schedules (docs/ARCHITECTURE.md): repeated runs on Temporal Schedules. Every
// check runs before anything is created, and a schedule that fails a later step is deleted again,
// so nothing is half-created.
import { ScheduleAlreadyRunning, WorkflowExecutionAlreadyStartedError, type Client, type ScheduleSummary } from '@temporalio/client';
import type { RunView } from '../domain/run-view.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import { isScheduleId, SCHEDULE_MEMO_KEY, scheduledRunIdPrefix, scheduleWatcherId, WAITING_NOTE_PREFIX, type ScheduleMemo, type ScheduleWatcherInput } from '../domain/schedule.js';
import type { ScheduleRunArgs } from '../domain/schedule-input.js';
import type { ScheduleState, ScheduleView } from '../domain/schedule-view.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import { notifyOf, type SpawnRunArgs } from '../domain/spawn-input.js';
import { runStartProblem } from '../domain/start-sizes.js';
import { InputError } from './errors.js';
import { argumentsHash, type ArgumentsDigest } from './run-ids.js';
import { listRuns } from './run-list.js';
import { resolveRunSpec, sealedNotify } from './run-request.js';
import { previewResult } from './run-views.js';
import type { RunsClient } from './runs.js';
import { describeSchedule, endSchedule, stopWatcher } from './schedule-lifecycle.js';
import { describeTiming, firstIntervalFire, idempotentScheduleId, newScheduleId, resolveUntil, scheduleOptions, type ScheduleBuild } from './schedule-spec.js';

/** Only Baton's schedules: the Temporal namespace may hold others. */
const BATON_SCHEDULES_QUERY = `BatonKind = 'schedule'`;
/** Runs of a schedule that get_schedule shows. */
const RECENT_RUNS = 10;

export interface CreatedSchedule {
  schedule: ScheduleView;
  /** False when idempotency_key found the schedule an earlier call created. */
  created: boolean;
}

export interface ScheduleDetails {
  schedule: ScheduleView;
  runs_started: number;
  running_run_ids: string[];
  skipped_for_overlap: number;
  missed_catchup_window: number;
  /** Its runs, newest first (from visibility: a run that has just started may show a moment later). */
  runs: RunView[];
}

export interface CancelledSchedule {
  schedule_id: string;
  deleted: boolean;
  running_run_ids: string[];
  message: string;
}

export async function createSchedule(runs: RunsClient, args: ScheduleRunArgs): Promise<CreatedSchedule> {
  const { client, options } = runs;
  const now = new Date();
  const { idempotency_key: key, ...rest } = args;
  const argsHash = argumentsHash(rest, options.secretKey);
  const scheduleId = key ? idempotentScheduleId(key) : newScheduleId();
  if (key) {
    const existing = await existingSchedule(client, scheduleId, argsHash, key);
    if (existing) return { schedule: existing, created: false };
  }
  const until = resolveUntil(args, now);
  if (until && args.interval_seconds !== undefined) {
    const first = firstIntervalFire(args.interval_seconds, now);
    if (first > until) {
      throw new InputError(
        `until ${until.toISOString()} comes before the first fire at ${first.toISOString()} (interval fires are aligned to the clock): give a later until or a shorter interval_seconds`,
      );
    }
  }
  if (args.after_schedule_id) await requireSchedule(client, args.after_schedule_id);
  const spec = await resolveRunSpec(
    { client, allowedRoots: options.allowedRoots, secretKey: options.secretKey, sealScope: scheduleId, binding: { schedule: scheduleId } },
    spawnArgsOf(args),
  );
  const run: RunWorkflowInput = {
    run_id: scheduledRunIdPrefix(scheduleId),
    created_at: now.toISOString(),
    spec,
    args_hash: argsHash.value,
    task_queue: options.taskQueue,
    timings: options.timings,
    schedule_id: scheduleId,
    notify: sealedNotify(notifyOf(args), options.secretKey, scheduleId),
  };
  const tooLarge = runStartProblem(run);
  if (tooLarge) throw new InputError(tooLarge);
  const build: ScheduleBuild = { scheduleId, args, run, argsHash: argsHash.value, until, now };
  try {
    await client.schedule.create(scheduleOptions(build));
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning && key) {
      // Two racing calls with one key: the other one created it.
      const existing = await existingSchedule(client, scheduleId, argsHash, key);
      if (existing) return { schedule: existing, created: false };
    }
    // The SDK reports a spec the server refused (a cron it reads differently) as a TypeError.
    if (err instanceof TypeError) throw new InputError(`Temporal refused the schedule's timing: ${err.message}. Fix cron (or interval_seconds) and try again`);
    throw err;
  }
  try {
    const description = await client.schedule.getHandle(scheduleId).describe();
    if (description.info.nextActionTimes.length === 0) {
      const timing = describeTiming({ interval_seconds: args.interval_seconds ?? null, cron: args.cron ?? null });
      throw new InputError(
        `the schedule would never fire (${timing}${until ? `, until ${until.toISOString()}` : ''}): check the cron's day and month fields, or give a later until`,
      );
    }
    if (args.after_schedule_id) await startWatcher(client, options.taskQueue, { schedule_id: scheduleId, after_schedule_id: args.after_schedule_id });
    return { schedule: scheduleView(scheduleId, description)!, created: true };
  } catch (err) {
    await client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => undefined);
    throw err;
  }
}

export async function listSchedules(client: Client, limit: number): Promise<ScheduleView[]> {
  const views: ScheduleView[] = [];
  for await (const summary of client.schedule.list({ query: BATON_SCHEDULES_QUERY, pageSize: 100 })) {
    const view = scheduleView(summary.scheduleId, summary);
    if (view) views.push(view);
  }
  return views.sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, limit);
}

export async function getSchedule(client: Client, scheduleId: string): Promise<ScheduleDetails> {
  const description = await describeSchedule(client, scheduleId);
  if (!description) throw new ScheduleNotFound(scheduleId);
  const view = scheduleView(scheduleId, description);
  if (!view) throw new InputError(`schedule ${scheduleId} was not made by Baton (schedule_run): look at it in the Temporal Web UI`);
  const page = await listRuns(client, { schedule_id: scheduleId }, RECENT_RUNS, null);
  return {
    schedule: view,
    runs_started: description.info.numActionsTaken,
    running_run_ids: description.info.runningActions.map((a) => a.workflow.workflowId),
    skipped_for_overlap: description.info.numActionsSkippedOverlap,
    missed_catchup_window: description.info.numActionsMissedCatchupWindow,
    runs: page.runs.map(previewResult),
  };
}

/** Deletes a schedule. Idempotent: one already gone is reported, not refused. Its runs go on. */
export async function cancelSchedule(client: Client, scheduleId: string): Promise<CancelledSchedule> {
  if (!isScheduleId(scheduleId)) {
    throw new InputError(`"${scheduleId}" is not a schedule id (schedule ids start with "sched_"): cancel_run stops a run`);
  }
  const running = (await describeSchedule(client, scheduleId))?.info.runningActions.map((a) => a.workflow.workflowId) ?? [];
  const deleted = await endSchedule(client, scheduleId);
  await stopWatcher(client, scheduleWatcherId(scheduleId));
  const going = running.length > 0 ? `; ${running.length} run(s) it started are still going (${running.join(', ')}): cancel_run stops them` : '';
  return {
    schedule_id: scheduleId,
    deleted,
    running_run_ids: running,
    message: deleted ? `schedule ${scheduleId} deleted: it starts no more runs${going}` : `no schedule ${scheduleId}: it was already deleted, or never existed; nothing to do`,
  };
}

class ScheduleNotFound extends InputError {
  override name = 'ScheduleNotFound';
  constructor(scheduleId: string) {
    super(
      `no schedule "${scheduleId}": it was deleted (cancel_schedule, or a run printed the stop marker) or never existed. ` +
        'list_schedules shows the current ones; list_runs with schedule_id shows the runs a schedule started',
    );
  }
}

async function requireSchedule(client: Client, scheduleId: string): Promise<void> {
  if (!(await describeSchedule(client, scheduleId))) {
    throw new InputError(`after_schedule_id: ${new ScheduleNotFound(scheduleId).message}. Without it, there is nothing to wait for: start the schedule without after_schedule_id`);
  }
}

/** The schedule an idempotency key already created, if it still exists; other arguments are refused. */
async function existingSchedule(client: Client, scheduleId: string, argsHash: ArgumentsDigest, key: string): Promise<ScheduleView | null> {
  const description = await describeSchedule(client, scheduleId);
  if (!description) return null;
  const memo = batonMemo(description.memo);
  if (!argsHash.matches(memo?.args_hash)) {
    throw new InputError(
      `idempotency_key "${key}" was already used for schedule ${scheduleId} with different arguments: send the same arguments to get that schedule, or use a new key`,
    );
  }
  return scheduleView(scheduleId, description);
}

async function startWatcher(client: Client, taskQueue: string, input: ScheduleWatcherInput): Promise<void> {
  try {
    await client.workflow.start('scheduleWatcher', {
      workflowId: scheduleWatcherId(input.schedule_id),
      taskQueue,
      args: [input],
      // Found by whoever ends the earlier schedule, to wake this watcher at once.
      typedSearchAttributes: [{ key: searchAttributeKeys.parent, value: input.after_schedule_id }],
      staticSummary: `starts schedule ${input.schedule_id} once schedule ${input.after_schedule_id} has ended`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

function spawnArgsOf(args: ScheduleRunArgs): SpawnRunArgs {
  const { interval_seconds: _i, cron: _c, until: _u, until_seconds: _s, after_schedule_id: _a, idempotency_key: _k, ...run } = args;
  return run;
}

function batonMemo(memo: Record<string, unknown> | undefined): ScheduleMemo | null {
  const value = memo?.[SCHEDULE_MEMO_KEY];
  return value && typeof value === 'object' ? (value as ScheduleMemo) : null;
}

/** A schedule as list_schedules and get_schedule show it; null for a schedule Baton did not make. */
export function scheduleView(scheduleId: string, schedule: Pick<ScheduleSummary, 'memo' | 'state' | 'info'>): ScheduleView | null {
  const memo = batonMemo(schedule.memo);
  if (!memo) return null;
  const next = schedule.info.nextActionTimes.map((t) => t.toISOString());
  return {
    schedule_id: scheduleId,
    state: stateOf(schedule.state, next.length > 0),
    every: describeTiming(memo),
    interval_seconds: memo.interval_seconds,
    cron: memo.cron,
    until: memo.until,
    after_schedule_id: memo.after_schedule_id,
    next_fire_times: next,
    note: schedule.state.note || null,
    backend: memo.backend,
    role: memo.role,
    cwd: memo.cwd,
    prompt_preview: memo.prompt_preview,
    created_at: memo.created_at,
    run_id_prefix: `${scheduledRunIdPrefix(scheduleId)}-`,
    recent_run_ids: schedule.info.recentActions.map((a) => a.action.workflow.workflowId).reverse(),
  };
}

function stateOf(state: ScheduleSummary['state'], moreFires: boolean): ScheduleState {
  if (state.paused) return state.note?.startsWith(WAITING_NOTE_PREFIX) ? 'waiting' : 'paused';
  return moreFires ? 'active' : 'ended';
}
