// Crash recovery with real processes and real signals (heartbeat timeout 5 s): a worker killed
// with SIGKILL while its agent lives on, and a worker killed together with its agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, startWorkerProcess, type McpSession, type WorkerProcess } from '../helpers/mcp.js';
import { followEvents } from '../helpers/follow.js';
import { processesOf } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let mcp: McpSession;
let worker: WorkerProcess;

beforeAll(async () => {
  env = await makeTestEnv();
  [mcp, worker] = await Promise.all([connectStdio(env, ['--no-worker']), startWorkerProcess(env)]);
});

afterAll(async () => {
  await worker?.stop();
  await mcp?.close();
  await env?.cleanup();
});

const follow = (runId: string, onPage?: (events: RunEvent[]) => Promise<void> | void) => followEvents(mcp.client, runId, { onPage });

const messages = (events: RunEvent[]) => events.filter((e) => e.type === 'agent_message').map((e) => e.data.text);

describe('a worker killed with SIGKILL while its agent lives', () => {
  it("is replaced by a worker that re-attaches: one agent, no gap, no duplicate, the exit code from the wrapper's file", async () => {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: 'count',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', '60', '--delay-ms', '100', '--exit-code', '7'),
    });
    const agentPids = new Set<number>();
    let killed = false;
    const { events, status } = await follow(run_id, async (seen) => {
      for (const pid of await processesOf(run_id)) agentPids.add(pid);
      if (!killed && messages(seen).length >= 10) {
        killed = true;
        await worker.kill();
        expect((await processesOf(run_id)).length).toBeGreaterThan(0);
        // No worker to answer: the events are out of reach for now, not missed.
        const unanswered = await callOk<{ events: RunEvent[]; missed: number; status: string }>(mcp.client, 'poll_events', { run_id, after_seq: 0 });
        expect(unanswered).toMatchObject({ events: [], missed: 0, status: 'running' });
        worker = await startWorkerProcess(env);
      }
    });
    expect(killed).toBe(true);
    expect(status).toBe('failed');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(messages(events)).toEqual(Array.from({ length: 60 }, (_, i) => `line ${i + 1}`));
    expect(events.filter((e) => e.type === 'reattached')).toHaveLength(1);
    // The agent and its wrapper, never a second launch.
    expect(agentPids.size).toBe(2);
    const view = await callOk<RunView>(mcp.client, 'get_run', { run_id });
    expect(view.result!.exit_code).toBe(7);
    expect(view.error).toContain('exited with code 7');
  });
});

describe('a worker killed together with its agent', () => {
  async function killBoth(runId: string): Promise<void> {
    await worker.kill();
    for (const pid of await processesOf(runId)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await waitFor(async () => (await processesOf(runId)).length === 0, { what: 'the agent gone' });
    worker = await startWorkerProcess(env);
  }

  async function runAndKill(args: Record<string, unknown>): Promise<{ events: RunEvent[]; status: string; view: RunView }> {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', { cwd: env.workDir, ...args });
    let killed = false;
    const outcome = await follow(run_id, async (seen) => {
      if (!killed && messages(seen).length >= 2) {
        killed = true;
        await killBoth(run_id);
      }
    });
    return { ...outcome, view: await callOk<RunView>(mcp.client, 'get_run', { run_id }) };
  }

  it('resumes the Claude Code session (on_worker_loss resume, the default)', async () => {
    const { events, status, view } = await runAndKill({ prompt: 'Work slowly [fake-claude scenario=tool-use chatty=12 delay_ms=200]', backend: 'claude_code' });
    expect(status).toBe('completed');
    expect(events.find((e) => e.type === 'worker_lost')?.data).toMatchObject({ next: 'resume', policy: 'resume' });
    expect(events.find((e) => e.type === 'resumed')?.data).toMatchObject({ mode: 'resume', session_id: view.session_id });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('starts a command over, which has no session to resume', async () => {
    const { events, status } = await runAndKill({ prompt: 'x', backend: 'command', backend_config: fakeAgent('--lines', '8', '--delay-ms', '300') });
    expect(status).toBe('completed');
    expect(events.find((e) => e.type === 'worker_lost')?.data).toMatchObject({ next: 'restart' });
    expect(events.find((e) => e.type === 'resumed')?.data).toMatchObject({ mode: 'restart' });
    expect(messages(events).slice(-8)).toEqual(Array.from({ length: 8 }, (_, i) => `line ${i + 1}`));
  });

  it('fails with worker_lost when on_worker_loss is "fail"', async () => {
    const { status, view } = await runAndKill({
      prompt: 'x',
      backend: 'command',
      backend_config: fakeAgent('--lines', '8', '--delay-ms', '300'),
      on_worker_loss: 'fail',
    });
    expect(status).toBe('failed');
    expect(view.error).toContain('worker_lost');
    // Typed, so callers need not read the words.
    expect(view.result?.failure_kind).toBe('worker_lost');
  });
});
