// Signals, queries and updates of Baton's workflows, defined once for the workflows and the client.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EventBatch } from '../domain/event-batch.js';
import type { InputMessage } from '../domain/input-message.js';
import type { ChannelGrant, RunEventsPage } from '../domain/run-ledger.js';
import type { RunView } from '../domain/run-view.js';

/** The run as it is now. */
export const statusQuery = defineQuery<RunView>('status');

/** Events after a seq, oldest first: (after_seq, limit). */
export const eventsQuery = defineQuery<RunEventsPage, [number, number]>('events');

/** A batch of normalized events from the agent activity. */
export const eventBatchSignal = defineSignal<[EventBatch]>('eventBatch');

/** Stop the run with a reason; cancel_run sends it just before Temporal's cancel request. */
export const cancelSignal = defineSignal<[string]>('cancel');

/** From the run's channel: the turn may start, on this session. */
export const grantSignal = defineSignal<[ChannelGrant]>('grant');

/** The answer to a remote agent that asked for input (continue_run on an input_required run). */
export const answerUpdate = defineUpdate<RunView, [InputMessage]>('answer');

/** Asked by the agent activity now and then: should this segment hand over (continue-as-new)? */
export const segmentQuery = defineQuery<{ end: boolean }>('segment');
