// What a run is asked to do, after validation: the workflow's input. Plain types only, so the
// workflow bundle stays free of zod; src/domain/spawn-input.ts builds these from tool arguments.
import type { BackendConfig } from './backend-configs/index.js';
import type { LaunchMode } from './agent-activity.js';
import type { InputMessage } from './input-message.js';
import type { ChannelGrant, LedgerSnapshot } from './run-ledger.js';
import type { NotifySpec } from './notify.js';
import type { Backend, PermissionMode, Role, SessionMode, WorkerLossPolicy } from './vocabulary.js';

export type { BackendConfig, ClaudeCodeConfig, CodexConfig, CommandConfig, RemoteA2aConfig } from './backend-configs/index.js';

export interface RunSpec {
  backend: Backend;
  role: Role;
  /** What the agent is asked: a prompt is one text part. */
  input: InputMessage;
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
  /** Text appended to the agent's system prompt (the profile, read at spawn time). */
  profile_text: string | null;
  /** JSON Schema the final output must match; the run fails when it does not. */
  output_schema: Record<string, unknown> | null;
  /** The channel the run is a turn of. */
  channel: string | null;
  /** The agent's name (spawn_run's nickname): other agents message it by this name. Absent before issue 12. */
  nickname?: string | null;
  /** The run or pipeline this run follows up or belongs to. */
  parent: string | null;
  /** What the resumed session had cost before this run (known when Baton ran its earlier turns). */
  session_cost_baseline_usd: number | null;
  backend_config: BackendConfig;
  /**
   * Proof that a holder of Baton's secret key made this spec (src/secrets/launch-mac.ts); the
   * worker launches no agent for a spec without a valid one. Absent in specs of release 0.1.0.
   */
  launch_mac?: string;
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
  /** A channel turn: stays queued until its channel grants it the session (docs/ARCHITECTURE.md). */
  awaits_grant?: boolean;
  /**
   * A channel turn granted as its channel started it (the channel was idle): the session it runs
   * on, so the run starts its agent in its first workflow task instead of waiting for the grant
   * signal. Set only with awaits_grant (CHANNEL_IDLE_GRANT).
   */
  grant?: ChannelGrant;
  /** The schedule that started this run (its output may end the schedule). */
  schedule_id?: string;
  /** Who to notify when the run ends. */
  notify?: NotifySpec | null;
  /** Start the agent on this host (a pipeline's worktrees live on one host's disk). */
  pin_host?: string;
  /** Backend sessions live where every host can read them (BATON_SHARED_SESSIONS): a lost host's run resumes elsewhere. */
  sessions_shared?: boolean;
  /**
   * What the run is, for people, when its prompt's first line does not say it: a pipeline step's
   * `r1 work-2: <title>` (domain/step-label.ts). The Web UI's summary and prompt_preview show it.
   */
  label?: string;
  /** A long run's state, handed to its next segment by continue-as-new (docs/ARCHITECTURE.md). */
  carried?: CarriedSegment;
}

export interface CarriedSegment {
  ledger: LedgerSnapshot;
  /** When timeout_seconds runs out (epoch ms), kept across segments. */
  deadline_ms: number | null;
  /**
   * The launch the agent is on: the next segment re-attaches to it. Without input, the launch's
   * input is the run's own (spec.input), so it travels once.
   */
  launch: { mode: LaunchMode; input?: InputMessage };
}
