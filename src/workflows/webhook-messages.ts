// The webhook workflow's query (imported by the client too).
import { defineQuery } from '@temporalio/workflow';
import type { WebhookState } from '../domain/webhook-delivery.js';

/** Every attempt so far and what happens next; the memo has the newest attempts for readers without a worker. */
export const webhookStatusQuery = defineQuery<WebhookState>('webhookStatus');
