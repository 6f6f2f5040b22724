// A closed run's notification attempts, as its webhook_sent / webhook_failed events. The run has
// closed before its webhook is delivered, so its own event log cannot grow: the attempts come
// from the webhook workflow's memo (no worker needed) and continue the run's seq without gaps,
// attempt n being event last_seq + n.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RunEventsPage } from '../domain/run-ledger.js';
import type { RunEvent } from '../domain/run-view.js';
import { WEBHOOK_MEMO_KEY, webhookWorkflowId, type WebhookState } from '../domain/webhook-delivery.js';

export async function withWebhookEvents(client: Client, runId: string, page: RunEventsPage, afterSeq: number, limit: number): Promise<RunEventsPage> {
  const state = await webhookStateOf(client, runId);
  return state ? mergeWebhookEvents(page, state, afterSeq, limit) : page;
}

/** The page with the attempts after its run events; last_seq counts every attempt. */
export function mergeWebhookEvents(page: RunEventsPage, state: WebhookState, afterSeq: number, limit: number): RunEventsPage {
  if (state.attempts_total === 0) return page;
  const runLastSeq = page.last_seq;
  const lastSeq = runLastSeq + state.attempts_total;
  // A page that the limit cut before the run's last event: the attempts come in a later page.
  if (page.events.length >= limit) return { ...page, last_seq: lastSeq };
  const attempts = webhookEvents(state, runLastSeq).filter((e) => e.seq > afterSeq);
  const oldestHeld = attempts[0]?.seq ?? lastSeq + 1;
  // The memo keeps the newest attempts only: older ones after the cursor are missed.
  const missed = Math.max(0, oldestHeld - Math.max(afterSeq, runLastSeq) - 1);
  return {
    ...page,
    events: [...page.events, ...attempts.slice(0, limit - page.events.length)],
    last_seq: lastSeq,
    missed: page.missed + missed,
  };
}

export function webhookEvents(state: WebhookState, runLastSeq: number): RunEvent[] {
  return state.attempts.map((a) => {
    const ts = new Date(Date.parse(a.at) + a.duration_ms).toISOString();
    const common = { attempt: a.attempt, status: a.status, url_host: state.url_host, duration_ms: a.duration_ms };
    return a.outcome === 'delivered'
      ? { seq: runLastSeq + a.attempt, ts, type: 'webhook_sent', data: common }
      : { seq: runLastSeq + a.attempt, ts, type: 'webhook_failed', data: { ...common, error: a.error, will_retry: a.outcome === 'will_retry' } };
  });
}

async function webhookStateOf(client: Client, runId: string): Promise<WebhookState | null> {
  try {
    const description = await client.workflow.getHandle(webhookWorkflowId(runId)).describe();
    const state = description.memo?.[WEBHOOK_MEMO_KEY];
    return state && typeof state === 'object' ? (state as WebhookState) : null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
