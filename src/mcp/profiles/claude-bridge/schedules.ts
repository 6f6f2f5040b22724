// Schedules in claude-bridge's shape (its Schedule.public_view()), over Baton's Temporal Schedules,
// and schedule_dispatch's arguments turned into schedule_run's, checked by schedule_run's schema.
import type { Client } from '@temporalio/client';
import { listRuns } from '../../../client/run-list.js';
import { describeSchedule } from '../../../client/schedule-lifecycle.js';
import { scheduleView } from '../../../client/schedules.js';
import { BRIDGE_CHANNEL_KEY, BRIDGE_PERMISSION_KEY, BRIDGE_TIMEOUT_KEY, bridgeStatusOf, epochSeconds } from '../../../domain/claude-bridge.js';
import type { RunWorkflowInput } from '../../../domain/run-spec.js';
import { isScheduleId } from '../../../domain/schedule.js';
import { scheduleRunInputSchema, type ScheduleRunArgs } from '../../../domain/schedule-input.js';
import { BRIDGE_SCHEDULE_EVENTS, DEFAULT_SCHEDULE_NOTIFY_ON, isBridgeScheduleEvent, type BridgeScheduleEvent } from '../../../domain/bridge-schedule-notify.js';
import type { ScheduleState } from '../../../domain/schedule-view.js';
import { describeIssues } from '../../input-issues.js';
import { spawnArgsOf, type Checked, type ClaudeBridgeDefaults, type JobArgs } from './jobs.js';

export interface ScheduleDispatchArgs extends JobArgs {
  interval_seconds: number;
  until?: string | null | undefined;
  until_seconds?: number | null | undefined;
  after_schedule_id?: string | null | undefined;
}

/** A schedule's notifications, checked: told by its notifier, not by its runs (src/domain/bridge-schedule-notify.ts). */
export interface ScheduleNotify {
  url: string;
  headers: Record<string, string>;
  on: BridgeScheduleEvent[];
}

/**
 * schedule_run's arguments for schedule_dispatch's, checked by its schema (refusals name the field),
 * and the schedule's notifications apart: the URL and headers are checked as spawn_run checks them,
 * and taken out of the runs' arguments, since claude-bridge notifies about the schedule, not its runs.
 */
export function scheduleArgsOf(args: ScheduleDispatchArgs, defaults: ClaudeBridgeDefaults): Checked<{ schedule: ScheduleRunArgs; notify: ScheduleNotify | null }> {
  const { notify_on, ...job } = args;
  let on: BridgeScheduleEvent[] = [];
  if (args.notify_url == null && notify_on?.length) return { ok: false, error: 'notify_on needs notify_url: give the URL to notify, or leave notify_on out' };
  if (args.notify_url != null) {
    // claude-bridge's `notify_on or ["schedule_end"]`: an empty list is the default too.
    on = [...new Set(notify_on?.length ? notify_on : DEFAULT_SCHEDULE_NOTIFY_ON)] as BridgeScheduleEvent[];
    const unknown = on.find((event) => !isBridgeScheduleEvent(event));
    if (unknown !== undefined) return { ok: false, error: `notify_on: unknown event ${JSON.stringify(unknown)}; a schedule notifies on ${BRIDGE_SCHEDULE_EVENTS.join(', ')}` };
  }
  const run = spawnArgsOf({ ...job, notify_on: null }, defaults, { asTurn: false });
  if (!run.ok) return run;
  const timing: Record<string, unknown> = { interval_seconds: args.interval_seconds };
  // claude-bridge reads an until without a zone as UTC, not local time.
  if (args.until != null) timing.until = /(Z|[+-]\d\d:?\d\d)$/i.test(args.until) ? args.until : `${args.until}Z`;
  if (args.until_seconds != null) timing.until_seconds = args.until_seconds;
  if (args.after_schedule_id != null) timing.after_schedule_id = args.after_schedule_id;
  const parsed = scheduleRunInputSchema.safeParse({ ...run.args, ...timing });
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error.issues).join('; ') };
  const { notify_url: url, notify_headers: headers, notify_on: _on, ...schedule } = parsed.data;
  return { ok: true, args: { schedule, notify: url ? { url, headers: headers ?? {}, on } : null } };
}

/** claude-bridge's schedule status from Baton's schedule state. */
function statusOf(state: ScheduleState): string {
  switch (state) {
    case 'active':
      return 'active';
    case 'waiting':
    case 'paused':
      return 'waiting';
    case 'ended':
      return 'completed';
  }
}

/** A schedule as claude-bridge's get_schedule shows it; null when there is no such schedule of Baton's. */
export async function bridgeScheduleOf(client: Client, scheduleId: string): Promise<Record<string, unknown> | null> {
  if (!isScheduleId(scheduleId)) return null;
  const description = await describeSchedule(client, scheduleId);
  if (!description) return null;
  const view = scheduleView(scheduleId, description);
  if (!view) return null;
  const action = description.action as { args?: unknown[] };
  const input = (action.args?.[0] ?? null) as RunWorkflowInput | null;
  const metadata = input?.spec?.metadata ?? {};
  const last = (await listRuns(client, { schedule_id: scheduleId }, 1, null)).runs[0] ?? null;
  const lastAction = description.info.recentActions.at(-1);
  const timeout = metadata[BRIDGE_TIMEOUT_KEY];
  return {
    id: scheduleId,
    prompt: view.prompt_preview,
    channel: metadata[BRIDGE_CHANNEL_KEY] ?? null,
    interval_seconds: view.interval_seconds,
    until: epochSeconds(view.until),
    args: {
      timeout_seconds: timeout !== undefined ? Number(timeout) : (input?.spec?.timeout_seconds ?? null),
      permission_mode: metadata[BRIDGE_PERMISSION_KEY] ?? input?.spec?.permission_mode ?? null,
      cwd: view.cwd,
    },
    created_at: epochSeconds(view.created_at),
    last_tick_at: lastAction ? lastAction.takenAt.getTime() / 1000 : last ? epochSeconds(last.created_at) : null,
    last_job_id: view.recent_run_ids[0] ?? last?.run_id ?? null,
    last_tick_status: last ? bridgeStatusOf(last.status, last.error, last.result?.failure_kind) : null,
    tick_count: description.info.numActionsTaken,
    status: statusOf(view.state),
    error: null,
    after_schedule_id: view.after_schedule_id,
    // Baton keeps the URL and headers sealed: never shown.
    notify_url: null,
    notify_on: [],
    notify_headers: {},
  };
}
