// A remote A2A agent (a real @a2a-js/sdk server in this test) through a real MCP client: streaming
// to the end, a question answered by continue_run on the same run, cancel, a dropped stream, and
// secret headers that never reach workflow history.
import type { Client as TemporalClient } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { startTestAgent, TEST_AGENT_TOKEN, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { historyText, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let mcp: McpSession;
let agent: TestAgent;
let temporal: TemporalClient;

beforeAll(async () => {
  env = await makeTestEnv();
  [mcp, agent, temporal] = await Promise.all([connectStdio(env), startTestAgent(), temporalClient(env)]);
});

afterAll(async () => {
  await mcp?.close();
  await agent?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

interface Waited {
  finished: boolean;
  run: RunView;
}

const remote = (prompt: string, extra: Record<string, unknown> = {}, url = agent.url) => ({
  prompt,
  backend: 'remote_a2a',
  cwd: env.workDir,
  backend_config: { agent_url: url },
  ...extra,
});

describe('remote_a2a', () => {
  it("streams the agent's work into events and ends with its artifacts, data and context id", async () => {
    const schema = { type: 'object' };
    const done = await callOk<Waited>(mcp.client, 'dispatch', remote('Review the patch [a2a scenario=complete]', { output_schema: schema }));
    expect(done.run.status).toBe('completed');
    expect(done.run.session_id).toBeTruthy();
    expect(done.run.result!.output.length).toBeGreaterThan(0);
    expect(done.run.result!.structured_output).toBeTypeOf('object');
    const events = await callOk<{ events: RunEvent[] }>(mcp.client, 'poll_events', { run_id: done.run.run_id });
    expect(events.events.filter((e) => e.type === 'agent_message').length).toBeGreaterThan(1);
    expect(events.events.some((e) => e.type === 'file_changed')).toBe(true);
  });

  it('a question makes the run input_required; continue_run answers it and the same run completes', async () => {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', remote('Paint the button [a2a scenario=input]'));
    const waiting = await waitFor(
      async () => {
        const view = await callOk<RunView>(mcp.client, 'get_run', { run_id });
        return view.status === 'input_required' ? view : null;
      },
      { what: 'input_required' },
    );
    expect(waiting.last_message).toContain('Which colour');
    const answered = await callOk<{ run_id: string; how: string }>(mcp.client, 'continue_run', { run_id, prompt: 'blue' });
    expect(answered).toMatchObject({ run_id, how: 'answered' });
    const done = await callOk<Waited>(mcp.client, 'wait_run', { run_id });
    expect(done.run.status).toBe('completed');
    expect(done.run.result!.output).toContain('Painted the button blue');
    const events = await callOk<{ events: RunEvent[] }>(mcp.client, 'poll_events', { run_id, limit: 1000 });
    expect(events.events.some((e) => e.type === 'input_required')).toBe(true);
  });

  it('cancel_run cancels the remote task too', async () => {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', remote('Work long [a2a scenario=long]'));
    const view = await waitFor(
      async () => {
        const v = await callOk<RunView>(mcp.client, 'get_run', { run_id });
        return v.last_seq > 3 ? v : null;
      },
      { what: 'the remote task working' },
    );
    const cancelled = await callOk<{ status: string }>(mcp.client, 'cancel_run', { run_id });
    expect(cancelled.status).toBe('cancelled');
    expect(view.session_id).toBeTruthy();
    const transcript = await callOk<{ text: string }>(mcp.client, 'read_output', { run_id });
    const taskId = /"taskId":"([^"]+)"/.exec(transcript.text)![1];
    expect(await agent.taskState(taskId)).toBe('TASK_STATE_CANCELED');
  });

  it('a stream the server drops mid-task is read again, and the run completes with everything', async () => {
    const done = await callOk<Waited>(mcp.client, 'dispatch', remote('Go [a2a scenario=drop drop=destroy]'));
    expect(done.run.status).toBe('completed');
    const events = await callOk<{ events: RunEvent[] }>(mcp.client, 'poll_events', { run_id: done.run.run_id, limit: 1000 });
    // The data artifact came after the cut: it arrived through the re-read task.
    expect(events.events.some((e) => e.type === 'agent_message' && e.data.data !== undefined)).toBe(true);
  });

  it("a rejected task ends the run rejected; a failed one failed, with the agent's reason", async () => {
    const rejected = await callOk<Waited>(mcp.client, 'dispatch', remote('[a2a scenario=reject]'));
    expect(rejected.run).toMatchObject({ status: 'rejected' });
    expect(rejected.run.error).toContain('I only review Python code');
    const failed = await callOk<Waited>(mcp.client, 'dispatch', remote('[a2a scenario=fail]'));
    expect(failed.run.status).toBe('failed');
    expect(failed.run.error).toContain('3 tests failed');
  });

  it('sends the bearer token to the agent, and the token never enters workflow history', async () => {
    const done = await callOk<Waited>(mcp.client, 'dispatch', remote('hi', { backend_config: { agent_url: agent.secureUrl, bearer_token: TEST_AGENT_TOKEN } }, agent.secureUrl));
    expect(done.run.status).toBe('completed');
    const history = await historyText(temporal, done.run.run_id);
    expect(history).not.toContain(TEST_AGENT_TOKEN);
    expect(history).toContain('baton-sealed:v2:');
  });

  it('a follow-up (continue_run) of a run with a bearer token reaches the agent with it, sealed again for itself', async () => {
    const first = await callOk<Waited>(mcp.client, 'dispatch', remote('hi', { backend_config: { agent_url: agent.secureUrl, bearer_token: TEST_AGENT_TOKEN } }, agent.secureUrl));
    expect(first.run.status).toBe('completed');
    const followUp = await callOk<{ run_id: string; how: string }>(mcp.client, 'continue_run', { run_id: first.run.run_id, prompt: 'and again' });
    expect(followUp.how).toBe('follow_up');
    const done = await callOk<{ finished: boolean; run: { status: string } }>(mcp.client, 'wait_run', { run_id: followUp.run_id, max_wait_seconds: 30 });
    expect(done.run.status).toBe('completed');
    const history = await historyText(temporal, followUp.run_id);
    expect(history).not.toContain(TEST_AGENT_TOKEN);
    expect(history).toContain('baton-sealed:v2:');
  });

  it('takes an input_message of text, data and file parts and sends the parts as they are', async () => {
    const done = await callOk<Waited>(mcp.client, 'dispatch', {
      backend: 'remote_a2a',
      cwd: env.workDir,
      backend_config: { agent_url: agent.url },
      input_message: {
        parts: [
          { kind: 'text', text: 'Describe what you got [a2a scenario=echo]' },
          { kind: 'data', data: { ticket: 'B-7', priority: 2 } },
          { kind: 'file', file: { bytes: Buffer.from('hello file').toString('base64'), name: 'note.txt', mimeType: 'text/plain' } },
        ],
      },
      output_schema: { type: 'object', required: ['received'] },
    });
    expect(done.run.status).toBe('completed');
    const echoed = JSON.stringify(done.run.result!.structured_output);
    expect(echoed).toContain('B-7');
    expect(echoed).toContain('note.txt');
  });
});
