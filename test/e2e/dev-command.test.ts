// `baton dev`, what `npm start` runs, with no TEMPORAL_ADDRESS: it starts its own dev server on
// SQLite, sets the namespace up, reuses a running one, and Ctrl-C leaves nothing of Baton's behind
// while agents go on and are picked up again by the next start.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATON_SEARCH_ATTRIBUTE_NAMES } from '../../src/domain/search-attributes.js';
import type { RunView } from '../../src/domain/run-view.js';
import { readProcStat } from '../../src/activities/processes.js';
import { freePort } from '../setup/temporal-server.js';
import { CLI, fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { spawnBatonDev } from '../helpers/baton-process.js';
import { callOk, connectStdio, startHttpBaton, type HttpBaton } from '../helpers/mcp.js';
import { processesOf } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let ports: { grpc: number; ui: number };

beforeAll(async () => {
  ports = { grpc: await freePort(), ui: await freePort() };
  env = await makeTestEnv({ BATON_TEMPORAL_PORT: String(ports.grpc), BATON_TEMPORAL_UI_PORT: String(ports.ui) });
  delete env.env.TEMPORAL_ADDRESS;
  delete env.env.TEMPORAL_NAMESPACE;
});

afterAll(async () => {
  await env?.cleanup();
});

async function isAlive(pid: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== null && stat.state !== 'Z';
}

function devServerPid(output: string): number {
  const match = /started the Temporal dev server at \S+ \(SQLite .*, pid (\d+)\)/.exec(output);
  expect(match, output).not.toBeNull();
  return Number(match![1]);
}

describe('baton dev (npm start)', () => {
  let first: HttpBaton;
  let runId: string;

  it("starts the dev server on SQLite with Baton's search attributes and a 30-day retention, and prints how to connect", async () => {
    first = await startHttpBaton(env);
    const out = first.output();
    expect(out).toContain(`Temporal Web UI:                http://127.0.0.1:${ports.ui}`);
    expect(out).toContain(`Baton's runs in the Web UI:     http://127.0.0.1:${ports.ui}/namespaces/default/workflows?query=BatonKind%20IN%20('run'%2C%20'pipeline')`);
    expect(out).toContain(`claude mcp add --transport http baton ${first.url}`);
    expect(out).toMatch(/temporal CLI .* from /);
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.grpc}` });
    try {
      const namespace = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(Number(namespace.config!.workflowExecutionRetentionTtl!.seconds)).toBe(30 * 24 * 3600);
      const attributes = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(attributes.customAttributes ?? {})).toEqual(expect.arrayContaining([...BATON_SEARCH_ATTRIBUTE_NAMES]));
    } finally {
      await connection.close();
    }
  });

  it('a second start reuses the running dev server, and a stdio `baton mcp` does too', async () => {
    const second = await startHttpBaton(env);
    expect(second.output()).toContain(`reusing the Temporal dev server of this data directory at 127.0.0.1:${ports.grpc}`);
    expect(second.url).not.toBe(first.url);
    expect(await second.stop()).toBe(0);
    const stdio = await connectStdio(env);
    try {
      const done = await callOk<{ run: RunView }>(stdio.client, 'dispatch', {
        prompt: 'x',
        backend: 'command',
        cwd: env.workDir,
        backend_config: fakeAgent('--lines', '1'),
      });
      expect(done.run.status).toBe('completed');
    } finally {
      await stdio.close();
    }
    expect((await callOk<RunView>(first.client, 'get_run', { run_id: (await callOk<{ runs: RunView[] }>(first.client, 'list_runs', {})).runs[0].run_id })).status).toBe(
      'completed',
    );
  });

  it('Ctrl-C stops the MCP server, the worker and the dev server; a running agent goes on and is counted', async () => {
    ({ run_id: runId } = await callOk<{ run_id: string }>(first.client, 'spawn_run', {
      prompt: 'long',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', '300', '--delay-ms', '20'),
    }));
    await waitFor(async () => (await callOk<RunView>(first.client, 'get_run', { run_id: runId })).last_seq > 3, { what: 'the agent running' });
    const serverPid = devServerPid(first.output());
    expect(await first.stop()).toBe(0);
    const out = first.output();
    expect(out).toContain('stopping Baton (SIGINT): MCP endpoint, worker, Temporal dev server');
    expect(out).toMatch(/1 run\(s\) are still running/);
    expect(out).toContain(runId);
    // The hint names a command this clone has (the next test runs it as printed).
    expect(out).toContain('To stop one: start Baton again (`npm start`), then `npx baton cancel <run_id> --reason TEXT`');
    expect(await isAlive(serverPid)).toBe(false);
    expect((await processesOf(runId)).length).toBeGreaterThan(0);
  });

  it('the next start picks the run up again and it completes without a gap', async () => {
    const again = await startHttpBaton(env);
    try {
      const done = await callOk<{ finished: boolean; run: RunView }>(again.client, 'wait_run', { run_id: runId, max_wait_seconds: 50 });
      expect(done.run.status).toBe('completed');
      const events = await callOk<{ events: { seq: number; type: string; data: { text?: string } }[] }>(again.client, 'poll_events', {
        run_id: runId,
        limit: 1000,
      });
      const lines = events.events.filter((e) => e.type === 'agent_message').map((e) => e.data.text);
      expect(lines).toEqual(Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
      // The people commands find this data directory's dev server with no TEMPORAL_ADDRESS, as the
      // Ctrl-C hint promises: `baton cancel` as printed (on a finished run: left as it was).
      const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { env: env.env, cwd: env.workDir, encoding: 'utf8' });
      expect(JSON.parse(cli('show', runId, '--json'))).toMatchObject({ run_id: runId, status: 'completed' });
      expect(cli('cancel', runId, '--reason', 'TEXT')).toContain(`${runId} completed (had already finished`);
    } finally {
      await again.stop();
    }
  });

  it('an MCP port that is taken: it says so, exits, and stops the dev server it started for nothing', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const dev = spawnBatonDev(env, { BATON_HTTP_PORT: String(port) });
      expect(await dev.exited).not.toBe(0);
      expect(dev.output()).toContain(`port ${port} on 127.0.0.1 is in use: free it or set BATON_HTTP_PORT to another port`);
      expect(await isAlive(devServerPid(dev.output()))).toBe(false);
    } finally {
      taken.close();
    }
  });
});
