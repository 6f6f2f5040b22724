// The agentRun workflow against the real dev server, with an in-process worker and real agent
// processes: queries, end states, both ways of cancelling, timeouts, a worker that shuts down.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsClient } from '../../src/client/runs.js';
import { spawnRunInputSchema } from '../../src/domain/spawn-input.js';
import type { RunEvent } from '../../src/domain/run-view.js';
import type { BatonWorker } from '../../src/temporal/worker.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { inProcessWorker, processesOf, runsClient, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let client: Client;
let runs: RunsClient;
let worker: BatonWorker;

beforeAll(async () => {
  env = await makeTestEnv();
  client = await temporalClient(env);
  runs = await runsClient(env, client);
  worker = await inProcessWorker(env, client);
});

afterAll(async () => {
  await worker?.shutdown();
  await client?.connection.close();
  await env?.cleanup();
});

function spawnCommand(flags: string[], extra: Record<string, unknown> = {}) {
  return runs.spawn(spawnRunInputSchema.parse({ prompt: 'do the thing', backend: 'command', cwd: env.workDir, backend_config: fakeAgent(...flags), ...extra }));
}

async function allEvents(runId: string): Promise<RunEvent[]> {
  return (await runs.events(runId, 0, 1000)).events;
}

function expectGapless(events: RunEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

describe('agentRun', () => {
  it('answers the status and events queries while the agent runs', async () => {
    const { run_id } = await spawnCommand(['--lines', '3', '--delay-ms', '100', '--sleep-ms', '60000']);
    const handle = client.workflow.getHandle(run_id);
    const live = await waitFor(
      async () => {
        const view = await handle.query(statusQuery);
        return view.status === 'running' && view.last_message === 'line 3' ? view : null;
      },
      { what: 'three lines while running' },
    );
    expect(live.host).toBe(env.config.hostId);
    const page = await runs.events(run_id, 0, 100);
    expect(page.status).toBe('running');
    expect(page.events.filter((e) => e.type === 'agent_message').map((e) => e.data.text)).toEqual(['line 1', 'line 2', 'line 3']);
    const after = await runs.events(run_id, page.last_seq, 100);
    expect(after.events).toEqual([]);
    await runs.cancel(run_id, 'test over', 20_000);
  });

  it('ends Completed in Temporal, with the RunResult as its value and in its memo', async () => {
    const { run_id } = await spawnCommand(['--stdin', '--lines', '2']);
    const result = await client.workflow.getHandle(run_id).result();
    expect(result.status).toBe('completed');
    expect(result.exit_code).toBe(0);
    expect(result.output).toContain('stdin: do the thing');
    const description = await client.workflow.getHandle(run_id).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes.BatonStatus).toEqual(['completed']);
    expect(description.searchAttributes.BatonKind).toEqual(['run']);
    expect((description.memo?.view as { result: { status: string } }).result.status).toBe('completed');
    expectGapless(await allEvents(run_id));
  });

  it("takes a quick run's last events from the activity's result: one signal (the launch), every line once", async () => {
    const { run_id } = await spawnCommand(['--lines', '5']);
    const outcome = await runs.wait(run_id, { maxWaitMs: 30_000 });
    expect(outcome.view.status).toBe('completed');
    const events = await allEvents(run_id);
    expectGapless(events);
    expect(events.filter((e) => e.type === 'agent_message').map((e) => e.data.text)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    const history = (await client.workflow.getHandle(run_id).fetchHistory()).events!;
    const signals = history.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'eventBatch');
    expect(signals).toHaveLength(1);
    const result = history.find((e) => e.activityTaskCompletedEventAttributes)!.activityTaskCompletedEventAttributes!.result!.payloads![0];
    const outcomeOfActivity = JSON.parse(Buffer.from(result.data!).toString('utf8')) as { kind: string; batch?: { groups: unknown[] } };
    expect(outcomeOfActivity.kind).toBe('exited');
    expect(outcomeOfActivity.batch!.groups.length).toBeGreaterThan(0);
  });

  it('ends Failed in Temporal when the agent exits non-zero, saying how and with its stderr', async () => {
    const { run_id } = await spawnCommand(['--stderr', 'something broke', '--exit-code', '3']);
    const outcome = await runs.wait(run_id, { maxWaitMs: 30_000 });
    expect(outcome.view.status).toBe('failed');
    expect(outcome.view.error).toContain('exited with code 3');
    expect(outcome.view.error).toContain('something broke');
    expect((await client.workflow.getHandle(run_id).describe()).status.name).toBe('FAILED');
  });

  it('cancel_run (signal, then cancel request) stops the whole process tree and ends Canceled', async () => {
    const pidFile = path.join(env.workDir, 'cancel-pids');
    const { run_id } = await spawnCommand(['--ignore-sigterm', '--grandchild', '--setsid-grandchild', '--pid-file', pidFile, '--sleep-ms', '120000']);
    await waitFor(async () => (await readFile(pidFile, 'utf8').catch(() => '')).trim().split('\n').length >= 3, { what: 'agent and grandchildren' });
    expect((await processesOf(run_id)).length).toBeGreaterThanOrEqual(3);
    const { view } = await runs.cancel(run_id, 'changed my mind', 30_000);
    expect(view.status).toBe('cancelled');
    expect(view.error).toBe('changed my mind');
    expect(await processesOf(run_id)).toEqual([]);
    expect((await client.workflow.getHandle(run_id).describe()).status.name).toBe('CANCELLED');
    const events = await allEvents(run_id);
    expect(events.at(-1)).toMatchObject({ type: 'run_cancelled', data: { reason: 'changed my mind' } });
  });

  it('a bare Temporal cancel request (Web UI, temporal workflow cancel) ends the run the same way', async () => {
    const pidFile = path.join(env.workDir, 'bare-cancel-pids');
    const { run_id } = await spawnCommand(['--grandchild', '--pid-file', pidFile, '--sleep-ms', '120000']);
    await waitFor(async () => (await readFile(pidFile, 'utf8').catch(() => '')).trim().split('\n').length >= 2, { what: 'agent and grandchild' });
    await client.workflow.getHandle(run_id).cancel();
    const outcome = await runs.wait(run_id, { maxWaitMs: 30_000 });
    expect(outcome.view.status).toBe('cancelled');
    expect(await processesOf(run_id)).toEqual([]);
    expect((await client.workflow.getHandle(run_id).describe()).status.name).toBe('CANCELLED');
  });

  it('timeout_seconds ends the run timed_out (Failed in Temporal) and stops the agent', async () => {
    const { run_id } = await spawnCommand(['--sleep-ms', '120000'], { timeout_seconds: 2 });
    const outcome = await runs.wait(run_id, { maxWaitMs: 30_000 });
    expect(outcome.view.status).toBe('timed_out');
    expect(outcome.view.error).toContain('timed out after 2 s');
    expect(await processesOf(run_id)).toEqual([]);
    const description = await client.workflow.getHandle(run_id).describe();
    expect(description.status.name).toBe('FAILED');
    expect(description.searchAttributes.BatonStatus).toEqual(['timed_out']);
  });

  it('visibility finds a run by BatonStatus while it runs and after it ends', async () => {
    const { run_id } = await spawnCommand(['--sleep-ms', '120000']);
    const query = (status: string) => `WorkflowId = '${run_id}' AND BatonStatus = '${status}'`;
    const count = async (status: string) => (await client.workflow.count(query(status))).count;
    await waitFor(async () => (await count('running')) === 1, { what: 'BatonStatus running in visibility' });
    await runs.cancel(run_id, 'done looking', 20_000);
    await waitFor(async () => (await count('cancelled')) === 1, { what: 'BatonStatus cancelled in visibility' });
  });
});

