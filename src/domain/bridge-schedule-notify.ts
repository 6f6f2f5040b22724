// claude-bridge's schedule notifications (docs/claude-bridge.md, "Schedule notifications"): a
// schedule made by the claude-bridge profile's schedule_dispatch with a notify_url has a notifier
// workflow (`bridgenotify_<schedule id>`) that watches it and sends claude-bridge's schedule payload
// on `tick`, `tick_error`, `tick_with_sentinel` and `schedule_end`. Pure and zod-free: the
// workflow, the activity, the client and the origin check share these definitions.
import type { NotifySpec } from './notify.js';
import type { RunView } from './run-view.js';
import { isFinalStatus, isWorkerLost } from './vocabulary.js';
import { resultPreview } from './webhook.js';

/** claude-bridge's schedule notify_on events (its `_maybe_notify_schedule`). */
export const BRIDGE_SCHEDULE_EVENTS = ['tick', 'tick_error', 'tick_with_sentinel', 'schedule_end'] as const;
export type BridgeScheduleEvent = (typeof BRIDGE_SCHEDULE_EVENTS)[number];
/** claude-bridge's default for a schedule's notify_on. */
export const DEFAULT_SCHEDULE_NOTIFY_ON: BridgeScheduleEvent[] = ['schedule_end'];

export const isBridgeScheduleEvent = (value: unknown): value is BridgeScheduleEvent => typeof value === 'string' && (BRIDGE_SCHEDULE_EVENTS as readonly string[]).includes(value);

const NOTIFIER_PREFIX = 'bridgenotify_';

/** The notifier of a schedule: one per schedule, so its id names the schedule it watches. */
export function scheduleNotifierId(scheduleId: string): string {
  return `${NOTIFIER_PREFIX}${scheduleId}`;
}

/** The schedule a notifier id names, or null when the id is not a notifier's. */
export function scheduleOfNotifier(workflowId: string): string | null {
  return workflowId.startsWith(NOTIFIER_PREFIX) ? workflowId.slice(NOTIFIER_PREFIX.length) : null;
}

/**
 * The webhook child of one notification: `<notifier>.<event>[-<tick>].webhook`. Each tick's
 * notification has its own id (a receiver deduplicates on it); an end is sent once.
 */
export function scheduleWebhookId(notifierId: string, event: BridgeScheduleEvent, tick: number | null): string {
  return `${notifierId}.${event}${tick === null ? '' : `-${tick}`}.webhook`;
}

/** The notifier's input: what schedule_dispatch knew, the notification sealed for the notifier's id. */
export interface BridgeScheduleNotifierInput {
  schedule_id: string;
  /** claude-bridge's channel name (any string), as the payload shows it. */
  channel: string;
  notify_on: BridgeScheduleEvent[];
  /** url and headers sealed for scheduleNotifierId(schedule_id). */
  notify: NotifySpec;
  /** Carried across continue-as-new: the ticks already seen, the runs of ticks told as errors, the schedule as last seen. */
  seen_ticks?: number;
  told_errors?: string[];
  last_live?: LiveFacts | null;
}

/** A live schedule's counters, kept by its notifier in case the schedule vanishes with its record. */
export interface LiveFacts {
  tick_count: number;
  last_tick_at: number | null;
  last_job_id: string | null;
}

/** One tick of a schedule: its number (1 = first), its run, when it fired, and how its run stands. */
export interface BridgeTick {
  tick: number;
  job_id: string;
  at: number;
  running: boolean;
  /**
   * Why the tick's agent never started (its run ended before any launch: the cwd gone, the CLI
   * missing, a launch check refused it), else null: claude-bridge's "a tick failed to spawn".
   */
  spawn_error: string | null;
}

/** A notifier's look at its schedule, as claude-bridge's schedule view would show it. */
export interface BridgeScheduleLook {
  /** The schedule is gone and has no record: nothing more will happen, and nothing is sent. */
  unknown: boolean;
  /** null while it may still fire; else why it ended. */
  ended: 'cancelled' | 'completed' | 'stop_marker' | null;
  status: string;
  tick_count: number;
  last_tick_at: number | null;
  last_job_id: string | null;
  /** The last tick's output when it has finished (the payload cuts it to 4096 characters). */
  last_tick_result: string | null;
  /** That output was already cut (its marker says the original length). */
  last_tick_truncated: boolean;
  error: string | null;
  /** The newest ticks (at most ten), oldest first. */
  ticks: BridgeTick[];
  /** When to look again at the latest (epoch ms): the next fire, the until, or soon while a tick runs. */
  look_again_at: number;
}

/** claude-bridge's schedule payload, as its `_maybe_notify_schedule` sends it. */
export interface BridgeSchedulePayload {
  event: BridgeScheduleEvent;
  schedule_id: string;
  channel: string;
  tick_count: number;
  status: string;
  last_tick_at: number | null;
  last_tick_result: string | null;
  last_job_id: string | null;
  error: string | null;
}

/** A payload that claims to be a schedule's (anything may come through a forged webhook's input: the origin check checks the rest). */
export const isBridgeSchedulePayload = (payload: unknown): payload is BridgeSchedulePayload => payload !== null && typeof payload === 'object' && 'schedule_id' in payload;

/** The payload of an end (or a stop marker's tick): the schedule as the look found it. */
export function scheduleEndPayload(input: BridgeScheduleNotifierInput, look: BridgeScheduleLook, event: BridgeScheduleEvent): BridgeSchedulePayload {
  return {
    event,
    schedule_id: input.schedule_id,
    channel: input.channel,
    tick_count: look.tick_count,
    status: look.status,
    last_tick_at: look.last_tick_at,
    last_tick_result: look.last_tick_result === null ? null : resultPreview(look.last_tick_result, look.last_tick_truncated),
    last_job_id: look.last_job_id,
    error: look.error,
  };
}

/** The payload of one tick: the schedule as claude-bridge shows it right after that tick fired. */
export function tickPayload(input: BridgeScheduleNotifierInput, tick: BridgeTick, event: 'tick' | 'tick_error'): BridgeSchedulePayload {
  return {
    event,
    schedule_id: input.schedule_id,
    channel: input.channel,
    tick_count: tick.tick,
    status: 'active',
    last_tick_at: tick.at,
    last_tick_result: null,
    last_job_id: tick.job_id,
    error: event === 'tick_error' ? tick.spawn_error : null,
  };
}

/**
 * Why a run's agent never started, or null: it ended failed or rejected with no transcript (no agent
 * process ever wrote one: the cwd gone, the CLI missing, a launch check refused it). For a tick,
 * claude-bridge's "a tick failed to spawn" (tick_error, schedule_tick_error).
 */
export function spawnErrorOf(run: Pick<RunView, 'status' | 'error' | 'result'>): string | null {
  if (!isFinalStatus(run.status)) return null;
  // Lost with its worker (on_worker_loss "fail"): it started; claude-bridge calls that abandoned.
  if (run.result && isWorkerLost(run.result)) return null;
  const neverStarted = run.status === 'rejected' || (run.status === 'failed' && !run.result?.transcript);
  return neverStarted ? (run.error ?? run.status) : null;
}
