// lookAtBridgeSchedule: what a bridgeScheduleNotifier needs to know about its schedule, in
// claude-bridge's terms (src/domain/bridge-schedule-notify.ts). A live schedule is read from its
// Temporal description (its tick count and newest fires) and its runs; a deleted one from the record
// schedule_dispatch wrote and its runs, the same reading get_schedule makes of it
// (src/mcp/profiles/claude-bridge/schedule-records.ts, imported from there so both agree).
import type { Client } from '@temporalio/client';
import { spawnErrorOf, type BridgeScheduleLook, type BridgeTick } from '../domain/bridge-schedule-notify.js';
import { epochSeconds } from '../domain/claude-bridge.js';
import { isFinalStatus } from '../domain/vocabulary.js';
import type { RunView } from '../domain/run-view.js';
import { listRuns } from '../client/run-list.js';
import { describeSchedule } from '../client/schedule-lifecycle.js';
import { scheduleView } from '../client/schedules.js';
import { endedView, readRecord, ticksOf } from '../mcp/profiles/claude-bridge/schedule-records.js';

/** The ticks a look reports (the notifier sees every tick: fires are at least 10 s apart). */
const NEWEST_TICKS = 10;
/** While a tick has just fired, look this often: a launch that fails fails within seconds. */
const RUNNING_LOOK_MS = 3_000;
/** How long a tick counts as just fired. */
const JUST_FIRED_MS = 30_000;
/** A tick that runs longer is looked at this often (its stop marker wakes the notifier anyway: it deletes the schedule). */
const LONG_TICK_LOOK_MS = 60_000;
/** After a fire or the until, look this much later, so the fire's run is in visibility. */
const AFTER_FIRE_MS = 1_500;
/** A schedule with nothing due (paused, waiting for its chain) is looked at this often, and woken when it starts. */
const IDLE_LOOK_MS = 5 * 60_000;

export async function lookAtBridgeSchedule(deps: { client: Client; secretKey: Buffer }, scheduleId: string): Promise<BridgeScheduleLook> {
  const now = Date.now();
  const description = await describeSchedule(deps.client, scheduleId);
  if (description) {
    const view = scheduleView(scheduleId, description);
    const runs = new Map((await listRuns(deps.client, { schedule_id: scheduleId }, NEWEST_TICKS, null, deps.secretKey)).runs.map((r) => [r.run_id, r]));
    const count = description.info.numActionsTaken;
    const recent = description.info.recentActions.slice(-NEWEST_TICKS);
    const ticks: BridgeTick[] = recent.map((action, i) => {
      const jobId = action.action.workflow.workflowId;
      return tickOf(count - recent.length + i + 1, jobId, action.takenAt.getTime() / 1000, runs.get(jobId));
    });
    const last = ticks.at(-1) ?? null;
    const lastRun = last ? runs.get(last.job_id) : undefined;
    const ended = view?.state === 'ended';
    const running = ticks.find((t) => t.running);
    const nextTimes = description.info.nextActionTimes.map((t) => t.getTime());
    // A fire whose time has passed but which the schedule has not taken yet (its own workflow is
    // behind on a busy server): look again soon, not at the fire after it.
    const overdue = nextTimes.length > 0 && nextTimes[0] <= now;
    const due = [nextTimes.find((t) => t > now), description.spec.endAt?.getTime()].filter((t): t is number => t !== undefined && t > now);
    const lookAt = Math.min(now + (running ? runningLookMs(running.at, now) : overdue ? RUNNING_LOOK_MS : IDLE_LOOK_MS), ...due.map((t) => t + AFTER_FIRE_MS));
    return {
      unknown: false,
      ended: ended ? 'completed' : null,
      status: ended ? 'completed' : view?.state === 'active' ? 'active' : 'waiting',
      tick_count: count,
      last_tick_at: last?.at ?? null,
      last_job_id: last?.job_id ?? null,
      last_tick_result: lastRun?.result?.output ?? null,
      last_tick_truncated: lastRun?.result?.output_truncated ?? false,
      error: null,
      ticks,
      look_again_at: lookAt,
    };
  }

  const record = await readRecord(deps.client, scheduleId);
  if (!record)
    return {
      unknown: true,
      ended: null,
      status: 'unknown',
      tick_count: 0,
      last_tick_at: null,
      last_job_id: null,
      last_tick_result: null,
      last_tick_truncated: false,
      error: null,
      ticks: [],
      look_again_at: now,
    };
  const runs = await ticksOf({ client: deps.client, options: { secretKey: deps.secretKey } }, scheduleId);
  const ended = endedView(record, runs);
  const ticks = runs
    .slice(0, NEWEST_TICKS)
    .map((run, i) => tickOf(runs.length - i, run.run_id, epochSeconds(run.created_at) ?? 0, run))
    .reverse();
  const last = runs[0];
  // A tick's stop marker deletes the schedule while its run is finishing: wait for its result,
  // which says whether the marker ended it. A cancel is known from its record at once.
  const lastRunning = last !== undefined && last.result === null;
  if (lastRunning && record.cancelled_at === null) {
    return {
      unknown: false,
      ended: null,
      status: 'active',
      tick_count: runs.length,
      last_tick_at: null,
      last_job_id: null,
      last_tick_result: null,
      last_tick_truncated: false,
      error: null,
      ticks,
      // Deleted while its last tick runs: by that tick's stop marker, which ends the run within moments.
      look_again_at: now + RUNNING_LOOK_MS,
    };
  }
  return {
    unknown: false,
    ended: ended.error ? 'stop_marker' : 'cancelled',
    status: 'cancelled',
    tick_count: runs.length,
    last_tick_at: last ? epochSeconds(last.created_at) : null,
    last_job_id: last?.run_id ?? null,
    last_tick_result: last?.result?.output ?? null,
    last_tick_truncated: last?.result?.output_truncated ?? false,
    error: typeof ended.error === 'string' ? ended.error : null,
    ticks,
    look_again_at: now,
  };
}

function tickOf(tick: number, jobId: string, at: number, run: RunView | undefined): BridgeTick {
  // A fire not yet in visibility is running: it has just started.
  if (!run) return { tick, job_id: jobId, at, running: true, spawn_error: null };
  return { tick, job_id: jobId, at, running: !isFinalStatus(run.status), spawn_error: spawnErrorOf(run) };
}

/** How soon to look again while a tick that fired at `firedAt` (epoch seconds) runs. */
function runningLookMs(firedAt: number | null, now: number): number {
  return firedAt !== null && now - firedAt * 1000 < JUST_FIRED_MS ? RUNNING_LOOK_MS : LONG_TICK_LOOK_MS;
}
