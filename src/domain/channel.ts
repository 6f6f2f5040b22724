// A channel's state and how it is shown (list_channels, the channel's memo), and the byte budget
// of what one run of a channel (between two continue-as-new) takes into its history.
import { formatBytes } from './sizes.js';
import type { Backend } from './vocabulary.js';

/**
 * What one run of a channel may put in its history: Temporal terminates a workflow whose history
 * passes 50 MB (and warns from 10 MB), and a channel continues as new only when idle, so a channel
 * that is never idle (turns queued while one runs) would otherwise grow until it is terminated,
 * taking its queued turns with it. Each turn takes its input twice (the update that enqueues it
 * and its child's start) and its result; a turn whose result is still to come keeps room for the
 * largest one.
 */
export const CHANNEL_HISTORY_BYTES = 40 * 1024 * 1024;
/** Room kept for a turn's result until it comes: output, structured output and error at their limits, escaped, twice for a failure. */
export const TURN_RESULT_BYTES = 512 * 1024;
/** A turn's other events: the update's, its child's, two upserts of the channel's view. */
export const TURN_OVERHEAD_BYTES = 16 * 1024;

/** What an enqueued turn adds to its channel's history, its result aside. */
export function turnBytes(inputBytes: number): number {
  return 2 * inputBytes + TURN_OVERHEAD_BYTES;
}

/** Bytes of history a channel's run has taken in, and the turns whose results are still to come. */
export interface ChannelLoad {
  bytes: number;
  unfinished: number;
}

/** Why the channel refuses a turn of `inputBytes`, or null when it fits the budget. */
export function channelFullProblem(name: string, load: ChannelLoad, waiting: number, inputBytes: number): string | null {
  const held = load.bytes + load.unfinished * TURN_RESULT_BYTES;
  const adds = turnBytes(inputBytes) + TURN_RESULT_BYTES;
  if (held + adds <= CHANNEL_HISTORY_BYTES) return null;
  return (
    `channel "${name}" is full: its turns since it last started afresh (${waiting} waiting) hold ${formatBytes(held)} bytes of its history, ` +
    `and this turn (${formatBytes(inputBytes)} bytes of input) would add ${formatBytes(adds)}, over the limit of ${formatBytes(CHANNEL_HISTORY_BYTES)} bytes: ` +
    'wait for its queue to drain (an idle channel starts afresh), send a smaller turn, or use another channel'
  );
}

export interface ChannelInput {
  name: string;
  /** State carried over continue-as-new. */
  carried?: ChannelState;
}

export interface ChannelState {
  name: string;
  /** Pinned by the first turn; a turn for another backend is refused. */
  backend: Backend | null;
  /** The backend session the next turn resumes (null: the next turn starts one). */
  session_id: string | null;
  /** What that session has cost so far, so each turn's cost is its own. */
  session_cost_usd: number | null;
  turns_done: number;
  resets: number;
}

export interface ChannelView {
  channel: string;
  backend: Backend | null;
  session_id: string | null;
  active_run_id: string | null;
  queued_run_ids: string[];
  turns_done: number;
}

export function channelWorkflowId(name: string): string {
  return `channel_${name}`;
}

export const CHANNEL_MEMO_KEY = 'channel';

export function channelView(state: ChannelState, active: string | null, queued: string[]): ChannelView {
  return {
    channel: state.name,
    backend: state.backend,
    session_id: state.session_id,
    active_run_id: active,
    queued_run_ids: queued,
    turns_done: state.turns_done,
  };
}
