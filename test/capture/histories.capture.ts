// Captures workflow histories of real runs, for the replay test (test/replay). Run through
// `npm run capture-histories` (scripts/capture-histories.mjs), never by `npm test`: it writes
// test/fixtures/histories/<version>/, one JSON file a workflow execution, in the format of
// `temporal workflow show --output json`, and index.json, which names each file's workflow id and
// run id (replay needs the id: child workflow ids are made from it).
//
// Every workflow type and every path a release can leave in flight is here: agentRun in each end
// state and mid-run, continued-as-new segments, scheduled and follow-up runs, a remote agent that
// asked for input, runs whose worker died with their agent, a channel with queued turns, a
// pipeline mid-round, awaiting approval and continued as new, a webhook that retried, a schedule
// watcher, a claude-bridge schedule's notifier, and a transcript read on another host.
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client as TemporalClient } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxWorkflowId } from '../../src/domain/agent-inbox.js';
import { scheduleNotifierId } from '../../src/domain/bridge-schedule-notify.js';
import { channelWorkflowId } from '../../src/domain/channel.js';
import type { PipelineView } from '../../src/domain/pipeline.js';
import type { RunView } from '../../src/domain/run-view.js';
import { scheduleWatcherId } from '../../src/domain/schedule.js';
import { webhookWorkflowId } from '../../src/domain/webhook-delivery.js';
import { startTestAgent, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, startWorkerProcess, type McpSession } from '../helpers/mcp.js';
import { processesOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';
import { teamRole } from '../helpers/team.js';

const OUT = process.env.BATON_HISTORY_DIR;

let env: TestEnv;
let mcp: McpSession;
let otherHost: McpSession;
let temporal: TemporalClient;
let agent: TestAgent;
let receiver: Receiver;
const index: Record<string, { workflow_id: string; run_id: string }> = {};

beforeAll(async () => {
  if (!OUT) throw new Error('BATON_HISTORY_DIR is not set: run `npm run capture-histories`');
  await mkdir(OUT, { recursive: true });
  // Signals every 20 ms, so the long run reaches continue-as-new in seconds.
  env = await makeTestEnv({ BATON_EVENT_FLUSH_MS: '20', BATON_ALLOW_PRIVATE_WEBHOOKS: '1' });
  [mcp, temporal, agent, receiver] = await Promise.all([connectStdio(env), temporalClient(env), startTestAgent(), startReceiver((n) => ({ status: n === 1 ? 500 : 200 }))]);
});

afterAll(async () => {
  const sorted = Object.fromEntries(Object.entries(index).sort(([a], [b]) => a.localeCompare(b)));
  if (OUT) await writeFile(path.join(OUT, 'index.json'), `${JSON.stringify(sorted, null, 2)}\n`);
  await otherHost?.close();
  await mcp?.close();
  await agent?.close();
  await receiver?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

interface Waited {
  finished: boolean;
  run: RunView;
}

/** Writes one execution's history as `<workflow type>-<name>.json`. */
async function save(name: string, workflowId: string, runId?: string): Promise<void> {
  const handle = temporal.workflow.getHandle(workflowId, runId);
  const history = await handle.fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  expect(started, `${workflowId} has a started event`).toBeTruthy();
  const file = `${started!.workflowType!.name!}-${name}.json`;
  index[file] = { workflow_id: workflowId, run_id: started!.originalExecutionRunId! };
  await writeFile(path.join(OUT!, file), `${historyToJSON(history)}\n`);
}

/** Waits for a workflow to close (any way), so its saved history is whole. */
async function closed(workflowId: string): Promise<void> {
  await waitFor(async () => (await temporal.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING', {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: `${workflowId} to close`,
  });
}

const command = (flags: string[], extra: Record<string, unknown> = {}) => ({
  prompt: 'capture',
  backend: 'command',
  cwd: env.workDir,
  backend_config: fakeAgent(...flags),
  ...extra,
});
const claude = (prompt: string, extra: Record<string, unknown> = {}) => ({ prompt, backend: 'claude_code', cwd: env.workDir, ...extra });
const role = teamRole;
const spawn = (args: Record<string, unknown>) => callOk<{ run_id: string }>(mcp.client, 'spawn_run', args);
const dispatch = (args: Record<string, unknown>) => callOk<Waited>(mcp.client, 'dispatch', args);
const view = (run_id: string) => callOk<RunView>(mcp.client, 'get_run', { run_id });
const pipeline = (pipeline_id: string) => callOk<PipelineView>(mcp.client, 'get_pipeline', { pipeline_id });

describe.concurrent('histories of every workflow type', { timeout: 180_000 }, () => {
  it('agentRun in each end state', async () => {
    const completed = await dispatch(command(['--lines', '3']));
    await save('completed', completed.run.run_id);
    const failed = await dispatch(command(['--lines', '1', '--exit-code', '3']));
    expect(failed.run.status).toBe('failed');
    await save('failed-exit-code', failed.run.run_id);

    const cancelled = await spawn(command(['--lines', '1', '--sleep-ms', '60000']));
    await waitFor(async () => (await view(cancelled.run_id)).last_seq >= 2, { what: 'the agent to print' });
    await callOk(mcp.client, 'cancel_run', { run_id: cancelled.run_id });
    await closed(cancelled.run_id);
    await save('cancelled', cancelled.run_id);

    const timedOut = await dispatch(command(['--sleep-ms', '60000'], { timeout_seconds: 1 }));
    expect(timedOut.run.status).toBe('timed_out');
    await save('timed-out', timedOut.run.run_id);
  });

  it('agentRun mid-run, with an agent still printing', async () => {
    const { run_id } = await spawn(command(['--lines', '2', '--sleep-ms', '60000']));
    await waitFor(async () => (await view(run_id)).last_seq >= 3, { what: 'both lines' });
    await save('mid-run', run_id);
    await callOk(mcp.client, 'cancel_run', { run_id });
    await closed(run_id);
  });

  it('agentRun through continue-as-new segments', async () => {
    // Long enough to send more than the test server's 100 signals even on a busy machine.
    const { run_id } = await spawn(command(['--lines', '1200', '--delay-ms', '8']));
    await callOk(mcp.client, 'wait_run', { run_id, max_wait_seconds: 50 });
    await closed(run_id);
    const executions: { runId: string; status: string }[] = [];
    for await (const e of temporal.workflow.list({ query: `WorkflowId = '${run_id}'` })) executions.push({ runId: e.runId, status: e.status.name });
    expect(executions.filter((e) => e.status === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(1);
    // Oldest first. The first segment (the start), the second (carried in and out) and the last
    // (the end) cover every path; the segments between them are alike.
    executions.reverse();
    for (const [i, e] of executions.entries()) {
      const name = i === executions.length - 1 ? 'segment-last' : `segment-${i + 1}`;
      if (i < 2 || name === 'segment-last') await save(name, run_id, e.runId);
    }
  });

  it('agentRun of claude_code with structured output, and a follow-up on its session', async () => {
    const first = await dispatch(claude('Remember the number 7.', { output_schema: { type: 'object' } }));
    await save('claude-structured-output', first.run.run_id);
    const next = await callOk<{ run_id: string }>(mcp.client, 'continue_run', { run_id: first.run.run_id, prompt: 'Which number?' });
    await callOk(mcp.client, 'wait_run', { run_id: next.run_id });
    await save('continue-run-follow-up', next.run_id);
  });

  it('agentRun of a remote agent that asked for input, answered by continue_run', async () => {
    const { run_id } = await spawn({ prompt: 'Paint the button [a2a scenario=input]', backend: 'remote_a2a', cwd: env.workDir, backend_config: { agent_url: agent.url } });
    await waitFor(async () => (await view(run_id)).status === 'input_required', { what: 'input_required' });
    await save('input-required', run_id);
    await callOk(mcp.client, 'continue_run', { run_id, prompt: 'blue' });
    await callOk(mcp.client, 'wait_run', { run_id });
    await save('input-answered', run_id);
    const rejected = await dispatch({ prompt: 'Review my Rust [a2a scenario=reject]', backend: 'remote_a2a', cwd: env.workDir, backend_config: { agent_url: agent.url } });
    expect(rejected.run.status).toBe('rejected');
    await save('rejected', rejected.run.run_id);
  });

  it('agentRun with a webhook that failed once and then was delivered', async () => {
    const done = await dispatch(command(['--lines', '1'], { notify_url: receiver.url }));
    const webhook = webhookWorkflowId(done.run.run_id);
    await waitFor(() => receiver.requests.length >= 2, { timeoutMs: 30_000, what: 'the second delivery' });
    await closed(webhook);
    await save('notified', done.run.run_id);
    await save('retried-then-delivered', webhook);
  });

  it('channel with queued turns', async () => {
    const name = `capture-${Date.now()}`;
    const turns = [];
    for (const n of [1, 2, 3]) turns.push(await spawn(claude(`turn ${n} [fake-claude delay_ms=300]`, { channel: name })));
    await save('queued-turns', channelWorkflowId(name));
    for (const t of turns) await callOk(mcp.client, 'wait_run', { run_id: t.run_id });
    await save('turns-done', channelWorkflowId(name));
    await save('channel-turn', turns[1].run_id);
  });

  it('agentInbox with a holder, messages, a read, and continued as new', async () => {
    const name = `capture-${Date.now()}`;
    const held = await spawn(command(['--lines', '1'], { nickname: name }));
    const send = (text: string) => callOk<{ seq: number }>(mcp.client, 'send_agent_message', { to: name, text, from: 'capture' });
    for (const n of [1, 2, 3]) await send(`message ${n}`);
    await callOk(mcp.client, 'fetch_agent_messages', { name, after_seq: 2 });
    await callOk(mcp.client, 'wait_run', { run_id: held.run_id });
    await save('held-and-read', inboxWorkflowId(name));
    const first = (await temporal.workflow.getHandle(inboxWorkflowId(name)).describe()).runId;
    // The capture's server suggests continue-as-new at 500 events: a few hundred sends pass it.
    for (let n = 4; n <= 250; n++) await send(`message ${n}`);
    await waitFor(async () => (await temporal.workflow.getHandle(inboxWorkflowId(name)).describe()).runId !== first, { what: 'the inbox to continue as new' });
    await save('continued', inboxWorkflowId(name), first);
  });

  it('pipeline mid-round, awaiting approval, and to its end', async () => {
    const cwd = path.join(env.workDir, 'pipeline');
    if (!existsSync(cwd)) mkdirSync(cwd);
    const gated = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Write the step files',
      cwd,
      planner: role('plan', '--steps', '2'),
      worker: role('work', '--sleep-ms', '1500'),
      reviewer: role('review', '--approve-from-round', '2'),
      require_plan_approval: true,
    });
    const id = gated.pipeline_id;
    await waitFor(async () => (await pipeline(id)).status === 'awaiting_approval', { timeoutMs: 30_000, what: 'awaiting_approval' });
    await save('awaiting-approval', id);
    await callOk(mcp.client, 'approve_plan', { pipeline_id: id, decision: 'approve' });
    await waitFor(async () => (await pipeline(id)).status === 'working', { timeoutMs: 30_000, intervalMs: 100, what: 'the workers to run' });
    await save('mid-round', id);
    await waitFor(async () => ['completed', 'failed'].includes((await pipeline(id)).status), { timeoutMs: 90_000, intervalMs: 500, what: 'the pipeline to end' });
    await closed(id);
    await save('two-rounds-completed', id);
    const steps: string[] = [];
    for await (const e of temporal.workflow.list({ query: `BatonParent = '${id}'` })) steps.push(e.workflowId);
    expect(steps.length).toBeGreaterThan(2);
    for (const [i, step] of steps.sort().entries()) await save(`pipeline-step-${i + 1}`, step);
  });

  it('pipeline continued as new between steps (its history over the lowered limits), each run', async () => {
    const cwd = path.join(env.workDir, 'pipeline-long');
    if (!existsSync(cwd)) mkdirSync(cwd);
    const args = {
      goal: 'Write many step files',
      cwd,
      planner: role('plan', '--steps', '32'),
      worker: role('work'),
      reviewer: role('review', '--approve-from-round', '3'),
      max_rounds: 3,
      parallelism: 4,
    };
    // 3 rounds of 32 steps make well over the 500 events past which the capture's server suggests
    // continue-as-new, however quickly the steps end (quick steps share workflow tasks).
    const { pipeline_id: id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', args);
    await waitFor(async () => ['completed', 'failed'].includes((await pipeline(id)).status), { timeoutMs: 170_000, intervalMs: 500, what: 'the long pipeline to end' });
    await closed(id);
    const runs: { runId: string; start: number }[] = [];
    for await (const e of temporal.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push({ runId: e.runId, start: e.startTime.getTime() });
    expect(runs.length).toBeGreaterThan(1);
    for (const [i, run] of runs.sort((a, b) => a.start - b.start).entries()) await save(`continued-${i + 1}`, id, run.runId);
  });

  it('scheduleWatcher of a chained schedule, and a run its schedule started', async () => {
    const first = await callOk<{ schedule_id: string }>(mcp.client, 'schedule_run', { ...command(['--stdin'], { prompt: 'done [BATON_STOP_SCHEDULE]' }), interval_seconds: 10 });
    const second = await callOk<{ schedule_id: string }>(mcp.client, 'schedule_run', { ...command(['--stdin']), cron: '0 0 1 1 *', after_schedule_id: first.schedule_id });
    const watcher = scheduleWatcherId(second.schedule_id);
    await closed(watcher);
    await save('chained-started', watcher);
    const runs = (await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { schedule_id: first.schedule_id })).runs;
    await closed(runs[0].run_id);
    await save('scheduled', runs[0].run_id);
    await callOk(mcp.client, 'cancel_schedule', { schedule_id: second.schedule_id });
  });
});

describe("claude-bridge's schedule notifications", () => {
  it('bridgeScheduleNotifier waiting for a fire, and one that told a tick, its stop marker and the end', { timeout: 120_000 }, async () => {
    const bridge = await connectStdio(env, ['--no-worker'], { BATON_TOOL_PROFILE: 'claude-bridge', CLAUDE_BRIDGE_CWD: env.workDir });
    try {
      const schedule = async (args: Record<string, unknown>) => {
        const result = (await bridge.client.callTool({ name: 'schedule_dispatch', arguments: { channel: 'capture', notify_url: `${receiver.url}/sched`, ...args } })) as {
          content: { text: string }[];
        };
        return (JSON.parse(result.content[0].text) as { schedule_id: string }).schedule_id;
      };
      const waiting = await schedule({ prompt: 'later', interval_seconds: 3600 });
      const stopping = await schedule({ prompt: 'check, then stop [fake-claude stop_marker=1]', interval_seconds: 10, notify_on: ['tick', 'tick_with_sentinel', 'schedule_end'] });
      await closed(scheduleNotifierId(stopping));
      await save('stop-marker', scheduleNotifierId(stopping));
      await save('waiting', scheduleNotifierId(waiting));
      await callOk(mcp.client, 'cancel_schedule', { schedule_id: waiting });
    } finally {
      await bridge.close();
    }
  });
});

describe('runs whose worker was killed together with their agents', () => {
  it('resume, restart and fail as on_worker_loss says', { timeout: 120_000 }, async () => {
    // Its own Baton: an MCP server without a worker, and a worker process that can be killed.
    const lost = await makeTestEnv();
    const server = await connectStdio(lost, ['--no-worker']);
    let worker = await startWorkerProcess(lost);
    try {
      const starts = {
        'worker-lost-resumed': { prompt: 'Work slowly [fake-claude scenario=tool-use chatty=12 delay_ms=200]', backend: 'claude_code' },
        'worker-lost-restarted': { prompt: 'x', backend: 'command', backend_config: fakeAgent('--lines', '8', '--delay-ms', '300') },
        'worker-lost-failed': { prompt: 'x', backend: 'command', backend_config: fakeAgent('--lines', '8', '--delay-ms', '300'), on_worker_loss: 'fail' },
      };
      const runs: [string, string][] = [];
      for (const [name, args] of Object.entries(starts)) {
        runs.push([name, (await callOk<{ run_id: string }>(server.client, 'spawn_run', { cwd: lost.workDir, ...args })).run_id]);
      }
      for (const [, run_id] of runs) {
        await waitFor(async () => (await callOk<RunView>(server.client, 'get_run', { run_id })).last_seq >= 3, { what: `${run_id} to print` });
      }
      await worker.kill();
      for (const [, run_id] of runs) for (const pid of await processesOf(run_id)) killQuietly(pid);
      worker = await startWorkerProcess(lost);
      for (const [name, run_id] of runs) {
        await closed(run_id);
        await save(name, run_id);
      }
    } finally {
      await worker.stop();
      await server.close();
      await lost.cleanup();
    }
  });
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

describe('a transcript read through another host', () => {
  it('readTranscript', { timeout: 60_000 }, async () => {
    const done = await dispatch(command(['--lines', '2']));
    // A second Baton on another host id: it reads the transcript through the first host's worker.
    otherHost = await connectStdio(env, [], { BATON_HOST_ID: `${env.config.hostId}-other` });
    const page = await callOk<{ text: string }>(otherHost.client, 'read_output', { run_id: done.run.run_id });
    expect(page.text).toContain('line 2');
    const reads: string[] = [];
    for await (const e of temporal.workflow.list({ query: `WorkflowType = 'readTranscript' AND TaskQueue = '${env.config.taskQueue}'` })) reads.push(e.workflowId);
    expect(reads).toHaveLength(1);
    await save('other-host', reads[0]);
  });
});
