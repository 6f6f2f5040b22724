// The channel workflow's update and query definitions (imported by the client too).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ChannelView } from '../domain/channel.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';

/** A turn as it is enqueued: the run's input, and who asked for it. */
export interface TurnInput extends RunWorkflowInput {
  /**
   * The stdio MCP session that enqueued the turn (ORIGIN_MEMO_KEY), set by Baton's client from
   * its own session, never from tool arguments: the channel puts it in the turn's memo, so the
   * session is pushed the turn's end (src/mcp/push.ts). The validator refuses any other form.
   */
  origin?: string;
}

export interface EnqueuedTurn {
  run_id: string;
  /** 1 when the turn runs next (or now). */
  position: number;
}

/** Add a turn; the update id is the run id, so a retried call cannot enqueue it twice. */
export const enqueueTurnUpdate = defineUpdate<EnqueuedTurn, [TurnInput]>('enqueueTurn');

/** Unpin the session: the next turn starts a new one. */
export const resetChannelUpdate = defineUpdate<ChannelView, []>('reset');

export const channelStatusQuery = defineQuery<ChannelView>('channelStatus');
