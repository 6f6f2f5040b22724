// webhook: delivers one notification, retrying for hours (README.md, "Notifications (webhooks)"). A child its run
// abandons, so a slow or absent receiver never holds the run open. Every attempt is kept in
// state (the webhookStatus query) and in the memo (read with no worker running).
import { ApplicationFailure, setCurrentDetails, setHandler, sleep, upsertMemo, workflowInfo } from '@temporalio/workflow';
import {
  memoState,
  nextDelayMs,
  resolveRetry,
  WEBHOOK_MEMO_KEY,
  type WebhookActivities,
  type WebhookAttempt,
  type WebhookState,
  type WebhookWorkflowInput,
} from '../domain/webhook-delivery.js';
import { notifyHost } from '../domain/webhook.js';
import { shortActivities } from './activity-stubs.js';
import { readDeliveryFailure } from './webhook-failure.js';
import { webhookStatusQuery } from './webhook-messages.js';

const deliveryStep = () =>
  shortActivities<WebhookActivities>({
    // The activity cuts its own request at 10 s; this bound only covers DNS and a stuck worker.
    startToCloseTimeout: '1 minute',
    // The workflow decides about retries (backoff, never a 4xx), with durable timers between them.
    retry: { maximumAttempts: 1 },
  }).deliverWebhook;

export async function webhook(input: WebhookWorkflowInput): Promise<WebhookState> {
  const retry = resolveRetry(input.retry);
  const state: WebhookState = {
    webhook_id: workflowInfo().workflowId,
    run_id: input.run_id,
    event: input.payload.event,
    url_host: notifyHost(input.notify),
    status: 'delivering',
    attempts_total: 0,
    attempts: [],
    next_attempt_at: null,
  };
  setHandler(webhookStatusQuery, () => state);
  const firstAttemptAt = Date.now();

  for (let attempt = 1; ; attempt++) {
    state.status = 'delivering';
    state.next_attempt_at = null;
    const startedAt = Date.now();
    const at = new Date(startedAt).toISOString();
    try {
      const sent = await deliveryStep()({
        url: input.notify.url,
        headers: input.notify.headers,
        payload: input.payload,
        webhook_id: state.webhook_id,
        attempt,
      });
      record(state, { attempt, at, duration_ms: sent.duration_ms, status: sent.status, error: null, outcome: 'delivered' }, 'delivered');
      return state;
    } catch (err) {
      const failure = readDeliveryFailure(err);
      const delay = failure.retryable ? nextDelayMs(retry, attempt, Date.now() - firstAttemptAt, failure.retry_after_ms) : null;
      const duration = failure.duration_ms ?? Date.now() - startedAt;
      const outcome = delay === null ? 'gave_up' : 'will_retry';
      state.next_attempt_at = delay === null ? null : new Date(Date.now() + delay).toISOString();
      record(state, { attempt, at, duration_ms: duration, status: failure.status, error: failure.message, outcome }, delay === null ? 'gave_up' : 'waiting');
      if (delay === null) throw gaveUp(state, failure.retryable);
      await sleep(delay);
    }
  }
}

function record(state: WebhookState, attempt: WebhookAttempt, status: WebhookState['status']): void {
  state.attempts.push(attempt);
  state.attempts_total = attempt.attempt;
  state.status = status;
  upsertMemo({ [WEBHOOK_MEMO_KEY]: memoState(state) });
  setCurrentDetails(describe(state));
}

function describe(state: WebhookState): string {
  const last = state.attempts.at(-1);
  const head = `**${state.status}** · ${state.event} → ${state.url_host} · attempts: ${state.attempts_total}`;
  const detail = last?.error ? `last error: ${last.error}` : last?.status ? `answered ${last.status}` : '';
  const next = state.next_attempt_at ? `next attempt at ${state.next_attempt_at}` : '';
  return [head, detail, next].filter(Boolean).join('\n');
}

/** Ends the workflow Failed, so the Web UI shows an undelivered notification as such. */
function gaveUp(state: WebhookState, wasRetryable: boolean): ApplicationFailure {
  const last = state.attempts.at(-1);
  const why = wasRetryable ? `no attempt succeeded within the retry window` : 'the failure is not one that a retry can fix';
  return ApplicationFailure.create({
    type: 'BatonWebhookGaveUp',
    message: `notification of ${state.run_id} (${state.event}) to ${state.url_host} was not delivered after ${state.attempts_total} attempt(s): ${why}; last: ${last?.error ?? 'unknown'}`,
    nonRetryable: true,
    details: [memoState(state)],
  });
}
