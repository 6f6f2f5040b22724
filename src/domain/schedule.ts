// Schedules (docs/ARCHITECTURE.md): repeated runs on Temporal Schedules. What a schedule carries in its
// memo (list_schedules reads it without decoding the action), its ids, and the contract of the
// short activities that end, watch and resume schedules. Plain types: workflows import it.
import type { Backend, Role } from './vocabulary.js';
import type { BridgeScheduleLook } from './bridge-schedule-notify.js';

export const SCHEDULE_ID_PREFIX = 'sched_';
/** The schedule's memo key: present on Baton's schedules only. */
export const SCHEDULE_MEMO_KEY = 'baton';
/** Schedules fire at most this often (interval_seconds, and the closest two fires of a cron). */
export const MIN_SCHEDULE_GAP_SECONDS = 10;
/** The note on a chained schedule while it waits: how list_schedules tells "waiting" from "paused". */
export const WAITING_NOTE_PREFIX = 'waiting for schedule';

export function isScheduleId(id: string): boolean {
  return id.startsWith(SCHEDULE_ID_PREFIX);
}

/** The action's workflow id; Temporal appends the fire time (`run_sched_…-2026-01-31T09:00:00Z`). */
export function scheduledRunIdPrefix(scheduleId: string): string {
  return `run_${scheduleId}`;
}

/** The watcher that starts a chained schedule once the one before it has ended. */
export function scheduleWatcherId(scheduleId: string): string {
  return `schedwatch_${scheduleId}`;
}

export function waitingNote(afterScheduleId: string): string {
  return `${WAITING_NOTE_PREFIX} ${afterScheduleId} to end (after_schedule_id)`;
}

/** What Baton stores in a schedule's memo, under SCHEDULE_MEMO_KEY. */
export interface ScheduleMemo {
  created_at: string;
  backend: Backend;
  role: Role;
  cwd: string;
  prompt_preview: string;
  interval_seconds: number | null;
  cron: string | null;
  until: string | null;
  after_schedule_id: string | null;
  /** Hash of schedule_run's arguments: a reused idempotency_key with other arguments is refused. */
  args_hash: string;
}

/** How the schedule a chained one waits for stands. */
export interface EarlierScheduleState {
  ended: boolean;
  /** Why it counts as ended, or what is still going. */
  reason: string;
  /** Its spec's end (until), if it has one. */
  end_at: string | null;
  /** Runs it started that are still going. */
  running: number;
}

export interface ScheduleWatcherInput {
  /** The chained schedule, created paused. */
  schedule_id: string;
  /** The schedule it waits for. */
  after_schedule_id: string;
}

export interface ScheduleActivities {
  /** Deletes a schedule (a schedule already gone is fine) and wakes the watchers chained after it. */
  deleteSchedule: (scheduleId: string) => Promise<{ deleted: boolean }>;
  earlierScheduleState: (scheduleId: string) => Promise<EarlierScheduleState>;
  /** Unpauses a chained schedule; false when it was deleted meanwhile. */
  startChainedSchedule: (input: ScheduleWatcherInput) => Promise<{ started: boolean }>;
  /** A claude-bridge schedule as its notifier needs it (src/domain/bridge-schedule-notify.ts). */
  lookAtBridgeSchedule: (scheduleId: string) => Promise<BridgeScheduleLook>;
}
