// What a run is asked to do, after validation: the workflow's input. Plain types only, so the
// workflow bundle stays free of zod; src/domain/spawn-input.ts builds these from tool arguments.
import type { Backend, PermissionMode, Role, SessionMode, WorkerLossPolicy } from './vocabulary.js';

export interface CommandConfig {
  /** argv: the program, then its arguments. Run without a shell. */
  command: string[];
  env: Record<string, string>;
}

export interface ClaudeCodeConfig {
  env: Record<string, string>;
}

export type BackendConfig = CommandConfig | ClaudeCodeConfig;

export interface RunSpec {
  backend: Backend;
  role: Role;
  prompt: string;
  cwd: string;
  session_mode: SessionMode;
  session_id: string | null;
  model: string | null;
  permission_mode: PermissionMode | null;
  max_turns: number | null;
  max_budget_usd: number | null;
  timeout_seconds: number | null;
  on_worker_loss: WorkerLossPolicy;
  metadata: Record<string, string>;
  backend_config: BackendConfig;
}

/** Timing knobs chosen by whoever starts the run (from its config), fixed for the run's life. */
export interface RunTimings {
  /** Heartbeat timeout of the agent activity: how soon a lost worker is noticed. */
  heartbeat_timeout_ms: number;
  /** How long a stopped agent gets between SIGTERM and SIGKILL. */
  kill_grace_ms: number;
  /** How long a run waits for its host's worker to come back before it counts the host as lost. */
  host_wait_ms: number;
}

export interface RunWorkflowInput {
  run_id: string;
  created_at: string;
  spec: RunSpec;
  /** Hash of the spawn arguments: a reused idempotency key with other arguments is refused. */
  args_hash: string;
  /** The shared task queue: where an agent goes before it has a host. */
  task_queue: string;
  timings: RunTimings;
}
