// How a closed run's notification attempts join its events (poll_events): after the run's last
// event, seq continuing without gaps, pages and cursors respected.
import { describe, expect, it } from 'vitest';
import { mergeWebhookEvents } from '../../src/client/webhook-events.js';
import type { RunEventsPage } from '../../src/domain/run-ledger.js';
import type { RunEvent } from '../../src/domain/run-view.js';
import type { WebhookAttempt, WebhookState } from '../../src/domain/webhook-delivery.js';

const runEvents: RunEvent[] = Array.from({ length: 5 }, (_, i) => ({ seq: i + 1, ts: '2025-01-01T00:00:00.000Z', type: 'agent_message', data: { text: `m${i + 1}` } }));

function page(afterSeq: number, limit: number): RunEventsPage {
  return { events: runEvents.filter((e) => e.seq > afterSeq).slice(0, limit), last_seq: 5, missed: 0, status: 'completed' };
}

function attempt(n: number, outcome: WebhookAttempt['outcome']): WebhookAttempt {
  return {
    attempt: n,
    at: '2025-01-01T00:01:00.000Z',
    duration_ms: 20,
    status: outcome === 'delivered' ? 200 : 503,
    error: outcome === 'delivered' ? null : 'answered 503',
    outcome,
  };
}

function state(attempts: WebhookAttempt[], total = attempts.length): WebhookState {
  return {
    webhook_id: 'r.webhook',
    run_id: 'r',
    event: 'run.completed',
    url_host: 'hooks.example.com',
    status: 'delivered',
    attempts_total: total,
    attempts,
    next_attempt_at: null,
  };
}

describe('mergeWebhookEvents', () => {
  it("appends each attempt after the run's last event: webhook_failed, then webhook_sent", () => {
    const merged = mergeWebhookEvents(page(0, 100), state([attempt(1, 'will_retry'), attempt(2, 'delivered')]), 0, 100);
    expect(merged.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(merged.events.slice(-2)).toEqual([
      {
        seq: 6,
        ts: '2025-01-01T00:01:00.020Z',
        type: 'webhook_failed',
        data: { attempt: 1, status: 503, url_host: 'hooks.example.com', duration_ms: 20, error: 'answered 503', will_retry: true },
      },
      { seq: 7, ts: '2025-01-01T00:01:00.020Z', type: 'webhook_sent', data: { attempt: 2, status: 200, url_host: 'hooks.example.com', duration_ms: 20 } },
    ]);
    expect(merged.last_seq).toBe(7);
  });

  it("a page the limit cut before the run's end gets no attempts, but last_seq counts them", () => {
    const merged = mergeWebhookEvents(page(0, 3), state([attempt(1, 'delivered')]), 0, 3);
    expect(merged.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(merged.last_seq).toBe(6);
  });

  it('fills the rest of a page and continues from a cursor inside the attempts', () => {
    const s = state([attempt(1, 'will_retry'), attempt(2, 'will_retry'), attempt(3, 'delivered')]);
    expect(mergeWebhookEvents(page(3, 4), s, 3, 4).events.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
    expect(mergeWebhookEvents(page(7, 10), s, 7, 10).events.map((e) => e.seq)).toEqual([8]);
  });

  it('attempts the memo no longer holds are counted as missed', () => {
    const merged = mergeWebhookEvents(page(5, 10), state([attempt(29, 'will_retry'), attempt(30, 'delivered')], 30), 5, 10);
    expect(merged.events.map((e) => e.seq)).toEqual([34, 35]);
    expect(merged.missed).toBe(28);
    expect(merged.last_seq).toBe(35);
  });

  it('a notification not yet attempted adds nothing', () => {
    expect(mergeWebhookEvents(page(0, 10), state([]), 0, 10)).toEqual(page(0, 10));
  });
});
