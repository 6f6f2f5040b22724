// Notifications that did not come from Baton. Receivers trust a notification because
// BATON_WEBHOOK_SECRET signs it, and anyone who reaches Temporal's gRPC port (a local process
// with a raw @temporalio/client) can start a `webhook` workflow with a payload and a notify_url of
// their choosing, or an agentRun whose end notifies. The worker must sign and send only what
// Baton's own workflow code made, for a run that a holder of Baton's key created: anything else
// reaches no receiver, and the webhook fails saying why. Baton's own runs still notify, signed.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunInput } from '../../src/client/run-input.js';
import { scheduleNotifierId, scheduleWebhookId, type BridgeScheduleNotifierInput } from '../../src/domain/bridge-schedule-notify.js';
import { bridgeScheduleChangedSignal } from '../../src/workflows/schedule-messages.js';
import type { RunView } from '../../src/domain/run-view.js';
import { WEBHOOK_MEMO_KEY, webhookWorkflowId, type WebhookState, type WebhookWorkflowInput } from '../../src/domain/webhook-delivery.js';
import { webhookPayload, type WebhookPayload } from '../../src/domain/webhook.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { commandSpec } from '../helpers/run-spec.js';
import { historyText, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
let env: TestEnv;
let mcp: McpSession;
let temporal: Client;
let receiver: Receiver;
/** A run of Baton's that notified, and its notify_url as its history holds it (sealed). */
let genuine: { runId: string; sealedUrl: string };

beforeAll(async () => {
  env = await makeTestEnv({ BATON_ALLOW_PRIVATE_WEBHOOKS: '1', BATON_WEBHOOK_SECRET: signingSecret });
  [mcp, temporal, receiver] = await Promise.all([connectStdio(env), temporalClient(env), startReceiver()]);
  const { run_id } = await spawnNotifying(['done']);
  await waitFor(() => receiver.requests.some((r) => r.body.includes(run_id)), { what: `the notification of ${run_id}`, timeoutMs: 60_000 });
  const sealedUrl = /baton-sealed:v2:[A-Za-z0-9_-]+/.exec(await historyText(temporal, run_id))?.[0];
  expect(sealedUrl, `a sealed notify_url in the history of ${run_id}`).toBeDefined();
  genuine = { runId: run_id, sealedUrl: sealedUrl! };
}, 120_000);

afterAll(async () => {
  await mcp?.close();
  await receiver?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

function spawnNotifying(on: string[]): Promise<{ run_id: string }> {
  return callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
    prompt: 'notify',
    backend: 'command',
    cwd: env.workDir,
    backend_config: fakeAgent('--lines', '1'),
    notify_url: receiver.url,
    notify_on: on,
  });
}

function requestsAbout(text: string): number {
  return receiver.requests.filter((r) => r.body.includes(text)).length;
}

/** The run id of the newest execution of `<id>.webhook`, if there is one. */
async function newestWebhook(id: string): Promise<string | null> {
  return (
    (
      await temporal.workflow
        .getHandle(webhookWorkflowId(id))
        .describe()
        .catch(() => null)
    )?.runId ?? null
  );
}

/** The newest execution of `<id>.webhook` once it has closed (another than `earlier`). */
async function webhookClosed(id: string, earlier: string | null = null): Promise<{ status: string; state: WebhookState; failure: string }> {
  const handle = temporal.workflow.getHandle(webhookWorkflowId(id));
  const closed = await waitFor(
    async () => {
      const d = await handle.describe().catch(() => null);
      return d && d.status.name !== 'RUNNING' && d.runId !== earlier ? d : null;
    },
    { what: `${id}.webhook to close`, timeoutMs: 60_000 },
  );
  const failure = await handle.result().then(
    () => '',
    (err: Error) => `${err.message} ${(err.cause as Error | undefined)?.message ?? ''}`,
  );
  return { status: closed.status.name, state: closed.memo?.[WEBHOOK_MEMO_KEY] as WebhookState, failure };
}

async function finished(runId: string): Promise<RunView> {
  return waitFor(
    async () => {
      const waited = await callOk<{ finished: boolean; run: RunView }>(mcp.client, 'wait_run', { run_id: runId, max_wait_seconds: 10 });
      return waited.finished ? waited.run : null;
    },
    { timeoutMs: 90_000, what: `run ${runId} to end` },
  );
}

/** A `webhook` workflow started straight through Temporal, about `runId`. */
async function startWebhook(runId: string, url: string, text: string): Promise<void> {
  const input: WebhookWorkflowInput = {
    run_id: runId,
    payload: webhookPayload({ kind: 'run', id: runId, status: 'completed', output: text }),
    notify: { url, on: ['done'], headers: {} },
    retry: { initial_ms: 100, max_ms: 200, give_up_after_ms: 2000 },
  };
  await temporal.workflow.start('webhook', { workflowId: webhookWorkflowId(runId), taskQueue: env.config.taskQueue, args: [input] });
}

describe("a run of Baton's", () => {
  it('notifies, signed', () => {
    const request = receiver.requests.find((r) => r.body.includes(genuine.runId))!;
    const payload = new Webhook(signingSecret).verify(request.body, request.headers) as WebhookPayload;
    expect(payload).toMatchObject({ event: 'run.completed', run_id: genuine.runId, status: 'completed' });
  });
});

describe('a webhook started through a raw Temporal client', () => {
  it('with its own payload and a plain notify_url sends nothing, and fails saying why', { timeout: 90_000 }, async () => {
    const runId = `run_forged_${randomBytes(4).toString('hex')}`;
    const text = `wire the money ${randomBytes(4).toString('hex')}`;
    await startWebhook(runId, receiver.url, text);
    const closed = await webhookClosed(runId);
    expect(closed.status).toBe('FAILED');
    expect(closed.state.attempts_total).toBe(1);
    expect(closed.state.attempts[0].error).toMatch(/was not made by Baton, so nothing is sent or signed: it was started on its own/);
    expect(closed.failure).toMatch(/not made by Baton/);
    expect(requestsAbout(text)).toBe(0);
  });

  it("with a sealed notify_url copied from a real run's history, under that run's webhook id, sends nothing", { timeout: 90_000 }, async () => {
    const text = `approved ${randomBytes(4).toString('hex')}`;
    const earlier = await newestWebhook(genuine.runId);
    await startWebhook(genuine.runId, genuine.sealedUrl, text);
    const closed = await webhookClosed(genuine.runId, earlier);
    expect(closed.status).toBe('FAILED');
    expect(closed.state.attempts[0].error).toMatch(/not made by Baton.*started on its own/);
    expect(requestsAbout(text)).toBe(0);
  });
});

describe('an agentRun started through a raw Temporal client', () => {
  it('that Baton did not sign does not notify when its launch is refused', { timeout: 120_000 }, async () => {
    const runId = `run_forgednotify_${randomBytes(4).toString('hex')}`;
    const spec = commandSpec({ input: { role: 'user', parts: [{ kind: 'text', text: 'forged' }] }, cwd: env.workDir, backend_config: { command: ['true'], env: {} } });
    await temporal.workflow.start('agentRun', {
      workflowId: runId,
      taskQueue: env.config.taskQueue,
      args: [
        {
          run_id: runId,
          created_at: new Date().toISOString(),
          spec,
          args_hash: 'forged',
          task_queue: env.config.taskQueue,
          timings: env.config.timings,
          notify: { url: receiver.url, on: ['any'], headers: {} },
        },
      ],
    });
    expect((await finished(runId)).error).toMatch(/was not started by Baton/);
    const closed = await webhookClosed(runId);
    expect(closed.status).toBe('FAILED');
    expect(closed.state.attempts[0].error).toMatch(new RegExp(`not made by Baton.*its parent ${runId} was not started by Baton`));
    expect(requestsAbout(runId)).toBe(0);
  });

  it("replaying a real run's input (signed spec, sealed notify_url) under its own id after it closed does not notify", { timeout: 120_000 }, async () => {
    const { run_id } = await spawnNotifying(['any']);
    await finished(run_id);
    await waitFor(() => requestsAbout(run_id) === 1, { what: `the notification of ${run_id}` });
    const input = await readRunInput(temporal, run_id);
    const earlier = await newestWebhook(run_id);
    await temporal.workflow.start('agentRun', { workflowId: run_id, taskQueue: input.task_queue, args: [input] });
    const closed = await webhookClosed(run_id, earlier);
    expect(closed.status).toBe('FAILED');
    expect(closed.state.attempts[0].error).toMatch(/reuses the id of a run that had closed/);
    expect(requestsAbout(run_id)).toBe(1);
  });
});

describe("a schedule's runs", () => {
  /** A schedule of a command that prints `text` (with --stdin, the prompt), fired once now. */
  async function firedSchedule(text: string): Promise<{ scheduleId: string; runId: string }> {
    const made = await callOk<{ schedule_id: string }>(mcp.client, 'schedule_run', {
      prompt: text,
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--stdin'),
      interval_seconds: 3600,
      notify_url: receiver.url,
      notify_on: ['any'],
    });
    await temporal.schedule.getHandle(made.schedule_id).trigger();
    const runId = await waitFor(
      async () => {
        for await (const wf of temporal.workflow.list({ query: `WorkflowId STARTS_WITH 'run_${made.schedule_id}-' AND WorkflowType = 'agentRun'` })) return wf.workflowId;
        return null;
      },
      { what: `a run of ${made.schedule_id}`, timeoutMs: 30_000 },
    );
    return { scheduleId: made.schedule_id, runId };
  }

  it('notify, signed, even when the run deletes its schedule (the stop marker) before the notification is sent', { timeout: 120_000 }, async () => {
    const { scheduleId, runId } = await firedSchedule('all done [BATON_STOP_SCHEDULE]');
    await waitFor(() => requestsAbout(runId) > 0, { what: `the notification of ${runId}`, timeoutMs: 60_000 });
    const request = receiver.requests.find((r) => r.body.includes(runId))!;
    expect(new Webhook(signingSecret).verify(request.body, request.headers)).toMatchObject({ run_id: runId, status: 'completed' });
    await waitFor(
      () =>
        temporal.schedule
          .getHandle(scheduleId)
          .describe()
          .then(
            () => false,
            () => true,
          ),
      { what: `${scheduleId} to be deleted` },
    );
  });

  it("a run's signed spec replayed under an id the schedule did not fire does not notify", { timeout: 120_000 }, async () => {
    const { scheduleId, runId } = await firedSchedule('tick');
    await finished(runId);
    await waitFor(() => requestsAbout(runId) === 1, { what: `the notification of ${runId}` });
    const input = await readRunInput(temporal, runId);
    const forgedId = `run_${scheduleId}-2030-01-01T00:00:00Z`;
    await temporal.workflow.start('agentRun', { workflowId: forgedId, taskQueue: input.task_queue, args: [{ ...input, run_id: forgedId }] });
    expect((await finished(forgedId)).error).toMatch(/was not started by Baton/);
    const closed = await webhookClosed(forgedId);
    expect(closed.status).toBe('FAILED');
    expect(closed.state.attempts[0].error).toMatch(new RegExp(`was made for the runs of schedule ${scheduleId}, which did not fire it`));
    expect(requestsAbout(forgedId)).toBe(0);
    await callOk(mcp.client, 'cancel_schedule', { schedule_id: scheduleId });
  });
});

describe('A claude-bridge schedule notifier that Baton did not start', () => {
  it('(a plain notify_url, for a real schedule) sends nothing when its schedule ticks, and its notification fails saying why', { timeout: 120_000 }, async () => {
    const made = await callOk<{ schedule_id: string }>(mcp.client, 'schedule_run', {
      prompt: 'tick',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', '1'),
      interval_seconds: 3600,
    });
    const notifierId = scheduleNotifierId(made.schedule_id);
    const text = `forged-notifier-${randomBytes(4).toString('hex')}`;
    const input: BridgeScheduleNotifierInput = { schedule_id: made.schedule_id, channel: text, notify_on: ['tick'], notify: { url: receiver.url, on: ['any'], headers: {} } };
    await temporal.workflow.start('bridgeScheduleNotifier', { workflowId: notifierId, taskQueue: env.config.taskQueue, args: [input] });
    await temporal.schedule.getHandle(made.schedule_id).trigger();
    // Whoever can start a workflow can signal it: the notifier looks at once.
    const webhook = temporal.workflow.getHandle(scheduleWebhookId(notifierId, 'tick', 1));
    const closed = await waitFor(
      async () => {
        await temporal.workflow
          .getHandle(notifierId)
          .signal(bridgeScheduleChangedSignal)
          .catch(() => undefined);
        const d = await webhook.describe().catch(() => null);
        return d && d.status.name !== 'RUNNING' ? d : null;
      },
      { what: `${notifierId}'s tick notification to close`, timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(closed.status.name).toBe('FAILED');
    expect((closed.memo?.[WEBHOOK_MEMO_KEY] as WebhookState).attempts[0].error).toMatch(/was not made by Baton.*not sealed by Baton/);
    expect(requestsAbout(text)).toBe(0);
    await callOk(mcp.client, 'cancel_schedule', { schedule_id: made.schedule_id });
    // Its schedule gone (it saw it live), the notifier ends, having sent nothing more: it was asked for ticks only.
    expect(await temporal.workflow.getHandle(notifierId).result()).toEqual({ ended: 'cancelled' });
    expect(requestsAbout(text)).toBe(0);
  });
});
