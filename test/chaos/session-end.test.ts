// Issue 10: every way a `baton dev` or a lone stdio `baton mcp` session ends stops what Baton
// started. A closed terminal (SIGHUP), a closed stdout (the next write fails with EPIPE: it must not
// crash Baton before it stops its dev server) and SIGTERM leave no Baton process and no dev server
// (with other sessions on the data dir: handover.test.ts). A `baton dev` killed
// with SIGKILL leaves its dev server behind; the next `baton dev` on that data dir adopts it (and
// says so) and its Ctrl-C stops it. A dev server of another data dir is left alone, named as such.
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../setup/temporal-server.js';
import { connectStdioCaptured, spawnBatonDev, type DevProcess } from '../helpers/baton-process.js';
import { CLI } from '../helpers/env.js';
import { isAlive, portOpen, processesMentioning, recordedServer } from '../helpers/dev-server-procs.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { waitFor } from '../helpers/wait.js';

const started: { env: TestEnv; devs: DevProcess[] }[] = [];

async function ownEnv(grpc?: number, extra: Record<string, string> = {}): Promise<{ env: TestEnv; grpc: number }> {
  const port = grpc ?? (await freePort());
  const env = await makeTestEnv({ BATON_TEMPORAL_PORT: String(port), BATON_TEMPORAL_UI_PORT: String(await freePort()), ...extra });
  delete env.env.TEMPORAL_ADDRESS;
  delete env.env.TEMPORAL_NAMESPACE;
  started.push({ env, devs: [] });
  return { env, grpc: port };
}

/** `baton dev`; `ready` once its whole banner is out. */
function dev(env: TestEnv): DevProcess {
  const d = spawnBatonDev(env);
  started.find((s) => s.env === env)!.devs.push(d);
  const url = d.ready;
  return Object.assign(d, { ready: url.then(async (u) => (await waitFor(() => d.output().includes('Press Ctrl-C'), { what: 'the banner' }), u)) });
}

afterEach(async () => {
  for (const { env, devs } of started.splice(0)) {
    for (const d of devs) if (d.process.exitCode === null && d.process.signalCode === null) d.process.kill('SIGKILL');
    const server = await recordedServer(env.dataDir);
    if (server && (await isAlive(server.pid))) process.kill(-server.pid, 'SIGKILL');
    await env.cleanup();
  }
});

/** `baton status` on the data dir: its exit code and what it printed. */
function status(env: TestEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'status'], { env: env.env, cwd: env.workDir }, (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout }));
  });
}

/** Nothing of this data dir runs any more: no baton dev, no UI guard, no dev server. */
async function nothingLeft(env: TestEnv, d: DevProcess, grpc: number): Promise<void> {
  await d.exited;
  await waitFor(async () => (await processesMentioning(env.dataDir)).length === 0, { timeoutMs: 20_000, what: 'no process of the data dir' });
  expect(await portOpen(grpc)).toBe(false);
}

