// Issue 10: several stdio `baton mcp` sessions (one per MCP client session) share one data dir's
// dev server. The last one out stops it; while others remain, one of them takes it over, whether
// the supervising session left (stdin closed) or was killed (kill -9): the server keeps running,
// the remaining session's tool calls keep working, and it restarts the server when it dies.
// `baton dev` (npm start) is such a session too.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../setup/temporal-server.js';
import { connectStdioCaptured, spawnBatonDev, type CapturedStdio } from '../helpers/baton-process.js';
import { isAlive, portOpen, processesMentioning, recordedServer } from '../helpers/dev-server-procs.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { waitFor } from '../helpers/wait.js';

const started: { env: TestEnv; sessions: CapturedStdio[] }[] = [];

async function ownEnv(): Promise<{ env: TestEnv; grpc: number }> {
  const grpc = await freePort();
  const env = await makeTestEnv({ BATON_TEMPORAL_PORT: String(grpc), BATON_TEMPORAL_UI_PORT: String(await freePort()), BATON_LOG_LEVEL: 'INFO' });
  delete env.env.TEMPORAL_ADDRESS;
  delete env.env.TEMPORAL_NAMESPACE;
  started.push({ env, sessions: [] });
  return { env, grpc };
}

afterEach(async () => {
  for (const { env, sessions } of started.splice(0)) {
    for (const s of sessions) if (s.alive()) process.kill(s.pid, 'SIGKILL');
    const server = await recordedServer(env.dataDir);
    if (server && (await isAlive(server.pid))) process.kill(-server.pid, 'SIGKILL');
    await env.cleanup();
  }
});

async function listWorks(session: CapturedStdio): Promise<boolean> {
  const result = (await session.client.callTool({ name: 'list_runs', arguments: {} })) as CallToolResult;
  return !result.isError;
}

/** A stdio session as an MCP client starts one, once its tools work. */
async function session(env: TestEnv): Promise<CapturedStdio> {
  const s = await connectStdioCaptured(env);
  started.find((e) => e.env === env)!.sessions.push(s);
  await waitFor(() => listWorks(s), { timeoutMs: 60_000, what: 'baton mcp ready' });
  return s;
}

/** `session` supervises the server: the record names it, and a kill -9 of the server brings it back. */
async function supervisesIt(env: TestEnv, s: CapturedStdio): Promise<void> {
  await waitFor(async () => (await recordedServer(env.dataDir))?.ownerPid === s.pid, { what: `pid ${s.pid} recorded as the supervisor` });
  const killed = (await recordedServer(env.dataDir))!.pid;
  process.kill(-killed, 'SIGKILL');
  const back = await waitFor(
    async () => {
      const now = await recordedServer(env.dataDir);
      return now && now.pid !== killed && (await isAlive(now.pid)) ? now : null;
    },
    { timeoutMs: 60_000, what: 'the dev server restarted' },
  );
  expect(back.ownerPid).toBe(s.pid);
  await waitFor(() => listWorks(s), { timeoutMs: 60_000, what: 'tool calls working again' });
  expect(s.stderr()).toMatch(/the Temporal dev server is back at \S+ \(pid \d+\)/);
}

async function nothingLeft(env: TestEnv, grpc: number, sessions: CapturedStdio[]): Promise<void> {
  await waitFor(async () => (await processesMentioning(env.dataDir)).length === 0, { timeoutMs: 20_000, what: 'no process of the data dir' });
  for (const s of sessions) expect(await isAlive(s.pid)).toBe(false);
  expect(await portOpen(grpc)).toBe(false);
  expect(await recordedServer(env.dataDir)).toBeNull();
}

describe('two baton mcp sessions on one data dir', () => {
  it('the first leaves: the server stays and the second takes it over; the second leaves: nothing is left', { timeout: 240_000 }, async () => {
    const { env, grpc } = await ownEnv();
    const first = await session(env);
    const second = await session(env);
    expect(second.stderr()).toContain('reusing the Temporal dev server of this data directory');
    const server = (await recordedServer(env.dataDir))!;
    expect(server.ownerPid).toBe(first.pid);

    expect(await first.close()).toBe(0);
    expect(first.stderr()).toContain('leaving the Temporal dev server running for 1 other Baton session');
    expect(await isAlive(server.pid)).toBe(true);
    expect(await listWorks(second)).toBe(true);
    await waitFor(() => second.stderr().includes(`taking over the Temporal dev server of ${env.dataDir} from pid ${first.pid}`), { what: 'the takeover line' });
    await supervisesIt(env, second);

    expect(await second.close()).toBe(0);
    expect(second.stderr()).toContain('stopped the Temporal dev server: no other Baton session uses it');
    await nothingLeft(env, grpc, [first, second]);
  });

  it('kill -9 of the supervising session: the other takes the server over and restarts it when it dies', { timeout: 240_000 }, async () => {
    const { env, grpc } = await ownEnv();
    const first = await session(env);
    const second = await session(env);
    const server = (await recordedServer(env.dataDir))!;
    expect(server.ownerPid).toBe(first.pid);

    process.kill(first.pid, 'SIGKILL');
    await waitFor(() => !first.alive(), { what: 'the first session gone' });
    await waitFor(() => second.stderr().includes(`taking over the Temporal dev server of ${env.dataDir} from pid ${first.pid}`), { what: 'the takeover line' });
    expect(await isAlive(server.pid)).toBe(true);
    await supervisesIt(env, second);

    expect(await second.close()).toBe(0);
    await nothingLeft(env, grpc, [first, second]);
  });

  it('baton dev stopped with Ctrl-C while a stdio session uses its server: the session takes it over, and its end stops it', { timeout: 240_000 }, async () => {
    const { env, grpc } = await ownEnv();
    const dev = spawnBatonDev(env);
    try {
      await dev.ready;
      const stdio = await session(env);
      expect((await recordedServer(env.dataDir))!.ownerPid).toBe(dev.process.pid);
      expect(await dev.stop()).toBe(0);
      expect(dev.output()).toContain('leaving the Temporal dev server running for 1 other Baton session');
      expect(dev.output()).not.toContain('stopped the Temporal dev server');
      await waitFor(() => stdio.stderr().includes(`taking over the Temporal dev server of ${env.dataDir} from pid ${dev.process.pid}`), { what: 'the takeover line' });
      expect(await listWorks(stdio)).toBe(true);
      await supervisesIt(env, stdio);
      expect(await stdio.close()).toBe(0);
      await nothingLeft(env, grpc, [stdio]);
    } finally {
      if (dev.process.exitCode === null) dev.process.kill('SIGKILL');
    }
  });
});
