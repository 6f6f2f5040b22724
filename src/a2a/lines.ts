// The bridge's stdout format, shared by the bridge (which writes it) and the remote_a2a parser
// (which reads it). One JSON object a line:
//
//   {"bridge":"connected","agent":"…","card_url":"…","transport":"JSONRPC","protocol_version":"1.0","streaming":true}
//   {"a2a":<StreamResponse as A2A v1.0 JSON>,"source":"stream"}     e.g. {"a2a":{"statusUpdate":{…}},"source":"stream"}
//   {"bridge":"end","outcome":"completed","state":"TASK_STATE_COMPLETED","task_id":"…","context_id":"…","exit_code":0}
//
// `a2a` is the protocol object exactly as the SDK decoded it, re-encoded with its own toJSON
// (one of task, message, statusUpdate, artifactUpdate), so the transcript is the protocol.
// Diagnostics go to stderr, never here.

/** Where an `a2a` line came from. */
export type A2aSource =
  /** SendStreamingMessage (message/stream). */
  | 'stream'
  /** SendMessage (message/send), the non-streaming path. */
  | 'send'
  /** SubscribeToTask (tasks/resubscribe), after a dropped stream or with --resume-task. */
  | 'resubscribe'
  /** GetTask (tasks/get) while polling. */
  | 'poll'
  /** CancelTask's answer, after SIGTERM/SIGINT. */
  | 'cancel'
  /** GetTask once the task paused or ended: the whole task, a summary of what came before. */
  | 'final';

/** How the bridge ended: the task's own end, or why there was none. */
export type BridgeOutcome =
  | 'completed'
  | 'failed'
  | 'canceled'
  | 'rejected'
  | 'input_required'
  | 'auth_required'
  /** The agent answered with a Message and made no task. */
  | 'message'
  /** SIGTERM/SIGINT arrived; the task was asked to cancel (see `state` for what it said). */
  | 'interrupted'
  /** The bridge could not do its job (bad input, agent unreachable, protocol error). */
  | 'error';

export interface ConnectedLine {
  bridge: 'connected';
  agent: string;
  card_url: string;
  transport: string;
  protocol_version: string;
  streaming: boolean;
  /** The task followed without sending anything (--resume-task). */
  resume_task?: string;
}

export interface A2aLine {
  a2a: unknown;
  source: A2aSource;
  /**
   * The task as it was before this bridge's message: the input-required task an answer
   * (--task-id) reopens, which its stream starts with. Not where the task stands now.
   */
  prior?: true;
}

export interface EndLine {
  bridge: 'end';
  outcome: BridgeOutcome;
  /** The task's last A2A state (`TASK_STATE_…`), or null when there was no task. */
  state: string | null;
  task_id: string | null;
  context_id: string | null;
  exit_code: number;
  /** What went wrong, for outcome error (and failed/canceled/rejected when the agent said why). */
  error?: string;
  signal?: 'SIGTERM' | 'SIGINT';
}

export type BridgeLine = ConnectedLine | A2aLine | EndLine;

/** Exit codes: the task's end, not the bridge's health, except EXIT.error. */
export const EXIT = {
  /** completed, input_required, auth_required, or a Message reply. */
  ok: 0,
  /** failed, canceled or rejected. */
  taskFailed: 1,
  /** The bridge could not do its job: bad arguments or input, agent unreachable, task lost. */
  error: 2,
  SIGINT: 130,
  SIGTERM: 143,
} as const;
