// Starting a notification from a workflow that ends: the webhook child, abandoned once it has
// started, so the caller closes at once however long the delivery takes (docs/ARCHITECTURE.md; README.md, "Notifications (webhooks)").
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { log, ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { NotifySpec } from '../domain/notify.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import {
  WEBHOOK_MEMO_KEY,
  webhookWorkflowId,
  type WebhookRetryPolicy,
  type NotificationPayload,
  type WebhookState,
  type WebhookWorkflowInput,
} from '../domain/webhook-delivery.js';
import { notifyHost } from '../domain/webhook.js';
import { webhook } from './webhook.js';

export interface NotificationRequest {
  /** The run or pipeline that ended (or the schedule notifier that notifies): the child is `<id>.webhook` unless webhookId says. */
  id: string;
  /** A workflow that notifies more than once names each notification (bridgeScheduleNotifier). */
  webhookId?: string;
  notify: NotifySpec;
  payload: NotificationPayload;
  /** Tests shorten the schedule; production leaves it out. */
  retry?: Partial<WebhookRetryPolicy>;
}

/** Resolves once the webhook workflow has started (not delivered). Never fails the caller. */
export async function startNotification(request: NotificationRequest): Promise<void> {
  const { id, notify, payload } = request;
  const webhookId = request.webhookId ?? webhookWorkflowId(id);
  const input: WebhookWorkflowInput = { run_id: id, payload, notify, ...(request.retry ? { retry: request.retry } : {}) };
  const initial: WebhookState = {
    webhook_id: webhookId,
    run_id: id,
    event: payload.event,
    url_host: notifyHost(notify),
    status: 'delivering',
    attempts_total: 0,
    attempts: [],
    next_attempt_at: null,
  };
  try {
    await startChild(webhook, {
      workflowId: webhookId,
      args: [input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [
        { key: searchAttributeKeys.kind, value: 'webhook' },
        { key: searchAttributeKeys.parent, value: id },
      ],
      memo: { [WEBHOOK_MEMO_KEY]: initial },
      staticSummary: `${payload.event} → ${initial.url_host}`,
    });
  } catch (err) {
    // A run reset in the Web UI ends a second time: its notification was started the first time.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return;
    // The notification must never change how the run ends: say why it was not sent, and go on.
    log.warn('the notification could not be started', { id, error: err instanceof Error ? err.message : String(err) });
  }
}