describe('the agent process', () => {
  it('reads its prompt from a 0600 file on stdin, never from its command line, and carries BATON_RUN_ID', async () => {
    const secret = `prompt-marker-${Date.now()}`;
    const { run_id } = await runs.spawn(
      spawnRunInputSchema.parse({ prompt: secret, backend: 'command', cwd: env.workDir, backend_config: fakeAgent('--stdin', '--env', 'BATON_RUN_ID', '--sleep-ms', '60000') }),
    );
    const said = async () => (await runs.events(run_id, 0, 100)).events.map((e) => e.data.text);
    await waitFor(async () => (await said()).includes(`stdin: ${secret}`), { what: 'the agent echoing its input' });
    expect(await said()).toContain(`BATON_RUN_ID=${run_id}`);
    const pids = await processesOf(run_id);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) expect(await readFile(`/proc/${pid}/cmdline`, 'latin1')).not.toContain(secret);
    const promptFile = path.join(env.config.dataDir, 'runs', run_id, 'prompt');
    expect((await stat(promptFile)).mode & 0o777).toBe(0o600);
    await runs.cancel(run_id, 'seen enough', 20_000);
  });

  it('a missing claude binary fails the run at once, saying how to fix it', async () => {
    const saved = process.env.BATON_CLAUDE_BIN;
    process.env.BATON_CLAUDE_BIN = path.join(env.workDir, 'no-such-claude');
    try {
      const { run_id } = await runs.spawn(spawnRunInputSchema.parse({ prompt: 'hi', backend: 'claude_code', cwd: env.workDir }));
      const outcome = await runs.wait(run_id, { maxWaitMs: 20_000 });
      expect(outcome.view.status).toBe('failed');
      expect(outcome.view.error).toContain('BATON_CLAUDE_BIN is set to');
      expect(outcome.view.error).toContain('not an executable file');
    } finally {
      process.env.BATON_CLAUDE_BIN = saved;
    }
  });

  it("shows role, backend and the prompt's first line as the workflow summary in the Web UI", async () => {
    const { run_id } = await runs.spawn(
      spawnRunInputSchema.parse({ prompt: '\nRefactor the parser\nmore detail', backend: 'command', cwd: env.workDir, backend_config: fakeAgent() }),
    );
    const description = await client.workflow.getHandle(run_id).describe();
    expect(await description.staticSummary()).toBe('worker · command · Refactor the parser');
    await runs.wait(run_id, { maxWaitMs: 20_000 });
  });
});

describe('agentRun across a worker restart', () => {
  it('a worker that shuts down leaves the agent running, and the next worker re-attaches without gaps or duplicates', async () => {
    const { run_id } = await spawnCommand(['--lines', '40', '--delay-ms', '100']);
    await waitFor(async () => (await runs.get(run_id)).last_seq >= 7, { what: 'five lines', intervalMs: 20 });
    await worker.shutdown();
    expect((await processesOf(run_id)).length).toBeGreaterThan(0);
    worker = await inProcessWorker(env, client);
    const outcome = await runs.wait(run_id, { maxWaitMs: 40_000 });
    expect(outcome.view.status).toBe('completed');
    const events = await allEvents(run_id);
    expectGapless(events);
    const lines = events.filter((e) => e.type === 'agent_message').map((e) => e.data.text);
    expect(lines).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i + 1}`));
    expect(events.some((e) => e.type === 'reattached')).toBe(true);
    expect(outcome.view.attempt).toBeGreaterThan(1);
  });
});
