// Sealed values are not a confused deputy. A secret Baton sealed for one run is bound to that run
// and field: copied from that run's history into another run's notify_headers or backend_config,
// it is refused (naming the field), nothing starts, and no receiver ever gets its plaintext. A
// value that reaches a webhook workflow sealed for another run does not open. A value sealed by
// Baton 0.1.0 (no binding) still opens for the run that carries it: work in flight survives the
// upgrade.
import { createCipheriv, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client as TemporalClient } from '@temporalio/client';
import { argumentsHash } from '../../src/client/run-ids.js';
import { ARGS_HASH_MEMO_KEY } from '../../src/domain/memo.js';
import { spawnRunInputSchema } from '../../src/domain/spawn-input.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookWorkflowId, type WebhookState, type WebhookWorkflowInput } from '../../src/domain/webhook-delivery.js';
import { webhookPayload } from '../../src/domain/webhook.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { historyText, secretKeyOf, temporalClient, workflowsOf } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

const SECRET = `canary-${randomBytes(16).toString('hex')}`;
let env: TestEnv;
let mcp: McpSession;
let temporal: TemporalClient;
let receiver: Receiver;

beforeAll(async () => {
  env = await makeTestEnv({ BATON_ALLOW_PRIVATE_WEBHOOKS: '1' });
  [mcp, temporal, receiver] = await Promise.all([connectStdio(env), temporalClient(env), startReceiver()]);
});

