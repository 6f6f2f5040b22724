// Work that did not come from Baton, started straight through Temporal: anyone who reaches the
// server (a local process with a raw @temporalio/client, or a web page through the dev server's
// HTTP API) can start an agentRun with whatever spec it likes, a spec Baton signed read from
// history among them. The worker must launch nothing that a holder of Baton's key did not make
// for that very workflow, and nothing that Baton's own checks refuse now, even when they passed
// when the work was made: a schedule's cwd swapped for a symlink out of the roots.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rename, rm, symlink } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRunInput } from '../../src/client/run-input.js';
import { runDirOf } from '../../src/config.js';
import type { RunSpec, RunWorkflowInput } from '../../src/domain/run-spec.js';
import { commandSpec, v1LaunchMac } from '../helpers/run-spec.js';
import type { RunView } from '../../src/domain/run-view.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { secretKeyOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let mcp: McpSession;
let temporal: Client;
/** A directory outside every allowed root. */
let outside: string;

beforeAll(async () => {
  env = await makeTestEnv();
  outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'baton-outside-')));
  [mcp, temporal] = await Promise.all([connectStdio(env), temporalClient(env)]);
  // The worker is up (and has set the time from which it requires MACs) once a run of Baton's ends.
  const first = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', { prompt: 'go', backend: 'command', cwd: env.workDir, backend_config: { command: ['true'] } });
  expect((await finished(first.run_id)).status).toBe('completed');
}, 120_000);

afterAll(async () => {
  await mcp?.close();
  await temporal?.connection.close();
  await env?.cleanup();
  if (outside) await rm(outside, { recursive: true, force: true });
});

/** A command that leaves a file behind: proof that it ran. */
function touch(file: string): string[] {
  return [process.execPath, '-e', `require('node:fs').writeFileSync(${JSON.stringify(file)}, 'ran')`];
}

/** A command that leaves a file named after the run it ran for (BATON_RUN_ID, its workflow id). */
function touchRunFile(dir: string): string[] {
  return [process.execPath, '-e', `require('node:fs').writeFileSync(require('node:path').join(${JSON.stringify(dir)}, process.env.BATON_RUN_ID), 'ran')`];
}

/** Starts a workflow with a copy of a real run's input, unchanged. */
async function replay(workflowId: string, input: RunWorkflowInput, extra: object = {}): Promise<void> {
  await temporal.workflow.start('agentRun', { workflowId, taskQueue: input.task_queue, args: [input], ...extra });
}

async function expectRefused(runId: string, ranDir: string, why: RegExp): Promise<void> {
  const view = await finished(runId);
  expect(view.status).toBe('failed');
  expect(view.error).toMatch(/was not started by Baton/);
  expect(view.error).toMatch(why);
  expect(existsSync(path.join(ranDir, runId))).toBe(false);
}

function forgedSpec(cwd: string, command: string[]): RunSpec {
  return commandSpec({ input: { role: 'user', parts: [{ kind: 'text', text: 'forged' }] }, cwd, on_worker_loss: 'fail', backend_config: { command, env: {} } });
}

function runInput(runId: string, spec: RunSpec): RunWorkflowInput {
  return { run_id: runId, created_at: new Date().toISOString(), spec, args_hash: 'forged', task_queue: env.config.taskQueue, timings: env.config.timings };
}

