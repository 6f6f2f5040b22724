// Signals and queries of Baton's workflows, defined once for the workflows and the client.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { EventBatch } from '../domain/event-batch.js';
import type { RunEventsPage } from '../domain/run-ledger.js';
import type { RunView } from '../domain/run-view.js';

/** The run as it is now. */
export const statusQuery = defineQuery<RunView>('status');

/** Events after a seq, oldest first: (after_seq, limit). */
export const eventsQuery = defineQuery<RunEventsPage, [number, number]>('events');

/** A batch of normalized events from the agent activity. */
export const eventBatchSignal = defineSignal<[EventBatch]>('eventBatch');

/** Stop the run with a reason; cancel_run sends it just before Temporal's cancel request. */
export const cancelSignal = defineSignal<[string]>('cancel');
