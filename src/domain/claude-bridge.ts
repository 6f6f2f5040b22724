// claude-bridge's vocabulary (claude-bridge-mcp 0.1.0, docs/claude-bridge.md) over Baton's: its job
// statuses from a run's status, its stop marker, its notable events and its webhook payload. Pure
// and zod-free, so the workflow bundle imports it.
import type { RunResult, RunView } from './run-view.js';
import { isWorkerLost, type FailureKind, type RunStatus } from './vocabulary.js';
import { resultPreview } from './webhook.js';

/** claude-bridge's job statuses. `orphaned` never comes from Baton: no run loses its state. */
export const BRIDGE_JOB_STATUSES = ['running', 'done', 'error', 'cancelled', 'abandoned', 'orphaned'] as const;
export type BridgeJobStatus = (typeof BRIDGE_JOB_STATUSES)[number];

/** claude-bridge's stop marker: a scheduled run whose output holds it ends its schedule, as Baton's own does. */
export const BRIDGE_STOP_MARKER = '[BRIDGE_STOP_SCHEDULE]';

/** What claude-bridge's notify_on names for a job: its terminal statuses. */
export const BRIDGE_JOB_NOTIFY_ON = ['done', 'error', 'cancelled', 'abandoned'] as const;

/** claude-bridge's NOTABLE_EVENTS: what list_events(notable_only=True) keeps. */
export const BRIDGE_NOTABLE_EVENTS = [
  'bridge_init_recovery',
  'dispatch_abandoned',
  'dispatch_cancelled',
  'dispatch_end',
  'dispatch_error',
  'dispatch_orphan_finalized',
  'dispatch_orphan_finalized_missing',
  'schedule_activated',
  'schedule_cancelled',
  'schedule_completed',
  'schedule_self_cancelled',
  'schedule_tick_error',
  'scheduler_loop_error',
  'webhook_failed',
] as const;

/**
 * A run's status in claude-bridge's words. claude-bridge says `done` for every job whose claude
 * process finished, `ok` telling whether it succeeded (a non-zero exit, a timeout): so do completed,
 * failed and timed_out runs here. `error` is a job the bridge could not run (a launch refused);
 * `abandoned` one lost with its worker (on_worker_loss "fail").
 */
export function bridgeStatusOf(status: RunStatus, error: string | null, failureKind?: FailureKind | null): BridgeJobStatus {
  switch (status) {
    case 'queued':
    case 'running':
    case 'input_required':
    case 'auth_required':
      return 'running';
    case 'completed':
    case 'timed_out':
      return 'done';
    case 'failed':
      return isWorkerLost({ status, error, failure_kind: failureKind }) ? 'abandoned' : 'done';
    case 'rejected':
      return 'error';
    case 'cancelled':
      return 'cancelled';
  }
}

/** An ISO time as claude-bridge's epoch seconds (null stays null). */
export function epochSeconds(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms / 1000;
}

/**
 * claude-bridge's webhook payload for a job (`_maybe_notify_job`), plus run_id and baton_status,
 * by which a worker checks that the run it names made it (src/activities/webhook-origin.ts).
 */
export interface BridgeWebhookPayload {
  event: BridgeJobStatus;
  job_id: string;
  run_id: string;
  channel: string | null;
  status: BridgeJobStatus;
  started_at: number | null;
  finished_at: number | null;
  ok: boolean;
  result_preview: string | null;
  error: string | null;
  baton_status: RunStatus;
}

export function bridgeWebhookPayload(view: Pick<RunView, 'run_id' | 'channel' | 'created_at' | 'metadata'>, result: RunResult): BridgeWebhookPayload {
  const status = bridgeStatusOf(result.status, result.error, result.failure_kind);
  return {
    event: status,
    job_id: view.run_id,
    run_id: view.run_id,
    channel: view.channel ?? view.metadata[BRIDGE_CHANNEL_KEY] ?? null,
    status,
    started_at: epochSeconds(view.created_at),
    finished_at: epochSeconds(result.finished_at),
    ok: result.status === 'completed',
    result_preview: resultPreview(result.output, result.output_truncated),
    error: result.status === 'completed' ? null : result.error,
    baton_status: result.status,
  };
}

/** Metadata labels the claude-bridge profile puts on its runs. */
export const PROFILE_KEY = 'baton_profile';
export const BRIDGE_CHANNEL_KEY = 'bridge_channel';
export const BRIDGE_TIMEOUT_KEY = 'bridge_timeout_seconds';
export const BRIDGE_PERMISSION_KEY = 'bridge_permission_mode';