async function startForged(runId: string, spec: RunSpec): Promise<void> {
  await temporal.workflow.start('agentRun', { workflowId: runId, taskQueue: env.config.taskQueue, args: [runInput(runId, spec)] });
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

describe('a spec forged through a raw Temporal client', () => {
  it('launches nothing when it has no MAC, even with its cwd outside the allowed roots', { timeout: 120_000 }, async () => {
    const marker = path.join(outside, 'unsigned-ran');
    const runId = `run_forged_unsigned_${Date.now()}`;
    await startForged(runId, forgedSpec(outside, touch(marker)));
    const view = await finished(runId);
    expect(view.status).toBe('failed');
    expect(view.error).toMatch(/was not started by Baton.*carries no MAC/);
    expect(existsSync(marker)).toBe(false);
  });

  it("launches nothing when a spec Baton signed is changed (another command), and Baton's own runs still launch", { timeout: 120_000 }, async () => {
    const legit = path.join(env.workDir, 'legit-ran');
    const started = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', { prompt: 'go', backend: 'command', cwd: env.workDir, backend_config: { command: touch(legit) } });
    expect((await finished(started.run_id)).status).toBe('completed');
    expect(existsSync(legit)).toBe(true);

    const signed = (await readRunInput(temporal, started.run_id)).spec;
    expect(signed.launch_mac).toMatch(/^v2\.run\./);
    const marker = path.join(outside, 'changed-ran');
    const runId = `run_forged_changed_${Date.now()}`;
    await startForged(runId, { ...signed, backend_config: { command: touch(marker), env: {} } });
    const view = await finished(runId);
    expect(view.status).toBe('failed');
    expect(view.error).toMatch(/not started by Baton.*does not carry a valid MAC/);
    expect(existsSync(marker)).toBe(false);
  });

  it('launches nothing when a signed spec is moved to a cwd outside the roots', { timeout: 120_000 }, async () => {
    const started = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', { prompt: 'go', backend: 'command', cwd: env.workDir, backend_config: { command: ['true'] } });
    await finished(started.run_id);
    const signed = (await readRunInput(temporal, started.run_id)).spec;
    const runId = `run_forged_moved_${Date.now()}`;
    await startForged(runId, { ...signed, cwd: outside });
    const view = await finished(runId);
    expect(view.status).toBe('failed');
    expect(view.error).toMatch(/does not carry a valid MAC/);
  });
});

describe('a spec Baton signed, read from history and started again unchanged', () => {
  it(
    'launches nothing under a new id, nor under its own once its run closed, nor with a 0.2.0 MAC (bound to no id) on work begun now; the run it was made for ran',
    { timeout: 120_000 },
    async () => {
      const ran = await mkdtemp(path.join(env.workDir, 'ran-'));
      const started = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
        prompt: 'go',
        backend: 'command',
        cwd: env.workDir,
        backend_config: { command: touchRunFile(ran) },
      });
      expect((await finished(started.run_id)).status).toBe('completed');
      expect(existsSync(path.join(ran, started.run_id))).toBe(true);
      const genuine = await readRunInput(temporal, started.run_id);
      expect(genuine.spec.launch_mac).toMatch(/^v2\.run\./);

      const replayed = `run_replayed_${Date.now()}`;
      await replay(replayed, genuine);
      await expectRefused(replayed, ran, /does not carry a valid MAC .* for this run \(made for another run id/);

      // Under its own id, once its run has closed (a raw start may allow the id's reuse), on a host
      // that does not hold the old run's directory (here it would only read the old agent's exit).
      await rm(path.join(ran, started.run_id));
      await rm(runDirOf(env.config, started.run_id), { recursive: true, force: true });
      await replay(started.run_id, genuine, { workflowIdReusePolicy: 'ALLOW_DUPLICATE' });
      await expectRefused(started.run_id, ran, /belonged to a run that had closed, and was started again/);

      const { launch_mac: _mac, ...unsigned } = genuine.spec;
      const v1 = `v1.run.${v1LaunchMac('run', unsigned, await secretKeyOf(env))}`;
      const old = `run_replayed_v1_${Date.now()}`;
      await replay(old, { ...genuine, spec: { ...genuine.spec, launch_mac: v1 } });
      await expectRefused(old, ran, /a MAC of release 0\.2\.0, which names no run; only work begun before/);
    },
  );
});

