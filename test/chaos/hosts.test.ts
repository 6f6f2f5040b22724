// Hosts: two workers with different host ids (and data dirs) on one machine, one task queue. A
// run is pinned to the host whose worker launched it: re-attach, stop and transcript reads go to
// that host; a host that never comes back ends its runs as on_worker_loss says; a host that comes
// back stops what it no longer owns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, startWorkerProcess, type McpSession, type WorkerProcess } from '../helpers/mcp.js';
import { processesOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let hostA: TestEnv;
let hostB: TestEnv;
/** MCP servers (no worker) on host B's side: they read host A's transcripts through A's worker. */
let mcp: McpSession;
/** The same, starting runs that wait a minute for a lost host rather than four seconds. */
let patientMcp: McpSession;
let workerA: WorkerProcess | null = null;
let workerB: WorkerProcess | null = null;

beforeAll(async () => {
  hostA = await makeTestEnv({ BATON_HOST_WAIT_SECONDS: '4' });
  hostB = await makeTestEnv({
    BATON_TASK_QUEUE: hostA.config.taskQueue,
    BATON_SECRET_KEY: hostA.env.BATON_SECRET_KEY!,
    BATON_ALLOWED_ROOTS: hostA.workDir,
    BATON_HOST_WAIT_SECONDS: '4',
  });
  [mcp, patientMcp] = await Promise.all([connectStdio(hostB, ['--no-worker']), connectStdio(hostB, ['--no-worker'], { BATON_HOST_WAIT_SECONDS: '60' })]);
});

afterAll(async () => {
  await workerA?.stop();
  await workerB?.stop();
  await mcp?.close();
  await patientMcp?.close();
  await hostA?.cleanup();
  await hostB?.cleanup();
});

/** A run launched by host A: only A's worker runs while it starts; host B's starts after. */
async function startOnA(args: Record<string, unknown>, thenStartB: boolean, via: McpSession = mcp): Promise<string> {
  await workerB?.stop();
  workerB = null;
  workerA ??= await startWorkerProcess(hostA);
  const { run_id } = await callOk<{ run_id: string }>(via.client, 'spawn_run', { prompt: 'x', backend: 'command', cwd: hostA.workDir, ...args });
  await waitFor(async () => (await callOk<RunView>(mcp.client, 'get_run', { run_id })).host === hostA.config.hostId, { what: 'the run on host A' });
  if (thenStartB) workerB = await startWorkerProcess(hostB);
  return run_id;
}

const lines = (n: number, delay: number) => fakeAgent('--lines', String(n), '--delay-ms', String(delay));

describe('a run pinned to its host', () => {
  it('waits for its own host: the other host takes none of its steps; transcript reads and the stop go to its host', async () => {
    const runId = await startOnA({ backend_config: lines(300, 100) }, true, patientMcp);
    await workerA!.kill();
    workerA = null;
    const pids = await processesOf(runId);
    expect(pids.length).toBeGreaterThan(0);
    // Past the heartbeat timeout the workflow queues its next attempt, for host A only.
    await waitFor(async () => (await callOk<RunView>(mcp.client, 'get_run', { run_id: runId })).attempt >= 2, { what: 'the second attempt' });
    // An absence cannot be awaited: give host B's worker, which polls all the time, a second to
    // (wrongly) take the attempt; it must not have.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await callOk<RunView>(mcp.client, 'get_run', { run_id: runId })).host).toBe(hostA.config.hostId);
    expect((await processesOf(runId)).sort()).toEqual(pids.sort());

    workerA = await startWorkerProcess(hostA);
    await waitFor(
      async () => {
        const events = (await callOk<{ events: RunEvent[] }>(mcp.client, 'poll_events', { run_id: runId, limit: 1000 })).events;
        return events.some((e) => e.type === 'reattached' && e.data.host === hostA.config.hostId);
      },
      { what: 'the re-attach on host A' },
    );
    const page = await callOk<{ text: string }>(mcp.client, 'read_output', { run_id: runId });
    expect(page.text).toContain('line 1\n');
    // Read through host A's worker, a bad offset is still the caller's mistake, said as such.
    expect(await callError(mcp.client, 'read_output', { run_id: runId, offset: 1e9 })).toMatch(/^offset 1000000000 is past the end of the stdout transcript/);
    const cancelled = await callOk<{ status: string }>(mcp.client, 'cancel_run', { run_id: runId });
    expect(cancelled.status).toBe('cancelled');
    expect(await processesOf(runId)).toEqual([]);
  });
});

describe('a host that never comes back', () => {
  it('restarts the run on another host with on_worker_loss "restart"; the lost host, back later, stops its old agent', async () => {
    const runId = await startOnA({ backend_config: lines(150, 200), on_worker_loss: 'restart' }, true);
    const oldPids = await processesOf(runId);
    await workerA!.kill();
    workerA = null;
    await waitFor(async () => (await callOk<RunView>(mcp.client, 'get_run', { run_id: runId })).host === hostB.config.hostId, {
      what: 'the run restarted on host B',
    });
    const events = (await callOk<{ events: RunEvent[] }>(mcp.client, 'poll_events', { run_id: runId, limit: 1000 })).events;
    expect(events.find((e) => e.type === 'worker_lost')?.data).toMatchObject({ host: hostA.config.hostId, next: 'restart' });
    // Host A's agent is still running: host A's worker, when it starts, stops it (the run moved).
    const stillOnA = async () => (await processesOf(runId)).filter((p) => oldPids.includes(p));
    expect((await stillOnA()).length).toBeGreaterThan(0);
    workerA = await startWorkerProcess(hostA);
    await waitFor(async () => (await stillOnA()).length === 0, { what: 'host A to stop its old agent' });
    // The restarted agent goes on, on host B.
    expect((await processesOf(runId)).length).toBeGreaterThan(0);
    expect(events.find((e) => e.type === 'resumed')?.data).toMatchObject({ mode: 'restart', host: hostB.config.hostId });
    expect((await callOk<{ status: string }>(mcp.client, 'cancel_run', { run_id: runId })).status).toBe('cancelled');
    expect(await processesOf(runId)).toEqual([]);
  });

  it('fails the run with worker_lost when the session cannot travel', async () => {
    const runId = await startOnA({ backend_config: lines(30, 300), on_worker_loss: 'fail' }, true);
    await workerA!.kill();
    workerA = null;
    const done = await callOk<{ run: RunView }>(mcp.client, 'wait_run', { run_id: runId, max_wait_seconds: 50 });
    expect(done.run.status).toBe('failed');
    expect(done.run.error).toMatch(/worker_lost: no worker on host .* came back within 4 s, and on_worker_loss is "fail"/);
    expect(done.run.result?.failure_kind).toBe('worker_lost');
  });
});

describe('a worker that starts', () => {
  it('stops the agent of a run whose workflow was closed while the worker was away', async () => {
    const runId = await startOnA({ backend_config: lines(200, 200) }, false);
    await workerA!.kill();
    workerA = null;
    const temporal = await temporalClient(hostA);
    try {
      await temporal.workflow.getHandle(runId).terminate('closed by hand while the worker is down');
    } finally {
      await temporal.connection.close();
    }
    expect((await processesOf(runId)).length).toBeGreaterThan(0);
    workerA = await startWorkerProcess(hostA);
    await waitFor(async () => (await processesOf(runId)).length === 0, { what: 'the orphan stopped' });
  });
});