describe('the ways a baton dev session ends', () => {
  it('SIGHUP (the terminal closed) stops Baton and the dev server it started', async () => {
    const { env, grpc } = await ownEnv();
    const d = dev(env);
    await d.ready;
    const up = await status(env);
    expect(up.out).toMatch(/Temporal server: +up at 127\.0\.0\.1:\d+\nWorker: +up \(.*\)\nMCP endpoint: +up at http:\/\/127\.0\.0\.1:\d+\/mcp/);
    expect(up.code).toBe(0);
    d.process.kill('SIGHUP');
    expect(await d.exited).toBe(0);
    expect(d.output()).toContain('stopping Baton (SIGHUP): MCP endpoint, worker, Temporal dev server');
    await nothingLeft(env, d, grpc);
    const down = await status(env);
    expect(down.out).toMatch(/Temporal server: +down at 127\.0\.0\.1:\d+/);
    expect(down.out).toMatch(/MCP endpoint: +down/);
    expect(down.code).toBe(1);
  });

  it('baton mcp over stdio, alone on its data dir: SIGHUP, and a closed stdout, each leave no Baton process and no dev server', { timeout: 180_000 }, async () => {
    for (const end of ['SIGHUP', 'output closed'] as const) {
      const { env, grpc } = await ownEnv(undefined, { BATON_LOG_LEVEL: 'INFO' });
      const stdio = await connectStdioCaptured(env);
      await waitFor(async () => !(await stdio.client.callTool({ name: 'list_runs', arguments: {} })).isError, { timeoutMs: 60_000, what: 'baton mcp ready' });
      const server = (await recordedServer(env.dataDir))!;
      if (end === 'SIGHUP') {
        process.kill(stdio.pid, 'SIGHUP');
      } else {
        // Its client gone: the answer to the next request is the write that fails (EPIPE).
        stdio.closeStdout();
        stdio.writeRaw('{"jsonrpc":"2.0","id":"after-close","method":"ping"}\n');
      }
      await waitFor(() => !stdio.alive(), { timeoutMs: 60_000, what: `baton mcp to exit (${end})` });
      expect(stdio.stderr(), end).toContain('stopped the Temporal dev server: no other Baton session uses it');
      expect(await isAlive(stdio.pid)).toBe(false);
      await waitFor(async () => !(await isAlive(server.pid)), { what: 'the dev server stopped' });
      await waitFor(async () => (await processesMentioning(env.dataDir)).length === 0, { timeoutMs: 20_000, what: 'no process of the data dir' });
      expect(await portOpen(grpc)).toBe(false);
      expect(await recordedServer(env.dataDir)).toBeNull();
    }
  });

  it('a closed stdout does not crash Baton before it stops the dev server (SIGTERM, then EPIPE on every line)', async () => {
    const { env, grpc } = await ownEnv();
    const d = dev(env);
    await d.ready;
    d.process.stdout!.destroy();
    d.process.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    await nothingLeft(env, d, grpc);
  });

  it("a closed stdout alone ends the session at Baton's next line (here: the dev server killed and restarted)", async () => {
    const { env, grpc } = await ownEnv();
    const d = dev(env);
    await d.ready;
    d.process.stdout!.destroy();
    const guard = (await recordedServer(env.dataDir))!.pid;
    process.kill(-guard, 'SIGKILL');
    expect(await d.exited, d.output()).toBe(0);
    await nothingLeft(env, d, grpc);
  });

  it('kill -9 of baton dev, then baton dev: the leftover dev server is adopted and Ctrl-C stops it', async () => {
    const { env, grpc } = await ownEnv();
    const crashed = dev(env);
    await crashed.ready;
    const leftover = (await recordedServer(env.dataDir))!.pid;
    crashed.process.kill('SIGKILL');
    await crashed.exited;
    expect(await isAlive(leftover)).toBe(true);
    const next = dev(env);
    await next.ready;
    expect(next.output()).toContain(`adopting the Temporal dev server at 127.0.0.1:${grpc} (pid ${leftover}) that an earlier Baton left running on this data directory`);
    expect(next.output()).toMatch(/Temporal server: +up at \S+ \(Baton's dev server/);
    expect(await next.stop()).toBe(0);
    expect(next.output()).toContain('Temporal dev server');
    await nothingLeft(env, next, grpc);
  });

  it('a dev server of another data directory is used, named as such, and left running', async () => {
    const { env: first, grpc } = await ownEnv();
    const owner = dev(first);
    await owner.ready;
    const { env: second } = await ownEnv(grpc);
    const guest = dev(second);
    await guest.ready;
    expect(guest.output()).toMatch(
      /reusing the Temporal server already running at \S+: a Temporal dev server of another data directory \(pid \d+, database [^)]*baton\.db\); Baton did not start it/,
    );
    expect(guest.output()).toMatch(/Temporal server: +up at \S+ \(not started by this Baton/);
    expect(await guest.stop()).toBe(0);
    expect(guest.output()).not.toContain(', Temporal dev server');
    expect(await portOpen(grpc)).toBe(true);
    expect(await owner.stop()).toBe(0);
    await nothingLeft(first, owner, grpc);
  });
});
