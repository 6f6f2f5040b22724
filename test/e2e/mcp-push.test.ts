// Push from the stdio `baton mcp`, through the real MCP SDK client: Claude Code channel events
// (notifications/claude/channel) for the runs, channel turns and pipelines a session started
// (ends, input required, plan approval), also after a restart of the server, for no other
// session's, and none with BATON_PUSH=0. Every wait is for a condition.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Notification } from '@modelcontextprotocol/sdk/types.js';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client as TemporalClient } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelWorkflowId } from '../../src/domain/channel.js';
import { ORIGIN_MEMO_KEY } from '../../src/domain/memo.js';
import { enqueueTurnUpdate, type TurnInput } from '../../src/workflows/channel-messages.js';
import { startTestAgent, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { fakeAgent, makeTestEnv, ROOT, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const TEAM = path.join(ROOT, 'test', 'fixtures', 'bin', 'fake-team.mjs');
let env: TestEnv;
let agent: TestAgent;
let temporal: TemporalClient;
let alpha: McpSession;
let beta: McpSession;
const alphaEvents: Notification[] = [];
const betaEvents: Notification[] = [];

interface ChannelParams {
  content: string;
  meta: { run_id: string; status: string; role: string; backend: string };
}

beforeAll(async () => {
  env = await makeTestEnv();
  // beta starts runs but runs no worker: alpha's worker runs every run of this test's queue.
  [alpha, beta, agent, temporal] = await Promise.all([
    connectStdio(env, [], { BATON_SESSION: 'alpha' }, undefined, alphaEvents),
    connectStdio(env, ['--no-worker'], { BATON_SESSION: 'beta' }, undefined, betaEvents),
    startTestAgent(),
    temporalClient(env),
  ]);
});

afterAll(async () => {
  await temporal?.connection.close();
  await alpha?.close();
  await beta?.close();
  await agent?.close();
  await env?.cleanup();
});

const command = (flags: string[]) => ({ prompt: 'run it', backend: 'command', cwd: env.workDir, backend_config: fakeAgent(...flags) });
const team = (...args: string[]) => ({ backend: 'command', backend_config: { command: [process.execPath, TEAM, ...args] } });

const channelEvents = (events: Notification[]) => events.filter((n) => n.method === 'notifications/claude/channel').map((n) => n.params as unknown as ChannelParams);

/** Waits for the channel event about `id` in `status`. */
const eventFor = (events: Notification[], id: string, status: string) =>
  waitFor(() => channelEvents(events).find((e) => e.meta.run_id === id && e.meta.status === status), { timeoutMs: 60_000, what: `${status} event for ${id}` });

describe('push over stdio', () => {
  it("declares Claude Code's channel capability and explains the events in its instructions", () => {
    expect(alpha.client.getServerCapabilities()?.experimental).toEqual({ 'claude/channel': {} });
    expect(alpha.client.getInstructions()).toContain('<channel source="baton"');
  });

  it('a run the session started that completes is pushed once, with content and identifier meta', async () => {
    const { run_id } = await callOk<{ run_id: string }>(alpha.client, 'spawn_run', command(['--lines', '2']));
    const event = await eventFor(alphaEvents, run_id, 'completed');
    expect(event.meta).toEqual({ run_id, status: 'completed', role: 'worker', backend: 'command' });
    expect(event.content).toContain(run_id);
    expect(event.content).toContain('get_run');
    expect(event.content).not.toContain('\n');
    // The next run's event comes after more looks; the first is still there once.
    const next = await callOk<{ run_id: string }>(alpha.client, 'spawn_run', command(['--lines', '1']));
    await eventFor(alphaEvents, next.run_id, 'completed');
    expect(channelEvents(alphaEvents).filter((e) => e.meta.run_id === run_id)).toHaveLength(1);
  });

  it('a run another session started is pushed to that session only', async () => {
    const theirs = await callOk<{ run_id: string }>(beta.client, 'spawn_run', command(['--lines', '1']));
    await eventFor(betaEvents, theirs.run_id, 'completed');
    // alpha looks after that end: its own later run's event proves it looked past beta's.
    const ours = await callOk<{ run_id: string }>(alpha.client, 'spawn_run', command(['--lines', '1']));
    await eventFor(alphaEvents, ours.run_id, 'completed');
    expect(channelEvents(alphaEvents).map((e) => e.meta.run_id)).not.toContain(theirs.run_id);
    expect(channelEvents(betaEvents).map((e) => e.meta.run_id)).not.toContain(ours.run_id);
  });

  it('a channel turn the session started is pushed when it ends, as a run is; one another session started on the same channel is not', async () => {
    const channel = `lane-${Date.now()}`;
    const turn = (...flags: string[]) => ({ ...command(flags), channel });
    // One lane: the turns run one after another, in the order they were enqueued.
    const ours = await callOk<{ run_id: string }>(alpha.client, 'spawn_run', turn('--lines', '2'));
    const theirs = await callOk<{ run_id: string }>(beta.client, 'spawn_run', turn('--lines', '1'));
    const event = await eventFor(alphaEvents, ours.run_id, 'completed');
    expect(event.meta).toEqual({ run_id: ours.run_id, status: 'completed', role: 'worker', backend: 'command' });
    expect(event.content).toContain(ours.run_id);
    expect(event.content).toContain('get_run');
    expect(event.content).not.toContain('\n');
    const their = await eventFor(betaEvents, theirs.run_id, 'completed');
    expect(their.meta).toEqual({ run_id: theirs.run_id, status: 'completed', role: 'worker', backend: 'command' });
    // alpha's next turn ends after beta's: its event proves alpha looked past beta's end.
    const next = await callOk<{ run_id: string }>(alpha.client, 'spawn_run', turn('--lines', '1'));
    await eventFor(alphaEvents, next.run_id, 'completed');
    expect(channelEvents(alphaEvents).map((e) => e.meta.run_id)).not.toContain(theirs.run_id);
    expect(channelEvents(betaEvents).map((e) => e.meta.run_id)).not.toContain(ours.run_id);
    expect(channelEvents(alphaEvents).filter((e) => e.meta.run_id === ours.run_id)).toHaveLength(1);
    // Durable as a run's: the session is in the turn's memo, where a restarted server finds it.
    const memoOf = async (runId: string) => (await temporal.workflow.getHandle(runId).describe()).memo ?? {};
    expect((await memoOf(ours.run_id))[ORIGIN_MEMO_KEY]).toBe('alpha');
    expect((await memoOf(theirs.run_id))[ORIGIN_MEMO_KEY]).toBe('beta');
  });

  it('a channel turn ends while no process of its session runs: the next one pushes it', async () => {
    const channel = `lane-restart-${Date.now()}`;
    // The turn ends once the gate file exists, which it does only after the first process exited.
    const gate = path.join(env.dataDir, `gate-${channel}`);
    const gated = {
      command: [process.execPath, '-e', `const fs = require('node:fs'); const t = setInterval(() => fs.existsSync(process.argv[1]) && clearInterval(t), 20);`, gate],
    };
    const first = await connectStdio(env, ['--no-worker'], { BATON_SESSION: 'epsilon' });
    const { run_id } = await callOk<{ run_id: string }>(first.client, 'spawn_run', { ...command([]), backend_config: gated, channel });
    await first.close();
    await writeFile(gate, '');
    expect((await callOk<{ finished: boolean }>(alpha.client, 'wait_run', { run_id })).finished).toBe(true);
    const events: Notification[] = [];
    const second = await connectStdio(env, ['--no-worker'], { BATON_SESSION: 'epsilon' }, undefined, events);
    try {
      const event = await eventFor(events, run_id, 'completed');
      expect(event.meta).toEqual({ run_id, status: 'completed', role: 'worker', backend: 'command' });
    } finally {
      await second.close();
    }
  });

  it("the origin is the server's own: a tool argument cannot set it, and a turn enqueued straight through Temporal with one not of a session's form is refused; nothing starts", async () => {
    const channel = `lane-forged-${Date.now()}`;
    expect(await callError(alpha.client, 'spawn_run', { ...command(['--lines', '1']), channel, origin: 'beta' })).toMatch(/origin/);
    await expect(temporal.workflow.getHandle(channelWorkflowId(channel)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const { run_id } = await callOk<{ run_id: string }>(alpha.client, 'spawn_run', { ...command(['--lines', '1']), channel });
    await eventFor(alphaEvents, run_id, 'completed');
    // The channel's own turn, as the client sent it, under a new id and with a forged origin.
    const history = await temporal.workflow.getHandle(channelWorkflowId(channel)).fetchHistory();
    const accepted = history.events!.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes)!;
    const payload = accepted.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads![0];
    const sent = JSON.parse(Buffer.from(payload.data!).toString('utf8')) as TurnInput;
    expect(sent.origin).toBe('alpha');
    for (const [i, origin] of ['x'.repeat(100_000), 'alpha beta', '', 42].entries()) {
      const forged = { ...sent, run_id: `${run_id}-forged-${i}`, origin } as TurnInput;
      const refusal = await temporal.workflow
        .getHandle(channelWorkflowId(channel))
        .executeUpdate(enqueueTurnUpdate, { args: [forged], updateId: forged.run_id })
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refusal as WorkflowUpdateFailedError).cause?.message).toMatch(/^origin \(the MCP session that starts the run\) must be 1-64 letters/);
      await expect(temporal.workflow.getHandle(forged.run_id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }
  });

  it('a run that asks for input is pushed, and so is its end after the answer', async () => {
    const { run_id } = await callOk<{ run_id: string }>(alpha.client, 'spawn_run', {
      prompt: 'Paint the button [a2a scenario=input]',
      backend: 'remote_a2a',
      cwd: env.workDir,
      backend_config: { agent_url: agent.url },
    });
    const asked = await eventFor(alphaEvents, run_id, 'input_required');
    expect(asked.meta).toMatchObject({ role: 'worker', backend: 'remote_a2a' });
    expect(asked.content).toContain('continue_run');
    await callOk(alpha.client, 'continue_run', { run_id, prompt: 'blue' });
    await eventFor(alphaEvents, run_id, 'completed');
  });

  it('a pipeline waiting for plan approval is pushed, and so is its end', async () => {
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(alpha.client, 'spawn_pipeline', {
      goal: 'Gate',
      cwd: env.workDir,
      planner: team('plan', '--steps', '1'),
      worker: team('work'),
      reviewer: team('review'),
      require_plan_approval: true,
    });
    const waiting = await eventFor(alphaEvents, pipeline_id, 'awaiting_approval');
    expect(waiting.meta).toEqual({ run_id: pipeline_id, status: 'awaiting_approval', role: 'pipeline', backend: 'command' });
    expect(waiting.content).toContain('approve_plan');
    await callOk(alpha.client, 'approve_plan', { pipeline_id, decision: 'reject', reason: 'not now' });
    const ended = await eventFor(alphaEvents, pipeline_id, 'rejected');
    expect(ended.content).toContain('get_pipeline');
    // The pipeline's own step runs were not started by the session: no events of theirs.
    expect(channelEvents(alphaEvents).some((e) => e.meta.run_id.startsWith(`${pipeline_id}.`))).toBe(false);
  });

  it('a restarted server of the same session pushes the ends of runs its predecessors started, once', async () => {
    const before: Notification[] = [];
    const first = await connectStdio(env, ['--no-worker'], { BATON_SESSION: 'gamma' }, undefined, before);
    const { run_id } = await callOk<{ run_id: string }>(first.client, 'spawn_run', command(['--sleep-ms', '3000']));
    expect((await callOk<{ status: string }>(first.client, 'get_run', { run_id })).status).not.toBe('completed');
    await first.close();
    const after: Notification[] = [];
    const second = await connectStdio(env, ['--no-worker'], { BATON_SESSION: 'gamma' }, undefined, after);
    try {
      const event = await eventFor(after, run_id, 'completed');
      expect(event.meta.backend).toBe('command');
      expect(channelEvents(before)).toEqual([]);
    } finally {
      await second.close();
    }
    // A run that ends while no process of the session runs is pushed by the next one, and the
    // earlier end is not pushed again (events go out in the order of the ends, so it would come first).
    const third = await connectStdio(env, ['--no-worker'], { BATON_SESSION: 'gamma' });
    const later = await callOk<{ run_id: string }>(third.client, 'spawn_run', command(['--lines', '1']));
    await third.close();
    expect((await callOk<{ finished: boolean }>(alpha.client, 'wait_run', { run_id: later.run_id })).finished).toBe(true);
    const last: Notification[] = [];
    const fourth = await connectStdio(env, ['--no-worker'], { BATON_SESSION: 'gamma' }, undefined, last);
    try {
      await eventFor(last, later.run_id, 'completed');
      expect(channelEvents(last).map((e) => e.meta.run_id)).toEqual([later.run_id]);
    } finally {
      await fourth.close();
    }
  });

  it('BATON_PUSH=0: no capability, no watcher, no events', async () => {
    const events: Notification[] = [];
    const quiet = await connectStdio(env, ['--no-worker'], { BATON_SESSION: 'delta', BATON_PUSH: '0' }, undefined, events);
    try {
      expect(quiet.client.getServerCapabilities()?.experimental).toBeUndefined();
      const { run_id } = await callOk<{ run_id: string }>(quiet.client, 'spawn_run', command(['--lines', '1']));
      expect((await callOk<{ finished: boolean }>(quiet.client, 'wait_run', { run_id })).finished).toBe(true);
      expect(channelEvents(events)).toEqual([]);
      expect(existsSync(path.join(env.dataDir, 'push', 'delta.json'))).toBe(false);
    } finally {
      await quiet.close();
    }
  });
});
