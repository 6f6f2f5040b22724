// A channel's state and how it is shown (list_channels, the channel's memo).
import type { Backend } from './vocabulary.js';

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
