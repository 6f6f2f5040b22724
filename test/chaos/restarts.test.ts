// Restarts of what a run depends on: the Temporal dev server stopped and started again on its
// SQLite file mid-run, and the MCP server killed in the middle of a wait_run.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { startOrReuseDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { freePort } from '../setup/temporal-server.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, startWorkerProcess, type McpSession, type WorkerProcess } from '../helpers/mcp.js';
import { waitFor } from '../helpers/wait.js';

const SEARCH_AND_LIMITS = { 'limit.historyCount.suggestContinueAsNew': 500, 'history.maximumSignalsPerExecution': 100 };

describe('the Temporal dev server restarted mid-run', () => {
  let serverDir: string;
  let ports: { grpc: number; ui: number };
  let server: DevServer;
  let env: TestEnv;
  let mcp: McpSession | null = null;
  let worker: WorkerProcess | null = null;

  const startServer = () => startOrReuseDevServer({ dataDir: serverDir, port: ports.grpc, uiPort: ports.ui, log: () => undefined, dynamicConfig: SEARCH_AND_LIMITS });

  beforeAll(async () => {
    serverDir = await mkdtemp(path.join(os.tmpdir(), 'baton-restart-'));
    ports = { grpc: await freePort(), ui: await freePort() };
    server = await startServer();
    env = await makeTestEnv({ TEMPORAL_ADDRESS: server.address });
  });

  afterAll(async () => {
    await worker?.stop();
    await mcp?.close();
    await server?.stop();
    await env?.cleanup();
    await rm(serverDir, { recursive: true, force: true });
  });

  it('every run goes on and completes with all its events', async () => {
    [mcp, worker] = await Promise.all([connectStdio(env, ['--no-worker']), startWorkerProcess(env)]);
    const runs = await Promise.all(
      [0, 1, 2].map(
        async () =>
          (
            await callOk<{ run_id: string }>(mcp!.client, 'spawn_run', {
              prompt: 'x',
              backend: 'command',
              cwd: env.workDir,
              backend_config: fakeAgent('--lines', '60', '--delay-ms', '150'),
            })
          ).run_id,
      ),
    );
    await waitFor(async () => (await callOk<RunView>(mcp!.client, 'get_run', { run_id: runs[0] })).last_seq > 5, { what: 'the runs going' });
    await server.stop();
    // Down for a while on purpose (longer than nothing, shorter than the heartbeat timeout): the
    // agents go on writing meanwhile; then the server comes back on the same SQLite file.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    server = await startServer();
    for (const runId of runs) {
      const done = await waitFor(
        async () => {
          const outcome = await callOk<{ finished: boolean; run: RunView }>(mcp!.client, 'wait_run', { run_id: runId, max_wait_seconds: 20 }).catch(() => null);
          return outcome?.finished ? outcome.run : null;
        },
        { timeoutMs: 90_000, what: `run ${runId} to finish` },
      );
      expect(done.status).toBe('completed');
      const events = (await callOk<{ events: RunEvent[] }>(mcp.client, 'poll_events', { run_id: runId, limit: 1000 })).events;
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.type === 'agent_message').map((e) => e.data.text)).toEqual(Array.from({ length: 60 }, (_, i) => `line ${i + 1}`));
    }
  });
});

describe('the MCP server killed in the middle of a wait_run', () => {
  let env: TestEnv;
  let worker: WorkerProcess;

  beforeAll(async () => {
    env = await makeTestEnv();
    worker = await startWorkerProcess(env);
  });

  afterAll(async () => {
    await worker?.stop();
    await env?.cleanup();
  });

  it('leaves the run going; a new MCP server answers for it', async () => {
    const first = await connectStdio(env, ['--no-worker']);
    const { run_id } = await callOk<{ run_id: string }>(first.client, 'spawn_run', {
      prompt: 'x',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', '20', '--delay-ms', '200'),
    });
    const waiting = first.client.callTool({ name: 'wait_run', arguments: { run_id, max_wait_seconds: 30 } }).then(
      () => 'answered',
      () => 'broken',
    );
    await waitFor(async () => (await callOk<RunView>(first.client, 'get_run', { run_id })).last_seq > 3);
    first.kill();
    expect(await waiting).toBe('broken');
    const second = await connectStdio(env, ['--no-worker']);
    try {
      const done = await callOk<{ finished: boolean; run: RunView }>(second.client, 'wait_run', { run_id, max_wait_seconds: 30 });
      expect(done).toMatchObject({ finished: true, run: { status: 'completed' } });
      expect(done.run.result!.output.split('\n')).toHaveLength(20);
    } finally {
      await second.close();
    }
  });
});
