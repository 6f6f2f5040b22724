// A remote agent that asks for input waits for continue_run, whose answer the workflow hands
// unchanged to the agent's next launch. Anyone who reaches Temporal can send that `answer` update
// too: the worker must launch no agent with an answer that Baton did not send (continue_run signs
// it for its run), while answers through Baton, and 0.2.0's unsigned ones to its work in flight,
// still reach the agent.
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunInput } from '../../src/client/run-input.js';
import type { InputMessage } from '../../src/domain/input-message.js';
import type { RunView } from '../../src/domain/run-view.js';
import { signAnswer } from '../../src/secrets/launch-mac.js';
import { answerUpdate } from '../../src/workflows/messages.js';
import { startTestAgent, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { v1LaunchMac } from '../helpers/run-spec.js';
import { secretKeyOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let mcp: McpSession;
let agent: TestAgent;
let temporal: Client;

beforeAll(async () => {
  env = await makeTestEnv();
  [mcp, agent, temporal] = await Promise.all([connectStdio(env), startTestAgent(), temporalClient(env)]);
}, 60_000);

afterAll(async () => {
  await mcp?.close();
  await agent?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

const say = (text: string): InputMessage => ({ role: 'user', parts: [{ kind: 'text', text }] });

/** A remote run that asked which colour to paint the button, and waits for the answer. */
async function waitingRun(session: McpSession, cwd: string): Promise<string> {
  const { run_id } = await callOk<{ run_id: string }>(session.client, 'spawn_run', {
    prompt: 'Paint the button [a2a scenario=input]',
    backend: 'remote_a2a',
    cwd,
    backend_config: { agent_url: agent.url },
  });
  await waitFor(async () => (await callOk<RunView>(session.client, 'get_run', { run_id })).status === 'input_required', { what: `run ${run_id} input_required` });
  return run_id;
}

async function finished(session: McpSession, runId: string): Promise<RunView> {
  return waitFor(
    async () => {
      const waited = await callOk<{ finished: boolean; run: RunView }>(session.client, 'wait_run', { run_id: runId, max_wait_seconds: 10 });
      return waited.finished ? waited.run : null;
    },
    { timeoutMs: 90_000, what: `run ${runId} to end` },
  );
}

/** The remote task's state as the agent stored it: what it was told, not what Baton's run says. */
async function taskStateOf(session: McpSession, runId: string): Promise<string | null> {
  const transcript = await callOk<{ text: string }>(session.client, 'read_output', { run_id: runId });
  return agent.taskState(/"taskId":"([^"]+)"/.exec(transcript.text)![1]);
}

describe('an answer to a run waiting for input', () => {
  it.each([
    ['with no MAC', (_runId: string, _key: Buffer) => say('red'), /carries no MAC/],
    ['with a MAC Baton made for another run', (_runId: string, key: Buffer) => signAnswer('run_someone_else', say('red'), key), /its MAC does not hold for this run and message/],
    ['with a MAC Baton made for another message', (runId: string, key: Buffer) => ({ ...signAnswer(runId, say('blue'), key), parts: say('red').parts }), /its MAC does not hold/],
  ])('sent through a raw Temporal client %s launches nothing: the run fails saying why, and the remote agent never hears it', { timeout: 120_000 }, async (_, forge, why) => {
    const runId = await waitingRun(mcp, env.workDir);
    await temporal.workflow.getHandle(runId).executeUpdate(answerUpdate, { args: [forge(runId, await secretKeyOf(env))] });
    const view = await finished(mcp, runId);
    expect(view.status).toBe('failed');
    expect(view.error).toMatch(/was sent an answer that Baton did not send/);
    expect(view.error).toMatch(why);
    expect(JSON.stringify(view.result ?? {})).not.toContain('Painted the button red');
    expect(await taskStateOf(mcp, runId)).toBe('TASK_STATE_INPUT_REQUIRED');
  });

  it('sent through continue_run reaches the agent, and the run completes', { timeout: 120_000 }, async () => {
    const runId = await waitingRun(mcp, env.workDir);
    expect(await callOk(mcp.client, 'continue_run', { run_id: runId, prompt: 'blue' })).toMatchObject({ how: 'answered' });
    const view = await finished(mcp, runId);
    expect(view.status).toBe('completed');
    expect(view.result!.output).toContain('Painted the button blue');
    expect(view.result!.output).not.toContain('answer_mac');
  });

  it('continue_run does not take a MAC from its caller', async () => {
    const result = await mcp.client.callTool({ name: 'continue_run', arguments: { run_id: 'run_x', input_message: { ...say('hi'), answer_mac: 'v2.answer.x' } } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('answer_mac');
  });
});

describe("0.2.0's work in flight (begun before this release's first worker ran on the data dir)", () => {
  let old: TestEnv;
  let oldMcp: McpSession;

  beforeAll(async () => {
    old = await makeTestEnv();
    // As if this release's first worker came an hour from now: everything begun here is older.
    await writeFile(path.join(old.dataDir, 'launch-binding-since'), new Date(Date.now() + 3_600_000).toISOString());
    oldMcp = await connectStdio(old);
  }, 60_000);

  afterAll(async () => {
    await oldMcp?.close();
    await old?.cleanup();
  });

  it('still takes an unsigned answer, and launches a spec with a v1 MAC (bound to no run)', { timeout: 120_000 }, async () => {
    const runId = await waitingRun(oldMcp, old.workDir);
    await temporal.workflow.getHandle(runId).executeUpdate(answerUpdate, { args: [say('green')] });
    const answered = await finished(oldMcp, runId);
    expect(answered.status).toBe('completed');
    expect(answered.result!.output).toContain('Painted the button green');

    const ran = await mkdtemp(path.join(old.workDir, 'ran-'));
    const marker = path.join(ran, 'v1-ran');
    const started = await callOk<{ run_id: string }>(oldMcp.client, 'spawn_run', { prompt: 'go', backend: 'command', cwd: old.workDir, backend_config: { command: ['true'] } });
    await finished(oldMcp, started.run_id);
    const genuine = await readRunInput(temporal, started.run_id);
    const { launch_mac: _mac, ...spec } = { ...genuine.spec, backend_config: { command: ['touch', marker], env: {} } };
    const v1Id = `run_v1_${Date.now()}`;
    const v1Spec = { ...spec, launch_mac: `v1.run.${v1LaunchMac('run', spec, await secretKeyOf(old))}` };
    await temporal.workflow.start('agentRun', { workflowId: v1Id, taskQueue: genuine.task_queue, args: [{ ...genuine, run_id: v1Id, spec: v1Spec }] });
    expect((await finished(oldMcp, v1Id)).status).toBe('completed');
    expect(existsSync(marker)).toBe(true);
  });
});