describe("a schedule's signed spec", () => {
  it("launches at that schedule's fires, and neither under a raw id nor when another schedule fires it", { timeout: 180_000 }, async () => {
    const ran = await mkdtemp(path.join(env.workDir, 'ran-'));
    const made = await callOk<{ schedule_id: string }>(mcp.client, 'schedule_run', {
      prompt: 'go',
      backend: 'command',
      cwd: env.workDir,
      backend_config: { command: touchRunFile(ran) },
      interval_seconds: 10,
    });
    let fired: RunView;
    try {
      fired = await waitFor(async () => (await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { schedule_id: made.schedule_id })).runs.find((r) => r.finished_at !== null), {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: 'a finished run of the schedule',
      });
    } finally {
      await callOk(mcp.client, 'cancel_schedule', { schedule_id: made.schedule_id });
    }
    expect(fired.status).toBe('completed');
    expect(existsSync(path.join(ran, fired.run_id))).toBe(true);
    const genuine = await readRunInput(temporal, fired.run_id);
    expect(genuine.spec.launch_mac).toMatch(new RegExp(`^v2\\.schedule\\.${made.schedule_id}\\.`));

    // Under an id like the schedule's own, started straight: no schedule fired it.
    const raw = `${fired.run_id}-raw`;
    await replay(raw, genuine);
    await expectRefused(raw, ran, new RegExp(`made for the runs of schedule ${made.schedule_id}, but no schedule fired this run`));

    // Naming the schedule in TemporalScheduledById, which a raw start may set: the schedule itself does not know the run.
    const spoofed = `${fired.run_id}-spoofed`;
    const refusedByServer = await replay(spoofed, genuine, { searchAttributes: { TemporalScheduledById: [made.schedule_id] } }).then(
      () => false,
      (err: unknown) => (expect(String(err)).toMatch(/TemporalScheduledById|reserved|system/i), true),
    );
    if (!refusedByServer) await expectRefused(spoofed, ran, /no schedule fired this run/);

    // Fired by a schedule someone else made with the same action.
    const other = await temporal.schedule.create({
      scheduleId: `sched_forged_${Date.now()}`,
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'agentRun', workflowId: `run_forged_fire_${Date.now()}`, taskQueue: genuine.task_queue, args: [genuine] },
    });
    try {
      await other.trigger();
      const otherRun = await waitFor(async () => (await other.describe()).info.recentActions[0]?.action.workflow.workflowId, {
        timeoutMs: 30_000,
        what: 'the other schedule to fire',
      });
      await expectRefused(otherRun, ran, new RegExp(`made for the runs of schedule ${made.schedule_id}, but schedule ${other.scheduleId} fired this run`));
    } finally {
      await other.delete();
    }
  });
});

describe('a schedule whose cwd became a symlink out of the roots after it was made', () => {
  it('launches nothing at its next fire', { timeout: 120_000 }, async () => {
    const dir = path.join(env.workDir, 'scheduled');
    await mkdir(dir);
    const marker = path.join(outside, 'scheduled-ran');
    const made = await callOk<{ schedule_id: string }>(mcp.client, 'schedule_run', {
      prompt: 'go',
      backend: 'command',
      cwd: dir,
      backend_config: { command: touch(marker) },
      interval_seconds: 10,
    });
    try {
      await rename(dir, path.join(env.workDir, 'scheduled-away'));
      await symlink(outside, dir);
      const view = await waitFor(
        async () => (await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { schedule_id: made.schedule_id })).runs.find((r) => r.finished_at !== null),
        { timeoutMs: 60_000, intervalMs: 500, what: 'a finished run of the schedule' },
      );
      expect(view.status).toBe('failed');
      expect(view.error).toMatch(/outside the allowed roots/);
      expect(existsSync(marker)).toBe(false);
    } finally {
      await callOk(mcp.client, 'cancel_schedule', { schedule_id: made.schedule_id });
    }
  });
});

describe("a start through the dev server's HTTP API", () => {
  it.each([
    ['a foreign Host', { host: 'evil.example' }],
    ['a foreign Origin', { origin: 'http://evil.example' }],
    ['no foreign header at all', {}],
  ])('is refused with %s, and no workflow is started', { timeout: 30_000 }, async (_, headers: Record<string, string>) => {
    const port = inject('temporalHttpPort');
    const runId = `run_http_forged_${Date.now()}_${Math.random().toString(36).slice(2)}`;
    const body = JSON.stringify({
      workflowId: runId,
      workflowType: { name: 'agentRun' },
      taskQueue: { name: env.config.taskQueue },
      input: [runInput(runId, forgedSpec(outside, touch(path.join(outside, 'http-ran'))))],
    });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: `/api/v1/namespaces/default/workflows/${runId}`,
          method: 'POST',
          headers: { 'content-type': 'application/json', host: `127.0.0.1:${port}`, ...headers },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(403);
    await expect(temporal.workflow.getHandle(runId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
