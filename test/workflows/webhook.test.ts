// Notifications end to end: real runs on the real dev server, an in-process worker, and a real
// HTTP receiver on loopback that checks signatures with the standardwebhooks package.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsClient } from '../../src/client/runs.js';
import { spawnRunInputSchema } from '../../src/domain/spawn-input.js';
import { deliverWebhook } from '../../src/activities/webhook.js';
import { WEBHOOK_MEMO_KEY, webhookWorkflowId, type DeliverWebhookRequest, type WebhookState, type WebhookWorkflowInput } from '../../src/domain/webhook-delivery.js';
import { webhookPayload, type WebhookPayload } from '../../src/domain/webhook.js';
import { sealRecord } from '../../src/secrets/seal.js';
import type { BatonWorker } from '../../src/temporal/worker.js';
import { shortQueue } from '../../src/workflows/names.js';
import { webhookStatusQuery } from '../../src/workflows/webhook-messages.js';
import { fakeAgent, makeTestEnv, ROOT, type TestEnv } from '../helpers/env.js';
import { historyText, inProcessWorker, runsClient, secretKeyOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { freePort, startReceiver, type Answer, type Receiver } from '../helpers/webhook-receiver.js';

const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
const savedEnv = { secret: process.env.BATON_WEBHOOK_SECRET, allow: process.env.BATON_ALLOW_PRIVATE_WEBHOOKS };
let env: TestEnv;
let client: Client;
let runs: RunsClient;
let worker: BatonWorker;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // The in-process worker reads these at each attempt: sign, and allow the loopback receiver.
  process.env.BATON_WEBHOOK_SECRET = signingSecret;
  process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = '1';
  env = await makeTestEnv();
  client = await temporalClient(env);
  runs = await runsClient(env, client);
  worker = await inProcessWorker(env, client);
});

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await worker?.shutdown();
  await client?.connection.close();
  await env?.cleanup();
  restore('BATON_WEBHOOK_SECRET', savedEnv.secret);
  restore('BATON_ALLOW_PRIVATE_WEBHOOKS', savedEnv.allow);
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

async function receiver(answer?: (n: number) => Answer, port?: number): Promise<Receiver> {
  const r = await startReceiver(answer, port);
  receivers.push(r);
  return r;
}

function spawnNotifying(url: string, flags: string[], notify: Record<string, unknown> = {}) {
  return runs.spawn(spawnRunInputSchema.parse({ prompt: 'notify me', backend: 'command', cwd: env.workDir, backend_config: fakeAgent(...flags), notify_url: url, ...notify }));
}

function verified(r: Receiver, n = 0): WebhookPayload {
  const request = r.requests[n];
  return new Webhook(signingSecret).verify(request.body, request.headers) as WebhookPayload;
}

async function webhookClosed(runId: string): Promise<{ status: string; state: WebhookState }> {
  const handle = client.workflow.getHandle(webhookWorkflowId(runId));
  return waitFor(
    async () => {
      const d = await handle.describe().catch(() => null);
      if (!d || d.status.name === 'RUNNING') return null;
      return { status: d.status.name, state: d.memo?.[WEBHOOK_MEMO_KEY] as WebhookState };
    },
    { what: `${runId}.webhook to close`, timeoutMs: 30_000 },
  );
}

async function eventTypes(runId: string) {
  const page = await runs.events(runId, 0, 1000);
  expect(page.events.map((e) => e.seq)).toEqual(page.events.map((_, i) => i + 1));
  expect(page.last_seq).toBe(page.events.length);
  return page.events;
}

