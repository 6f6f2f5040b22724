// End to end over Streamable HTTP against the built `baton dev` (TEMPORAL_ADDRESS set, so it
// starts no dev server): stateless servers, restarts of the MCP server, reading without a worker.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, startHttpBaton, startWorkerProcess, type HttpBaton } from '../helpers/mcp.js';
import { processesOf } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let baton: HttpBaton;

beforeAll(async () => {
  env = await makeTestEnv();
  baton = await startHttpBaton(env);
});

afterAll(async () => {
  await baton?.stop();
  await env?.cleanup();
});

const longRun = () => ({ prompt: 'tick', backend: 'command', cwd: env.workDir, backend_config: fakeAgent('--lines', '100000', '--delay-ms', '50') });

describe('MCP over Streamable HTTP', () => {
  it('runs dispatch to the end, sending progress notifications while it waits', async () => {
    const progress: string[] = [];
    const result = await baton.client.callTool(
      { name: 'dispatch', arguments: { prompt: 'go', backend: 'command', cwd: env.workDir, backend_config: fakeAgent('--lines', '3', '--delay-ms', '1000') } },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? '') },
    );
    const done = result.structuredContent as { finished: boolean; run: RunView };
    expect(done.finished).toBe(true);
    expect(done.run.result!.output).toBe('line 1\nline 2\nline 3');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toContain(done.run.run_id);
  });

  it('is stateless: a second server on the same Temporal answers for a run the first one started', async () => {
    const other = await startHttpBaton(env);
    try {
      const { run_id } = await callOk<{ run_id: string }>(baton.client, 'spawn_run', longRun());
      const view = await waitFor(async () => {
        const v = await callOk<RunView>(other.client, 'get_run', { run_id });
        return v.last_seq > 3 ? v : null;
      });
      expect(view.status).toBe('running');
      await callOk(other.client, 'cancel_run', { run_id });
      expect((await callOk<RunView>(baton.client, 'get_run', { run_id })).status).toBe('cancelled');
    } finally {
      await other.stop();
    }
  });

  it('a run started before the MCP server restarts is read, waited on and cancelled from the new one', async () => {
    const { run_id } = await callOk<{ run_id: string }>(baton.client, 'spawn_run', longRun());
    await waitFor(async () => (await callOk<RunView>(baton.client, 'get_run', { run_id })).last_seq > 3);
    expect(await baton.stop()).toBe(0);
    expect((await processesOf(run_id)).length).toBeGreaterThan(0);

    baton = await startHttpBaton(env);
    const waited = await callOk<{ finished: boolean; run: RunView }>(baton.client, 'wait_run', { run_id, max_wait_seconds: 1 });
    expect(waited).toMatchObject({ finished: false, run: { status: 'running' } });
    const lastSeq = waited.run.last_seq;
    const events = await callOk<{ events: RunEvent[] }>(baton.client, 'poll_events', { run_id, after_seq: lastSeq, wait_seconds: 10 });
    expect(events.events[0].seq).toBe(lastSeq + 1);
    const cancelled = await callOk<{ status: string }>(baton.client, 'cancel_run', { run_id });
    expect(cancelled.status).toBe('cancelled');
    expect(await processesOf(run_id)).toEqual([]);
  });

  it('a finished run reads the same from a server with no worker at all', async () => {
    const done = await callOk<{ run: RunView }>(baton.client, 'dispatch', {
      prompt: 'hi',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', '2'),
      metadata: { ticket: 'B-1' },
    });
    const fromWorker = await callOk<RunView>(baton.client, 'get_run', { run_id: done.run.run_id });
    const noWorker = await connectStdio(env, ['--no-worker']);
    try {
      const client: Client = noWorker.client;
      expect(await callOk<RunView>(client, 'get_run', { run_id: done.run.run_id })).toEqual(fromWorker);
      const listed = await callOk<{ runs: RunView[] }>(client, 'list_runs', { status: 'completed', limit: 100 });
      expect(listed.runs.map((r) => r.run_id)).toContain(done.run.run_id);
    } finally {
      await noWorker.close();
    }
  });

  it('`baton worker` alone runs the agents that a server with no worker starts', async () => {
    const separate = await makeTestEnv();
    const mcp = await connectStdio(separate, ['--no-worker']);
    const worker = await startWorkerProcess(separate);
    try {
      const done = await callOk<{ run: RunView }>(mcp.client, 'dispatch', {
        prompt: 'x',
        backend: 'command',
        cwd: separate.workDir,
        backend_config: fakeAgent('--lines', '1'),
      });
      expect(done.run).toMatchObject({ status: 'completed', host: separate.config.hostId });
      const page = { run_id: done.run.run_id, limit: 1000 };
      const withWorker = await callOk<{ events: RunEvent[]; missed: number }>(mcp.client, 'poll_events', page);
      expect(await worker.stop()).toBe(0);
      // No worker at all: the finished run's memo answers, with every event of a short run.
      const withoutWorker = await callOk<{ events: RunEvent[]; missed: number }>(mcp.client, 'poll_events', page);
      expect(withoutWorker).toEqual(withWorker);
      expect(withoutWorker.missed).toBe(0);
      expect(withoutWorker.events[0].seq).toBe(1);
    } finally {
      expect(await worker.stop()).toBe(0);
      await mcp.close();
      await separate.cleanup();
    }
  });
});
