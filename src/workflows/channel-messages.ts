// The channel workflow's update and query definitions (imported by the client too).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ChannelView } from '../domain/channel.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';

export interface EnqueuedTurn {
  run_id: string;
  /** 1 when the turn runs next (or now). */
  position: number;
}

/** Add a turn; the update id is the run id, so a retried call cannot enqueue it twice. */
export const enqueueTurnUpdate = defineUpdate<EnqueuedTurn, [RunWorkflowInput]>('enqueueTurn');

/** Unpin the session: the next turn starts a new one. */
export const resetChannelUpdate = defineUpdate<ChannelView, []>('reset');

export const channelStatusQuery = defineQuery<ChannelView>('channelStatus');
