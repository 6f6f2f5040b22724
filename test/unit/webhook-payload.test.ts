// The notification's body (README.md, "Notifications (webhooks)") and its retry schedule: pure functions, no server.
import { describe, expect, it } from 'vitest';
import type { RunResult, RunView } from '../../src/domain/run-view.js';
import { cutHead } from '../../src/domain/text.js';
import { backoffMs, DEFAULT_WEBHOOK_RETRY, nextDelayMs, memoState, WEBHOOK_MEMO_ATTEMPTS, type WebhookState } from '../../src/domain/webhook-delivery.js';
import { resultPreview, runWebhookPayload, urlHost, webhookPayload } from '../../src/domain/webhook.js';

const view: Pick<RunView, 'run_id' | 'channel' | 'role' | 'backend' | 'parent'> = {
  run_id: 'run_01TEST',
  channel: 'docs',
  role: 'worker',
  backend: 'claude_code',
  parent: 'pipe_01PARENT',
};

function result(over: Partial<RunResult> = {}): RunResult {
  return {
    status: 'completed',
    output: 'all done',
    output_truncated: false,
    session_id: 'sess-1',
    usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    cost_usd: 0.0123,
    session_cost_usd: 0.0123,
    num_turns: 2,
    exit_code: 0,
    error: null,
    started_at: '2025-01-01T00:00:00.000Z',
    finished_at: '2025-01-01T00:01:00.000Z',
    elapsed_ms: 60_000,
    transcript: null,
    ...over,
  };
}

describe('the webhook payload', () => {
  it('carries every field of a finished run, with job_id equal to run_id', () => {
    expect(runWebhookPayload(view, result())).toEqual({
      event: 'run.completed',
      run_id: 'run_01TEST',
      job_id: 'run_01TEST',
      channel: 'docs',
      status: 'completed',
      ok: true,
      started_at: '2025-01-01T00:00:00.000Z',
      finished_at: '2025-01-01T00:01:00.000Z',
      result_preview: 'all done',
      error: null,
      role: 'worker',
      backend: 'claude_code',
      session_id: 'sess-1',
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      cost_usd: 0.0123,
      parent: 'pipe_01PARENT',
    });
  });

  it.each(['failed', 'cancelled', 'timed_out', 'rejected'] as const)('a %s run is event run.%s and not ok, with its error', (status) => {
    const payload = runWebhookPayload(view, result({ status, error: `it ${status}` }));
    expect(payload.event).toBe(`run.${status}`);
    expect(payload.ok).toBe(false);
    expect(payload.error).toBe(`it ${status}`);
  });

  it('a pipeline names its event pipeline.<status> and leaves out what it does not have', () => {
    const payload = webhookPayload({ kind: 'pipeline', id: 'pipe_01X', status: 'completed', output: 'approved' });
    expect(payload).toMatchObject({ event: 'pipeline.completed', run_id: 'pipe_01X', job_id: 'pipe_01X', ok: true, result_preview: 'approved' });
    expect(payload.backend).toBeNull();
    expect(payload.usage).toBeNull();
  });
});

describe('result_preview', () => {
  it('keeps an output of up to 4096 characters whole', () => {
    const text = 'x'.repeat(4096);
    expect(resultPreview(text)).toBe(text);
  });

  it('cuts a longer output at 4096 characters, then says how long the original was', () => {
    const text = 'a'.repeat(4096) + 'b'.repeat(904);
    expect(resultPreview(text)).toBe(`${'a'.repeat(4096)}…[truncated, original 5000 chars]`);
  });

  it('an output the RunResult already cut keeps the original length its marker states', () => {
    const original = 'c'.repeat(100_000);
    const cut = cutHead(original, 24_000);
    const preview = runWebhookPayload(view, result({ output: cut, output_truncated: true })).result_preview!;
    expect(preview).toBe(`${'c'.repeat(4096)}…[truncated, original 100000 chars]`);
  });
});

describe('urlHost', () => {
  it('shows host and port only: never credentials, path or query', () => {
    expect(urlHost('https://user:secret@hooks.example.com:8443/T000/B000/XXXX?token=abc')).toBe('hooks.example.com:8443');
    expect(urlHost('http://[::1]:9000/x')).toBe('[::1]:9000');
  });
});

describe('the retry schedule', () => {
  it('starts at 1 s, doubles, and never waits more than 5 minutes', () => {
    const waits = Array.from({ length: 12 }, (_, i) => backoffMs(DEFAULT_WEBHOOK_RETRY, i + 1));
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1000));
  });

  it('keeps trying for 24 hours (a receiver down for an hour still gets the call), then gives up', () => {
    expect(DEFAULT_WEBHOOK_RETRY.give_up_after_ms).toBeGreaterThanOrEqual(3600_000);
    let elapsed = 0;
    let failures = 0;
    for (;;) {
      failures += 1;
      const wait = nextDelayMs(DEFAULT_WEBHOOK_RETRY, failures, elapsed);
      if (wait === null) break;
      elapsed += wait;
    }
    expect(elapsed).toBe(DEFAULT_WEBHOOK_RETRY.give_up_after_ms);
    expect(failures).toBeGreaterThan(280);
    expect(failures).toBeLessThan(300);
  });

  it('the last attempt lands at the deadline, and a Retry-After is honoured up to the cap', () => {
    const policy = { initial_ms: 1000, max_ms: 10_000, give_up_after_ms: 30_000 };
    expect(nextDelayMs(policy, 5, 25_000)).toBe(5_000);
    expect(nextDelayMs(policy, 5, 30_000)).toBeNull();
    expect(nextDelayMs(policy, 1, 0, 7_000)).toBe(7_000);
    expect(nextDelayMs(policy, 1, 0, 3600_000)).toBe(10_000);
  });

  it('the memo keeps only the newest attempts, with the total count', () => {
    const attempts = Array.from({ length: 50 }, (_, i) => ({ attempt: i + 1, at: '', duration_ms: 1, status: 503, error: 'down', outcome: 'will_retry' as const }));
    const state: WebhookState = { webhook_id: 'w', run_id: 'r', event: 'run.completed', url_host: 'h', status: 'waiting', attempts_total: 50, attempts, next_attempt_at: null };
    const memo = memoState(state);
    expect(memo.attempts).toHaveLength(WEBHOOK_MEMO_ATTEMPTS);
    expect(memo.attempts[0].attempt).toBe(50 - WEBHOOK_MEMO_ATTEMPTS + 1);
    expect(memo.attempts_total).toBe(50);
  });
});
