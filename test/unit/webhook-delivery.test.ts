// One delivery attempt (the deliverWebhook activity, called directly) against a real loopback
// receiver: what is sent, how it is signed, and which failures the workflow may retry.
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverWebhook, type WebhookSettings } from '../../src/activities/webhook.js';
import { WEBHOOK_FAILURE_TYPES, type DeliverWebhookRequest } from '../../src/domain/webhook-delivery.js';
import { webhookPayload } from '../../src/domain/webhook.js';
import { seal, sealRecord } from '../../src/secrets/seal.js';
import { freePort, startReceiver, type Answer, type Receiver } from '../helpers/webhook-receiver.js';

const secretKey = randomBytes(32);
const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
const payload = webhookPayload({ kind: 'run', id: 'run_01UNIT', status: 'completed', output: 'done' });
let receiver: Receiver | null = null;

afterEach(async () => {
  await receiver?.close();
  receiver = null;
});

function settings(over: Partial<WebhookSettings> = {}): () => WebhookSettings {
  return () => ({ signingSecret, allowPrivate: true, timeoutMs: 10_000, ...over });
}

function request(url: string, headers: Record<string, string> = {}): DeliverWebhookRequest {
  return { url, headers: sealRecord(headers, secretKey, 'run_01UNIT', 'notify_headers'), payload, webhook_id: 'run_01UNIT.webhook', attempt: 1 };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

async function answering(answer: Answer): Promise<Receiver> {
  receiver = await startReceiver(() => answer);
  return receiver;
}

describe('deliverWebhook', () => {
  it('POSTs the JSON payload, signed per Standard Webhooks, with the opened notify_headers', async () => {
    const r = await answering({ status: 204 });
    const sent = await deliverWebhook({ secretKey, settings: settings() }, request(r.url, { Authorization: 'Bearer s3cret', 'X-Team': 'blue' }));
    expect(sent.status).toBe(204);
    expect(r.requests).toHaveLength(1);
    const got = r.requests[0];
    expect(got.method).toBe('POST');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe('baton');
    expect(got.headers.authorization).toBe('Bearer s3cret');
    expect(got.headers['x-team']).toBe('blue');
    expect(got.headers['webhook-id']).toBe('run_01UNIT.webhook');
    expect(new Webhook(signingSecret).verify(got.body, got.headers)).toEqual(payload);
  });

  it('sends unsigned JSON when no signing secret is set', async () => {
    const r = await answering({ status: 200 });
    await deliverWebhook({ secretKey, settings: settings({ signingSecret: null }) }, request(r.url));
    expect(r.requests[0].headers['webhook-signature']).toBeUndefined();
    expect(JSON.parse(r.requests[0].body)).toEqual(payload);
  });

  it("a caller's header cannot replace Baton's own", async () => {
    const r = await answering({ status: 200 });
    await deliverWebhook({ secretKey, settings: settings() }, request(r.url, { 'Content-Type': 'text/plain', 'webhook-id': 'forged' }));
    expect(r.requests[0].headers['content-type']).toBe('application/json');
    expect(r.requests[0].headers['webhook-id']).toBe('run_01UNIT.webhook');
  });

  it.each([500, 503, 408, 429])('%i is retryable, with the status in the details', async (status) => {
    const r = await answering({ status, headers: status === 429 ? { 'retry-after': '7' } : {} });
    const failure = await failureOf(deliverWebhook({ secretKey, settings: settings() }, request(r.url)));
    expect(failure.type).toBe(WEBHOOK_FAILURE_TYPES.retryable);
    expect(failure.message).toContain(`answered ${status}`);
    expect(failure.details?.[0]).toMatchObject({ status, retry_after_ms: status === 429 ? 7000 : null });
  });

  it.each([400, 401, 404, 410])('%i is rejected: not retried', async (status) => {
    const r = await answering({ status });
    const failure = await failureOf(deliverWebhook({ secretKey, settings: settings() }, request(r.url)));
    expect(failure.type).toBe(WEBHOOK_FAILURE_TYPES.rejected);
    expect(failure.message).toContain('is not retried');
  });

  it('does not follow a redirect, and says so', async () => {
    const r = await answering({ status: 302, headers: { location: 'http://169.254.169.254/latest' } });
    const failure = await failureOf(deliverWebhook({ secretKey, settings: settings() }, request(r.url)));
    expect(failure.type).toBe(WEBHOOK_FAILURE_TYPES.rejected);
    expect(failure.message).toContain('does not follow redirects');
    expect(failure.message).toContain('169.254.169.254');
    expect(r.requests).toHaveLength(1);
  });

  it('refuses a loopback receiver unless private receivers are allowed, and never connects', async () => {
    const r = await answering({ status: 200 });
    const byIp = await failureOf(deliverWebhook({ secretKey, settings: settings({ allowPrivate: false }) }, request(r.url)));
    expect(byIp.type).toBe(WEBHOOK_FAILURE_TYPES.refused);
    const byName = await failureOf(deliverWebhook({ secretKey, settings: settings({ allowPrivate: false }) }, request(r.url.replace('127.0.0.1', 'localhost'))));
    expect(byName.type).toBe(WEBHOOK_FAILURE_TYPES.refused);
    expect(byName.message).toMatch(/localhost \(.+\) is a loopback address/);
    expect(r.requests).toHaveLength(0);
  });

  it('a receiver that is down is retryable, and says the connection was refused', async () => {
    const failure = await failureOf(deliverWebhook({ secretKey, settings: settings() }, request(`http://127.0.0.1:${await freePort()}/x`)));
    expect(failure.type).toBe(WEBHOOK_FAILURE_TYPES.retryable);
    expect(failure.message).toContain('connection refused');
  });

  it('an attempt that takes longer than the timeout fails retryable', async () => {
    const r = await answering({ status: 200, delayMs: 2000 });
    const failure = await failureOf(deliverWebhook({ secretKey, settings: settings({ timeoutMs: 300 }) }, request(r.url)));
    expect(failure.type).toBe(WEBHOOK_FAILURE_TYPES.retryable);
    expect(failure.message).toContain('no answer within 0.3 s');
  });

  it('headers sealed with another key fail retryable (a worker to fix), never leaking them', async () => {
    const r = await answering({ status: 200 });
    const req = { ...request(r.url), headers: { Authorization: seal('Bearer s3cret', randomBytes(32), { scope: 'run_01UNIT', field: 'notify_headers.Authorization' }) } };
    const failure = await failureOf(deliverWebhook({ secretKey, settings: settings() }, req));
    expect(failure.type).toBe(WEBHOOK_FAILURE_TYPES.retryable);
    expect(failure.message).toContain('BATON_SECRET_KEY');
    expect(JSON.stringify(failure)).not.toContain('s3cret');
    expect(r.requests).toHaveLength(0);
  });
});