describe('a run with notify_url', () => {
  it('delivers once when it completes: the payload, signed, with notify_headers that never enter history', async () => {
    const r = await receiver();
    const token = `token-${randomBytes(6).toString('hex')}`;
    const { run_id } = await spawnNotifying(r.url, ['--lines', '2'], { notify_on: ['done'], notify_headers: { Authorization: `Bearer ${token}` } });
    await waitFor(() => r.requests.length === 1, { what: 'the notification' });
    const payload = verified(r);
    expect(payload).toMatchObject({ event: 'run.completed', run_id, job_id: run_id, status: 'completed', ok: true, backend: 'command', role: 'worker', error: null });
    expect(payload.result_preview).toContain('line 2');
    expect(payload.finished_at).toEqual(expect.any(String));
    expect(r.requests[0].headers.authorization).toBe(`Bearer ${token}`);
    expect(r.requests[0].headers['webhook-id']).toBe(webhookWorkflowId(run_id));

    const closed = await webhookClosed(run_id);
    expect(closed.status).toBe('COMPLETED');
    expect(closed.state).toMatchObject({ status: 'delivered', attempts_total: 1 });
    const description = await client.workflow.getHandle(webhookWorkflowId(run_id)).describe();
    expect(description.searchAttributes.BatonKind).toEqual(['webhook']);
    expect(description.searchAttributes.BatonParent).toEqual([run_id]);
    for (const id of [run_id, webhookWorkflowId(run_id)]) {
      const history = await historyText(client, id);
      expect(history).not.toContain(token);
      expect(history).toContain('baton-sealed:v2:');
    }
    const events = await eventTypes(run_id);
    expect(events.at(-1)).toMatchObject({ type: 'webhook_sent', data: { attempt: 1, status: 200, url_host: `127.0.0.1:${r.port}` } });
    expect(JSON.stringify(events)).not.toContain(token);
    expect(r.requests).toHaveLength(1);
  });

  it('a 500 then a 200: two attempts with the same webhook-id, shown as webhook_failed then webhook_sent', async () => {
    const r = await receiver((n) => ({ status: n === 1 ? 500 : 200 }));
    const { run_id } = await spawnNotifying(r.url, []);
    await webhookClosed(run_id);
    expect(r.requests).toHaveLength(2);
    expect(r.requests[0].headers['webhook-id']).toBe(r.requests[1].headers['webhook-id']);
    expect(verified(r, 1)).toEqual(verified(r, 0));
    const events = await eventTypes(run_id);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['webhook_failed', 'webhook_sent']);
    expect(events.at(-2)!.data).toMatchObject({ attempt: 1, status: 500, will_retry: true });
    // A reader after the cursor gets the attempts only.
    const after = await runs.events(run_id, events.at(-3)!.seq, 10);
    expect(after.events.map((e) => e.type)).toEqual(['webhook_failed', 'webhook_sent']);
  });

  it('a 400 is not retried', async () => {
    const r = await receiver(() => ({ status: 400 }));
    const { run_id } = await spawnNotifying(r.url, []);
    const closed = await webhookClosed(run_id);
    expect(closed.status).toBe('FAILED');
    expect(closed.state).toMatchObject({ status: 'gave_up', attempts_total: 1 });
    expect(closed.state.attempts[0]).toMatchObject({ status: 400, outcome: 'gave_up' });
    expect(r.requests).toHaveLength(1);
    const events = await eventTypes(run_id);
    expect(events.at(-1)).toMatchObject({ type: 'webhook_failed', data: { status: 400, will_retry: false } });
  });

  it('a slow receiver never holds the run open', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 5000 }));
    const { run_id } = await spawnNotifying(r.url, []);
    await waitFor(() => r.requests.length === 1, { what: 'the notification to arrive' });
    // The receiver answers 5 s after the request arrived; the run closes well before that.
    await waitFor(async () => (await client.workflow.getHandle(run_id).describe()).status.name === 'COMPLETED', { what: 'the run to close', timeoutMs: 3000 });
    const live = await client.workflow.getHandle(webhookWorkflowId(run_id)).query(webhookStatusQuery);
    expect(live).toMatchObject({ status: 'delivering', attempts_total: 0 });
    const closed = await webhookClosed(run_id);
    expect(closed.state.attempts[0].duration_ms).toBeGreaterThanOrEqual(4500);
  });

  it('a cancelled run notifies when notify_on has cancelled', async () => {
    const r = await receiver();
    const { run_id } = await spawnNotifying(r.url, ['--sleep-ms', '60000'], { notify_on: ['cancelled'] });
    await waitFor(async () => (await runs.get(run_id)).status === 'running', { what: 'the run to start' });
    await runs.cancel(run_id, 'no longer needed', 20_000);
    await waitFor(() => r.requests.length === 1, { what: 'the notification' });
    expect(verified(r)).toMatchObject({ event: 'run.cancelled', status: 'cancelled', ok: false, error: 'no longer needed' });
  });

  it('does not notify an ending that notify_on leaves out', async () => {
    const r = await receiver();
    const { run_id } = await spawnNotifying(r.url, ['--exit-code', '3'], { notify_on: ['done', 'cancelled'] });
    await runs.wait(run_id, { maxWaitMs: 20_000 });
    const described = await client.workflow
      .getHandle(webhookWorkflowId(run_id))
      .describe()
      .catch(() => null);
    expect(described).toBeNull();
    expect(r.requests).toHaveLength(0);
  });

  it('refuses a loopback receiver when private receivers are not allowed, and does not retry', async () => {
    const r = await receiver();
    process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = '0';
    try {
      const { run_id } = await spawnNotifying(r.url, []);
      const closed = await webhookClosed(run_id);
      expect(closed.status).toBe('FAILED');
      expect(closed.state.attempts_total).toBe(1);
      expect(closed.state.attempts[0].error).toContain('is a loopback address');
    } finally {
      process.env.BATON_ALLOW_PRIVATE_WEBHOOKS = '1';
    }
    expect(r.requests).toHaveLength(0);
  });
});

