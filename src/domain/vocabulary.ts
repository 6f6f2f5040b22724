// The closed vocabularies every layer shares. Plain constants (no zod) so the workflow bundle
// can import them without pulling in a validation library.

export const RUN_STATUSES = ['queued', 'running', 'input_required', 'auth_required', 'completed', 'failed', 'cancelled', 'timed_out', 'rejected'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses after which a run never changes again. */
export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'timed_out', 'rejected'];
export function isFinalStatus(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Backends that this version of Baton can run. */
export const BACKENDS = ['claude_code', 'codex', 'remote_a2a', 'command'] as const;
export type Backend = (typeof BACKENDS)[number];

export const ROLES = ['worker', 'planner', 'reviewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Claude Code's --permission-mode choices (2.1.x help lists all but `default`, which it still
 * accepts and which older documentation uses).
 */
export const PERMISSION_MODES = ['default', 'acceptEdits', 'auto', 'bypassPermissions', 'dontAsk', 'manual', 'plan'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

export const SESSION_MODES = ['new', 'resume'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

/** What a run does when the worker that watched its agent is lost (docs/ARCHITECTURE.md). */
export const WORKER_LOSS_POLICIES = ['resume', 'restart', 'fail'] as const;
export type WorkerLossPolicy = (typeof WORKER_LOSS_POLICIES)[number];

export const WORKFLOW_KINDS = ['run', 'pipeline', 'channel'] as const;
export type WorkflowKind = (typeof WORKFLOW_KINDS)[number];

export const EVENT_TYPES = [
  'run_started',
  'status_changed',
  'agent_message',
  'reasoning',
  'tool_started',
  'tool_finished',
  'command_started',
  'command_finished',
  'file_changed',
  'todo_updated',
  'usage',
  'stderr',
  'input_required',
  'worker_lost',
  'reattached',
  'resumed',
  'webhook_sent',
  'webhook_failed',
  'run_completed',
  'run_failed',
  'run_cancelled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Why a failed run failed, where callers act on it, as a typed field (RunResult.failure_kind)
 * rather than words of its error: `worker_lost`, the agent died with its worker (or its host never
 * came back) and on_worker_loss (or a pinned host) said fail.
 */
export const FAILURE_KINDS = ['worker_lost'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/**
 * Whether a result is a run lost with its worker. Every failed result since 0.6.0 has failure_kind
 * (null for other failures); earlier ones have none: their error then starts with "worker_lost",
 * which they wrote for that case only.
 */
export function isWorkerLost(result: { status: RunStatus; error: string | null; failure_kind?: FailureKind | null | undefined } | null | undefined): boolean {
  if (!result || result.status !== 'failed') return false;
  if (result.failure_kind !== undefined) return result.failure_kind === 'worker_lost';
  return (result.error ?? '').startsWith('worker_lost');
}
