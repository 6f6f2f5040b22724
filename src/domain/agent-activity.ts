// The contract between the agentRun workflow and the activities that run agents on a host.
import type { AgentHandle, EventBatch, FactsPatch, StreamOffsets } from './event-batch.js';
import type { AgentExit } from './run-ledger.js';
import type { InputMessage } from './input-message.js';
import type { CheckOutputRequest, CheckOutputResult } from './output-check.js';
import type { RunSpec, RunTimings } from './run-spec.js';

/**
 * How a launch starts the agent: the first time, resuming its backend session after it was lost,
 * starting it over, or sending a remote agent the answer it asked for.
 */
export type LaunchMode = 'launch' | 'resume' | 'restart' | 'answer';

/**
 * The agent's final answer, read by the host from the launch's whole transcript when no line
 * alone carries it (a `command`'s stdout: all of it, or its last non-empty line, as JSON). Events
 * and the last message are cut (4 KiB, 500 characters), so an answer judged from them is not the
 * one the agent gave. Structured output over STRUCTURED_OUTPUT_BYTES comes as the note of its size.
 */
export type FinalAnswer = Pick<FactsPatch, 'structured_output' | 'structured_output_omitted'>;

export interface RunAgentRequest {
  run_id: string;
  spec: RunSpec;
  attempt: number;
  /**
   * Which launch of the run this is (1, 2, ...). An attempt finds the agent of its own launch
   * alive and re-attaches to it; it starts an agent only when that launch has none yet.
   */
  launch: number;
  /** What to send the agent on this launch: the run's input, or the answer to a question. */
  input: InputMessage;
  /** The remote task this launch continues (A2A), if any. */
  task_id: string | null;
  /** The run's next segment (continue-as-new) picking up its agent: re-attach without a note. */
  continuation: boolean;
  /** The workflow's offsets: output before them has been taken already. */
  offsets: StreamOffsets;
  /** The run's newest event seq when this attempt began (heartbeats count on from it). */
  last_seq: number;
  mode: LaunchMode;
  /** The backend session known so far (for resume). */
  session_id: string | null;
  /** The agent the workflow knows of, if any: re-attach to it when it is still alive. */
  agent: AgentHandle | null;
  timings: RunTimings;
  /**
   * The workflow takes the agent's last events from the `exited` result (0.7.0 on): without it
   * (a workflow of an earlier release) they go by signal, as that code expects.
   */
  result_batch?: boolean;
}

export type AgentOutcome =
  | ({
      kind: 'exited';
      answer?: FinalAnswer;
      /**
       * The agent's last events, handed over with the result instead of by signal (at most
       * RESULT_BATCH_BYTES). Only results of release 0.7.0 on carry it: older histories replay as they were.
       */
      batch?: EventBatch;
    } & AgentExit)
  /** The run's history is long: the agent goes on; the workflow continues as new and re-attaches. */
  | { kind: 'segment_end' }
  /** The agent is gone and left no exit status (its host rebooted, or it was killed with its wrapper). */
  | { kind: 'lost'; reason: string };

export interface StopAgentRequest {
  run_id: string;
  agent: AgentHandle | null;
  reason: string;
  kill_grace_ms: number;
}

export interface StopAgentResult {
  /** Processes that were signalled. */
  signalled: number;
  /** True when SIGTERM was not enough and SIGKILL was sent. */
  killed: boolean;
}

/** Activity failure types the workflow tells apart. */
export const FAILURE_TYPES = {
  /** The worker shut down under a live agent: the agent goes on, re-attach later. */
  workerShutdown: 'BatonWorkerShutdown',
  /** The agent could not be started (binary missing, cwd gone): the run fails, with this message. */
  launchFailed: 'BatonLaunchFailed',
  runFailed: 'BatonRunFailed',
  timedOut: 'BatonTimedOut',
  /** read_output asked for an offset past the end of a transcript on another host. */
  transcriptRange: 'BatonTranscriptRange',
  /** No worker of the transcript's host answered. */
  transcriptUnreachable: 'BatonTranscriptUnreachable',
} as const;

export interface AgentActivities {
  runAgent: (request: RunAgentRequest) => Promise<AgentOutcome>;
  stopAgent: (request: StopAgentRequest) => Promise<StopAgentResult>;
  checkOutput: (request: CheckOutputRequest) => Promise<CheckOutputResult>;
}
