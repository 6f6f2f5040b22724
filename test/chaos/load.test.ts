// Many runs at once through one worker: 20 runs of 10,000 lines and 200 runs of 50 lines. Every
// run's events, read live with a cursor as a client would, are gapless and equal to its
// transcript; the worker's memory stays bounded.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { followEvents } from '../helpers/follow.js';
import { callOk, connectStdio, startWorkerProcess, type McpSession, type WorkerProcess } from '../helpers/mcp.js';

let env: TestEnv;
let mcp: McpSession;
let worker: WorkerProcess;

beforeAll(async () => {
  env = await makeTestEnv({ BATON_MAX_CONCURRENT_AGENTS: '250' });
  [mcp, worker] = await Promise.all([connectStdio(env, ['--no-worker']), startWorkerProcess(env)]);
});

afterAll(async () => {
  await worker?.stop();
  await mcp?.close();
  await env?.cleanup();
});

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/**
 * A shell agent (a few hundred kB, where a Node one would be tens of MB): `count` lines, a burst at
 * a time with a pause between, so that a client polling every run keeps within the events a run
 * keeps live (older ones are in the transcript only).
 */
function shellAgent(count: number, burst: number) {
  const script = `i=1; while [ $i -le ${count} ]; do echo "line $i"; [ $((i % ${burst})) -eq 0 ] && sleep 0.5; i=$((i+1)); done`;
  return { command: ['/bin/sh', '-c', script] };
}

async function transcriptLines(runId: string): Promise<string[]> {
  let offset = 0;
  let text = '';
  for (;;) {
    const page = await callOk<{ text: string; next_offset: number; eof: boolean }>(mcp.client, 'read_output', { run_id: runId, offset, limit_bytes: 1_048_576 });
    text += page.text;
    offset = page.next_offset;
    if (page.eof) return text.split('\n').filter(Boolean);
  }
}

async function runMany(count: number, lines: number, burst: number): Promise<void> {
  const runIds = await Promise.all(
    Array.from(
      { length: count },
      async (_, i) =>
        (await callOk<{ run_id: string }>(mcp.client, 'spawn_run', { prompt: `load ${i}`, backend: 'command', cwd: env.workDir, backend_config: shellAgent(lines, burst) })).run_id,
    ),
  );
  const followed = await Promise.all(runIds.map((id) => followEvents(mcp.client, id)));
  for (const [i, { events, status }] of followed.entries()) {
    expect(status).toBe('completed');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, k) => k + 1));
    const messages = events.filter((e) => e.type === 'agent_message').map((e) => e.data.text);
    expect(messages).toEqual(await transcriptLines(runIds[i]));
    expect(messages).toHaveLength(lines);
  }
}

describe('under load', () => {
  it('20 concurrent runs of 10,000 lines: every run gapless and equal to its transcript', async () => {
    const before = await rssMb(worker.pid);
    // 200 lines a second a run (4000 in all): a follower has 10 s between two polls before its
    // events leave the ring, room enough on a 2-core machine that also runs the 20 agents.
    await runMany(20, 10_000, 100);
    const after = await rssMb(worker.pid);
    // Bounded: the worker does not keep what it has sent (generous, to hold on any machine).
    expect(after - before).toBeLessThan(400);
  });

  it('200 concurrent runs of 50 lines: every run gapless and equal to its transcript', async () => {
    const before = await rssMb(worker.pid);
    await runMany(200, 50, 50);
    const after = await rssMb(worker.pid);
    expect(after - before).toBeLessThan(400);
    const listed = await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { status: 'completed', limit: 100 });
    expect(listed.runs).toHaveLength(100);
  });
});
