// Issue 10: `baton dev` (as `npm start` runs it) and `baton mcp` supervise the dev server they
// started. It is killed with SIGKILL mid-run (the OOM killer) and its port is held by someone
// else for a while, so the outage lasts: a tool call meanwhile gets the one clear error at once,
// the port comes back without anyone doing anything, the run completes with a gapless event
// sequence and every agent line, a run whose timeout fell inside the outage still ends timed_out,
// and the outage prints a handful of lines, not one per gRPC retry.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { startOrReuseDevServer } from '../../src/temporal/dev-server.js';
import { freePort } from '../setup/temporal-server.js';
import { connectStdioCaptured } from '../helpers/baton-process.js';
import { spawnBatonDev, type DevProcess } from '../helpers/baton-process.js';
import { isAlive, killAndHoldPort, processesMentioning, recordedServer, temporalProcess } from '../helpers/dev-server-procs.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk } from '../helpers/mcp.js';
import { waitFor } from '../helpers/wait.js';

const LINES = 150;
const CLEAR_ERROR = /the Temporal server at 127\.0\.0\.1:\d+ is not reachable; Baton is restarting it/;
/** Lines an outage may print, whatever its length: lost, restarting, why not yet, back (twice). */
const OUTAGE_LINES_AT_MOST = 6;

async function ownEnv(): Promise<{ env: TestEnv; grpc: number }> {
  const grpc = await freePort();
  const env = await makeTestEnv({ BATON_TEMPORAL_PORT: String(grpc), BATON_TEMPORAL_UI_PORT: String(await freePort()), BATON_LOG_LEVEL: 'INFO' });
  delete env.env.TEMPORAL_ADDRESS;
  delete env.env.TEMPORAL_NAMESPACE;
  return { env, grpc };
}

async function toolText(client: Client, name: string, args: Record<string, unknown>): Promise<{ isError: boolean; text: string }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { isError: Boolean(result.isError), text: (result.content as { text: string }[]).map((c) => c.text).join('\n') };
}

/** The whole outage scenario against one Baton, through its MCP client; `output` is what Baton prints. */
async function outageScenario(client: Client, env: TestEnv, grpc: number, output: () => string, holdMs: number): Promise<void> {
  const { run_id: runId } = await callOk<{ run_id: string }>(client, 'spawn_run', {
    prompt: 'long',
    backend: 'command',
    cwd: env.workDir,
    backend_config: fakeAgent('--lines', String(LINES), '--delay-ms', '100'),
  });
  const { run_id: timedId } = await callOk<{ run_id: string }>(client, 'spawn_run', {
    prompt: 'times out while the server is away',
    backend: 'command',
    cwd: env.workDir,
    timeout_seconds: 4,
    backend_config: fakeAgent('--lines', '1', '--sleep-ms', '600000'),
  });
  await waitFor(async () => (await callOk<RunView>(client, 'get_run', { run_id: runId })).last_seq > 3, { what: 'the agent running' });
  const guard = (await recordedServer(env.dataDir))!.pid;
  const before = output().length;
  const held = await killAndHoldPort(await temporalProcess(guard), grpc);
  try {
    // A tool call during the outage answers with the one clear error, well inside the outage (how
    // fast is the benchmark's dev_server_kill figure: timings are never asserted in tests).
    const during = await waitFor(
      async () => {
        const answer = await toolText(client, 'get_run', { run_id: runId });
        return answer.isError ? answer : null;
      },
      { timeoutMs: holdMs, what: 'the outage error' },
    );
    expect(during.text).toMatch(CLEAR_ERROR);
    await waitFor(() => output().slice(before).includes('is taken by another program'), { timeoutMs: holdMs, what: 'the reason a restart fails' });
    await new Promise((resolve) => setTimeout(resolve, holdMs));
  } finally {
    await held.release();
  }
  // The server comes back with no one doing anything.
  await waitFor(() => /the Temporal server at \S+ is back after/.test(output().slice(before)), { timeoutMs: 90_000, what: 'the server back' });
  const done = await waitFor(
    async () => {
      const outcome = await callOk<{ finished: boolean; run: RunView }>(client, 'wait_run', { run_id: runId, max_wait_seconds: 20 }).catch(() => null);
      return outcome?.finished ? outcome.run : null;
    },
    { timeoutMs: 120_000, what: 'the run to finish' },
  );
  expect(done.status).toBe('completed');
  const events = (await callOk<{ events: { seq: number; type: string; data: { text?: string } }[] }>(client, 'poll_events', { run_id: runId, limit: 1000 })).events;
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.filter((e) => e.type === 'agent_message').map((e) => e.data.text)).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));
  const timed = await waitFor(
    async () => {
      const outcome = await callOk<{ finished: boolean; run: RunView }>(client, 'wait_run', { run_id: timedId, max_wait_seconds: 20 }).catch(() => null);
      return outcome?.finished ? outcome.run : null;
    },
    { timeoutMs: 60_000, what: 'the timed run to end' },
  );
  expect(timed.status).toBe('timed_out');
  const outageLines = output()
    .slice(before)
    .split('\n')
    .filter((l) => l.trim() !== '');
  expect(outageLines.length, outageLines.join('\n')).toBeLessThanOrEqual(OUTAGE_LINES_AT_MOST);
}