afterAll(async () => {
  await mcp?.close();
  await receiver?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

/** A quick command run that notifies as `notify` says. */
function spawnNotifying(notify: Record<string, unknown>): Promise<{ run_id: string }> {
  return callOk<{ run_id: string }>(mcp.client, 'spawn_run', { prompt: 'notify', backend: 'command', cwd: env.workDir, backend_config: fakeAgent('--lines', '1'), ...notify });
}

/** A run that notifies with SECRET in a header; returns the header as its history holds it. */
async function sealedHeaderOfARun(): Promise<{ runId: string; sealed: string }> {
  const seen = receiver.requests.length;
  const { run_id } = await spawnNotifying({ notify_url: receiver.url, notify_headers: { 'X-Token': SECRET } });
  await waitFor(() => receiver.requests.slice(seen).some((r) => r.headers['x-token'] === SECRET), { what: `the notification of ${run_id}` });
  const sealed = /baton-sealed:v\d+:[A-Za-z0-9_-]+/.exec(await historyText(temporal, run_id))?.[0];
  expect(sealed, `a sealed value in the history of ${run_id}`).toBeDefined();
  return { runId: run_id, sealed: sealed! };
}

/**
 * The webhook workflow, started as a run's end would start it, with these sealed headers, on the
 * task queue of `on`. Started straight, so only as work begun before this release's first worker
 * ran: a worker sends nothing for a webhook no run started after that (forged-webhook.test.ts).
 */
async function webhookFor(on: TestEnv, runId: string, headers: Record<string, string>): Promise<WebhookState | Error> {
  const input: WebhookWorkflowInput = {
    run_id: runId,
    payload: webhookPayload({ kind: 'run', id: runId, status: 'completed', output: 'ok' }),
    notify: { url: receiver.url, on: ['done'], headers },
    retry: { initial_ms: 100, max_ms: 200, give_up_after_ms: 1000 },
  };
  const handle = await temporal.workflow.start('webhook', { workflowId: webhookWorkflowId(runId), taskQueue: on.config.taskQueue, args: [input] });
  return (handle.result() as Promise<WebhookState>).catch((err: Error) => err);
}

describe('sealed values', () => {
  it('a sealed header copied from one run into another run is refused, naming the field, and never opened', async () => {
    const { sealed } = await sealedHeaderOfARun();
    const before = (await workflowsOf(env, temporal)).length;
    const requestsBefore = receiver.requests.length;
    const base = { prompt: 'steal', cwd: env.workDir };

    const refusals = [
      [
        await callError(mcp.client, 'spawn_run', {
          ...base,
          backend: 'command',
          backend_config: fakeAgent('--lines', '1'),
          notify_url: receiver.url,
          notify_headers: { 'X-Token': sealed },
        }),
        'notify_headers.X-Token',
      ],
      [
        await callError(mcp.client, 'spawn_run', { ...base, backend: 'remote_a2a', backend_config: { agent_url: receiver.url, headers: { 'X-Api-Key': sealed } } }),
        'backend_config.headers.X-Api-Key',
      ],
      [
        await callError(mcp.client, 'spawn_run', { ...base, backend: 'remote_a2a', backend_config: { agent_url: receiver.url, bearer_token: sealed } }),
        'backend_config.bearer_token',
      ],
      [
        await callError(mcp.client, 'schedule_run', {
          ...base,
          backend: 'command',
          backend_config: fakeAgent('--lines', '1'),
          interval_seconds: 3600,
          notify_url: receiver.url,
          notify_headers: { 'X-Token': sealed },
        }),
        'notify_headers.X-Token',
      ],
    ];
    for (const [message, field] of refusals) {
      expect(message).toContain(field);
      expect(message).toMatch(/sealed format.*send the plain value/);
    }
    // Nothing started, and the receiver never got the secret again.
    expect((await workflowsOf(env, temporal)).length).toBe(before);
    expect(receiver.requests.length).toBe(requestsBefore);
  });

  it('a header value with a newline is refused, naming the field, and the value is never echoed', async () => {
    const value = `abc\r\nX-Injected: ${SECRET}`;
    const base = { prompt: 'inject', cwd: env.workDir };
    const before = (await workflowsOf(env, temporal)).length;
    const refusals = [
      [
        await callError(mcp.client, 'spawn_run', { ...base, backend: 'remote_a2a', backend_config: { agent_url: receiver.url, headers: { 'X-Api-Key': value } } }),
        'backend_config.headers.X-Api-Key',
      ],
      [
        await callError(mcp.client, 'spawn_run', { ...base, backend: 'remote_a2a', backend_config: { agent_url: receiver.url, bearer_token: value } }),
        'backend_config.bearer_token',
      ],
      [
        await callError(mcp.client, 'spawn_run', {
          ...base,
          backend: 'command',
          backend_config: fakeAgent('--lines', '1'),
          notify_url: receiver.url,
          notify_headers: { 'X-Token': value },
        }),
        'notify_headers.X-Token',
      ],
    ];
    for (const [message, field] of refusals) {
      expect(message).toContain(field);
      expect(message).toContain('control characters');
      expect(message).not.toContain(SECRET);
    }
    expect((await workflowsOf(env, temporal)).length).toBe(before);
  });

  it('list_runs cursors Baton signed page on; with other filters they are refused', async () => {
    await sealedHeaderOfARun();
    const first = await callOk<{ runs: { run_id: string }[]; next_cursor: string | null }>(mcp.client, 'list_runs', { backend: 'command', limit: 1 });
    expect(first.next_cursor).not.toBeNull();
    const second = await callOk<{ runs: { run_id: string }[] }>(mcp.client, 'list_runs', { backend: 'command', limit: 1, cursor: first.next_cursor });
    expect(second.runs).toHaveLength(1);
    expect(second.runs[0].run_id).not.toBe(first.runs[0].run_id);
    expect(await callError(mcp.client, 'list_runs', { backend: 'codex', limit: 1, cursor: first.next_cursor })).toMatch(/cursor belongs to a list_runs call with other filters/);
  });

  it('the memo holds a keyed HMAC of the arguments, not a hash anyone can recompute to test a guessed secret', async () => {
    const args = {
      prompt: 'idempotent',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', '1'),
      notify_url: receiver.url,
      notify_headers: { 'X-Token': SECRET },
      idempotency_key: `memo-${randomBytes(4).toString('hex')}`,
    };
    const first = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', args);
    const memo = (await temporal.workflow.getHandle(first.run_id).describe()).memo ?? {};
    const { idempotency_key: _key, ...rest } = spawnRunInputSchema.parse(args);
    expect(memo[ARGS_HASH_MEMO_KEY]).toBe(argumentsHash(rest, await secretKeyOf(env)).value);
    expect(memo[ARGS_HASH_MEMO_KEY]).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(memo[ARGS_HASH_MEMO_KEY]).not.toBe(argumentsHash(rest, randomBytes(32)).value);
    // Idempotency still holds: the same call gets the same run; other arguments are refused.
    expect((await callOk<{ run_id: string }>(mcp.client, 'spawn_run', args)).run_id).toBe(first.run_id);
    expect(await callError(mcp.client, 'spawn_run', { ...args, notify_headers: { 'X-Token': 'a guess' } })).toMatch(/already used .* with different arguments/);
  });

  it("a token in notify_url's path reaches the receiver but stays out of history, which shows only the host", async () => {
    const token = `path-${randomBytes(12).toString('hex')}`;
    const seen = receiver.requests.length;
    const { run_id } = await spawnNotifying({ notify_url: `${receiver.url}/${token}?key=${token}` });
    await waitFor(() => receiver.requests.slice(seen).some((r) => r.path.includes(token)), { what: `the notification of ${run_id}` });
    const webhook = await temporal.workflow.getHandle(webhookWorkflowId(run_id)).describe();
    expect(JSON.stringify(webhook.memo)).toContain(`127.0.0.1:${receiver.port}`);
    for (const id of [run_id, webhookWorkflowId(run_id)]) {
      const history = await historyText(temporal, id);
      expect(history.includes(token), `the token in the history of ${id}`).toBe(false);
      expect(history).toContain(`127.0.0.1:${receiver.port}`);
    }
  });

  it('a run a schedule starts opens the secrets sealed for its schedule', async () => {
    const seen = receiver.requests.length;
    const token = `sched-${randomBytes(8).toString('hex')}`;
    const schedule = await callOk<{ schedule_id: string }>(mcp.client, 'schedule_run', {
      prompt: 'tick',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', '1'),
      interval_seconds: 3600,
      notify_url: `${receiver.url}/${token}`,
      notify_headers: { 'X-Token': SECRET },
    });
    await temporal.schedule.getHandle(schedule.schedule_id).trigger();
    const delivered = await waitFor(() => receiver.requests.slice(seen).find((r) => r.path.includes(token)), { what: `a notification of a run of ${schedule.schedule_id}` });
    expect(delivered.headers['x-token']).toBe(SECRET);
    await callOk(mcp.client, 'cancel_schedule', { schedule_id: schedule.schedule_id });
  });
});

describe("webhooks in flight from an older release (begun before this release's first worker ran on the data dir)", () => {
  let old: TestEnv;
  let oldMcp: McpSession;

  beforeAll(async () => {
    old = await makeTestEnv({ BATON_ALLOW_PRIVATE_WEBHOOKS: '1', BATON_SECRET_KEY: env.env.BATON_SECRET_KEY! });
    // As if this release's first worker came an hour from now: every webhook started here is older.
    await writeFile(path.join(old.dataDir, 'launch-binding-since'), new Date(Date.now() + 3_600_000).toISOString());
    oldMcp = await connectStdio(old);
  }, 60_000);

  afterAll(async () => {
    await oldMcp?.close();
    await old?.cleanup();
  });

  it("a value sealed for one run does not open in another run's notification", async () => {
    const { sealed } = await sealedHeaderOfARun();
    const requestsBefore = receiver.requests.length;
    const outcome = await webhookFor(old, `run_other_${randomBytes(4).toString('hex')}`, { 'X-Token': sealed });
    expect(outcome).toBeInstanceOf(Error);
    expect(receiver.requests.length).toBe(requestsBefore);
    expect(receiver.requests.some((r, i) => i >= requestsBefore && r.headers['x-token'] === SECRET)).toBe(false);
  });

  it('a value sealed by 0.1.0 still opens for the run that carries it (an upgrade with work in flight)', async () => {
    const runId = `run_upgraded_${randomBytes(4).toString('hex')}`;
    const outcome = await webhookFor(old, runId, { 'X-Token': sealedLikeRelease010(`${SECRET}-old`, await secretKeyOf(old)) });
    expect(outcome).not.toBeInstanceOf(Error);
    expect((outcome as WebhookState).status).toBe('delivered');
    expect(receiver.requests.some((r) => r.headers['x-token'] === `${SECRET}-old`)).toBe(true);
  });
});

/** Baton 0.1.0's format: AES-256-GCM with no associated data. */
function sealedLikeRelease010(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `baton-sealed:v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}