describe('the webhook workflow', () => {
  // These drive the retry schedule, which a real run leaves at hours, so they start the workflow
  // straight, with a short one. Baton's worker sends nothing for a webhook started that way (a
  // raw start is no run's child: test/chaos/forged-webhook.test.ts), so they get a task queue of
  // their own, whose worker runs the same workflow and sends each attempt without that check.
  const queue = `webhook-retries-${randomBytes(4).toString('hex')}`;
  let connection: NativeConnection;
  let workers: Worker[] = [];
  let running: Promise<unknown>;

  beforeAll(async () => {
    connection = await NativeConnection.connect({ address: env.address });
    const secretKey = await secretKeyOf(env);
    const common = { connection, namespace: 'default', shutdownGraceTime: '1 second' } as const;
    workers = await Promise.all([
      Worker.create({ ...common, taskQueue: queue, workflowBundle: { codePath: path.join(ROOT, 'dist', 'workflow-bundle.js') } }),
      Worker.create({ ...common, taskQueue: shortQueue(queue), activities: { deliverWebhook: (request: DeliverWebhookRequest) => deliverWebhook({ secretKey }, request) } }),
    ]);
    running = Promise.all(workers.map((w) => w.run()));
  });

  afterAll(async () => {
    for (const w of workers) w.shutdown();
    await running;
    await connection?.close();
  });

  async function startWebhook(id: string, url: string, retry: WebhookWorkflowInput['retry']) {
    const input: WebhookWorkflowInput = {
      run_id: id,
      payload: webhookPayload({ kind: 'run', id, status: 'completed', output: 'ok' }),
      notify: { url, on: ['done'], headers: sealRecord({ 'X-Token': 'abc' }, await secretKeyOf(env), id, 'notify_headers') },
      retry,
    };
    return client.workflow.start('webhook', { workflowId: webhookWorkflowId(id), taskQueue: queue, args: [input] });
  }

  it('delivers to a receiver that is down for a while and then comes up', async () => {
    const port = await freePort();
    const id = `run_down_${randomBytes(4).toString('hex')}`;
    const handle = await startWebhook(id, `http://127.0.0.1:${port}/hook`, { initial_ms: 200, max_ms: 1000, give_up_after_ms: 60_000 });
    await waitFor(async () => (await handle.query(webhookStatusQuery)).attempts_total >= 3, { what: 'three failed attempts' });
    const r = await receiver(undefined, port);
    const result = (await handle.result()) as WebhookState;
    expect(result.status).toBe('delivered');
    expect(r.requests).toHaveLength(1);
    expect(result.attempts.slice(0, -1).every((a) => a.outcome === 'will_retry' && a.error?.includes('connection refused'))).toBe(true);
    expect(result.attempts.at(-1)).toMatchObject({ outcome: 'delivered', status: 200 });
  });

  it('gives up once its retry window has passed, ending Failed with every attempt in its memo', async () => {
    const r = await receiver(() => ({ status: 503 }));
    const id = `run_gone_${randomBytes(4).toString('hex')}`;
    const handle = await startWebhook(id, r.url, { initial_ms: 100, max_ms: 400, give_up_after_ms: 1500 });
    await expect(handle.result()).rejects.toThrow();
    const closed = await webhookClosed(id);
    expect(closed.status).toBe('FAILED');
    expect(closed.state.status).toBe('gave_up');
    expect(closed.state.attempts_total).toBe(r.requests.length);
    expect(closed.state.attempts_total).toBeGreaterThanOrEqual(3);
    expect(closed.state.attempts.at(-1)).toMatchObject({ outcome: 'gave_up', status: 503 });
  });
});