describe('baton dev (npm start): the dev server killed mid-run', () => {
  let env: TestEnv;
  let dev: DevProcess;
  let client: Client;
  let grpc: number;

  beforeAll(async () => {
    ({ env, grpc } = await ownEnv());
    dev = spawnBatonDev(env);
    client = new Client({ name: 'baton-supervision-tests', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(await dev.ready)));
  });

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await dev?.stop();
    await env?.cleanup();
  });

  it('comes back by itself; the run completes gapless; a call meanwhile gets the clear error; few lines', { timeout: 300_000 }, async () => {
    expect(dev.output()).toMatch(/Temporal server: +up at 127\.0\.0\.1:\d+ \(Baton's dev server/);
    await outageScenario(client, env, grpc, () => dev.output(), 30_000);
  });

  it('Ctrl-C afterwards stops the restarted dev server: nothing of the data dir is left running', { timeout: 60_000 }, async () => {
    expect(await dev.stop()).toBe(0);
    expect(await processesMentioning(env.dataDir)).toEqual([]);
  });
});

describe('baton mcp over stdio: the dev server killed mid-run', () => {
  let env: TestEnv;
  let grpc: number;

  beforeAll(async () => {
    ({ env, grpc } = await ownEnv());
  });

  afterAll(async () => {
    // Only if the test failed before the session ended: the last session out stops the server itself.
    const server = await recordedServer(env.dataDir);
    if (server && (await isAlive(server.pid))) process.kill(-server.pid, 'SIGKILL');
    await env?.cleanup();
  });

  it('comes back by itself; the run completes gapless; a call meanwhile gets the clear error; few lines', { timeout: 300_000 }, async () => {
    const stdio = await connectStdioCaptured(env);
    try {
      await waitFor(async () => (await toolText(stdio.client, 'list_runs', {})).isError === false, { timeoutMs: 60_000, what: 'baton mcp ready' });
      await outageScenario(stdio.client, env, grpc, () => stdio.stderr(), 10_000);
    } finally {
      expect(await stdio.close(), stdio.stderr()).toBe(0);
    }
    // The restarted server was this lone session's: it stopped it on leaving.
    expect(stdio.stderr()).toContain('stopped the Temporal dev server: no other Baton session uses it');
    await waitFor(async () => (await processesMentioning(env.dataDir)).length === 0, { timeoutMs: 20_000, what: 'no process of the data dir' });
  });
});

describe("baton dev on TEMPORAL_ADDRESS: a server Baton did not start is not Baton's to restart", () => {
  it('while it is away Baton says so once and tool calls say Baton waits for it; when it is back they work again', { timeout: 180_000 }, async () => {
    const serverDir = await mkdtemp(path.join(os.tmpdir(), 'baton-foreign-'));
    const ports = { port: await freePort(), uiPort: await freePort() };
    const start = () => startOrReuseDevServer({ dataDir: serverDir, ...ports, log: () => undefined });
    let server = await start();
    const env = await makeTestEnv({ TEMPORAL_ADDRESS: server.address, BATON_LOG_LEVEL: 'INFO' });
    const dev = spawnBatonDev(env);
    const client = new Client({ name: 'baton-supervision-tests', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(await dev.ready)));
      expect(dev.output()).toMatch(/Temporal server: +up at \S+ \(TEMPORAL_ADDRESS: not Baton's to restart/);
      await server.stop();
      const during = await waitFor(
        async () => {
          const answer = await toolText(client, 'list_runs', {});
          return answer.isError ? answer : null;
        },
        { timeoutMs: 30_000, what: 'the outage error' },
      );
      expect(during.text).toMatch(/the Temporal server at \S+ is not reachable; Baton did not start it and is waiting for it to come back/);
      expect(dev.output()).toMatch(/lost the Temporal server at \S+ \(.*\); Baton waits for it \(it did not start it\)/);
      expect(dev.output()).not.toContain('restarting it');
      server = await start();
      await waitFor(async () => !(await toolText(client, 'list_runs', {})).isError, { timeoutMs: 60_000, what: 'tool calls working again' });
      expect(dev.output()).toMatch(/the Temporal server at \S+ is back after/);
    } finally {
      await client.close().catch(() => undefined);
      await dev.stop();
      await server.stop();
      await env.cleanup();
      await rm(serverDir, { recursive: true, force: true });
    }
  });
});
