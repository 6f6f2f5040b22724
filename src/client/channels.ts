// Channels from the client's side: enqueue a turn (update-with-start), list, reset.
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { CHANNEL_MEMO_KEY, channelWorkflowId, type ChannelView } from '../domain/channel.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import { channelStatusQuery, enqueueTurnUpdate, resetChannelUpdate, type EnqueuedTurn, type TurnInput } from '../workflows/channel-messages.js';
import { InputError } from './errors.js';

export async function enqueueTurn(client: Client, taskQueue: string, turn: TurnInput): Promise<EnqueuedTurn> {
  const name = turn.spec.channel!;
  const start = new WithStartWorkflowOperation('channel', {
    workflowId: channelWorkflowId(name),
    taskQueue,
    args: [{ name }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: searchAttributeKeys.kind, value: 'channel' },
      { key: searchAttributeKeys.channel, value: name },
    ],
    staticSummary: `channel ${name}`,
  });
  try {
    return await client.workflow.executeUpdateWithStart(enqueueTurnUpdate, { args: [turn], startWorkflowOperation: start, updateId: turn.run_id });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new InputError(err.cause?.message ?? err.message);
    throw err;
  }
}

/** Open channels from visibility (memo), so this works with no worker running. */
export async function listChannels(client: Client): Promise<ChannelView[]> {
  const channels: ChannelView[] = [];
  for await (const execution of client.workflow.list({ query: `BatonKind = 'channel' AND ExecutionStatus = 'Running'` })) {
    const view = execution.memo?.[CHANNEL_MEMO_KEY] as ChannelView | undefined;
    if (view) channels.push(view);
  }
  return channels.sort((a, b) => a.channel.localeCompare(b.channel));
}

export async function channelStatus(client: Client, name: string): Promise<ChannelView> {
  try {
    return await client.workflow.getHandle(channelWorkflowId(name)).query(channelStatusQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw noSuchChannel(name);
    throw err;
  }
}

export async function resetChannel(client: Client, name: string): Promise<ChannelView> {
  const handle = client.workflow.getHandle(channelWorkflowId(name));
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') throw noSuchChannel(name);
    return await handle.executeUpdate(resetChannelUpdate);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw noSuchChannel(name);
    throw err;
  }
}

function noSuchChannel(name: string): InputError {
  return new InputError(`there is no channel "${name}": list_channels shows the channels; a channel starts with a spawn_run that names it`);
}
