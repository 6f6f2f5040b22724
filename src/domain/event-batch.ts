// What the agent activity sends the workflow: events grouped by the transcript line they came
// from, so the workflow can drop whatever it already has ("the workflow owns seq": docs/ARCHITECTURE.md).
import type { Usage } from './run-view.js';
import type { EventType } from './vocabulary.js';

export type OutputStream = 'stdout' | 'stderr';

export interface NewEvent {
  ts: string;
  type: EventType;
  data: Record<string, unknown>;
}

/** What a line tells about the run as a whole; merged field by field, the newest value wins. */
export interface FactsPatch {
  session_id?: string;
  /** The agent's final answer (e.g. Claude Code's result text). */
  output?: string;
  /** The agent itself reported failure (e.g. Claude Code's is_error). */
  is_error?: boolean;
  error?: string;
  /** Totals reported by the agent: replace what the run had. */
  usage?: Usage;
  /** Per-turn usage: added to what the run had. */
  usage_add?: Usage;
  /** Cost of this run alone. */
  cost_usd?: number;
  /**
   * Cost of the whole backend session so far, as Claude Code reports it (total_cost_usd counts
   * every invocation of a resumed session): the run's cost is this minus what the session had
   * cost before the run.
   */
  session_cost_usd?: number;
  num_turns?: number;
  /** The agent's structured final output (e.g. Claude Code's structured_output), before validation. */
  structured_output?: unknown;
  /**
   * The agent reported structured output larger than the budget a line's facts may carry: left
   * out, and said so (its size and the budget), so the run can say why it has none.
   */
  structured_output_omitted?: StructuredOutputOmitted;
  /** A remote agent's task state that pauses or ends the run: input_required, auth_required, rejected. */
  remote_status?: 'input_required' | 'auth_required' | 'rejected';
  /** A remote agent's task id (A2A), to answer or cancel that task. */
  task_id?: string;
}

/** Why a run has no structured output although the agent reported one. */
export interface StructuredOutputOmitted {
  reason: 'too_large';
  /** Its size as UTF-8 JSON. */
  bytes: number;
  /** The most a run carries (STRUCTURED_OUTPUT_BYTES, or less for a batch Temporal refused as too large). */
  limit_bytes: number;
}

export interface LineGroup {
  stream: OutputStream;
  /** Byte offset just past the line in its stream's file. */
  end: number;
  events: NewEvent[];
  facts?: FactsPatch;
}

/** Where an agent lives, announced once per launch so later steps can find and stop it. */
export interface AgentHandle {
  /** The run's launch this agent belongs to (see RunAgentRequest.launch). */
  launch: number;
  host: string;
  pid: number;
  /** Process start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  start_time: number;
  boot_id: string;
  run_dir: string;
  launched_at: string;
  /** Bytes stdout.log held before this launch (a restart appends): where its own output begins. */
  stdout_start?: number;
}

export interface EventBatch {
  /** The activity attempt that sent this batch. */
  attempt: number;
  agent?: AgentHandle;
  /** Events about the activity itself (reattached, resumed), not tied to a transcript line. */
  notes?: NewEvent[];
  groups: LineGroup[];
}

export interface StreamOffsets {
  stdout: number;
  stderr: number;
}
