// A channel shows its state in its memo, so list_channels works with no worker running.
import { upsertMemo } from '@temporalio/workflow';
import { CHANNEL_MEMO_KEY, type ChannelView } from '../domain/channel.js';

/** Upserts the memo only when the view changed: each upsert is a history event. */
export function channelPublisher(): (view: ChannelView) => void {
  let last = '';
  return (view) => {
    const serialized = JSON.stringify(view);
    if (serialized === last) return;
    last = serialized;
    upsertMemo({ [CHANNEL_MEMO_KEY]: view });
  };
}
