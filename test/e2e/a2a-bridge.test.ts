// The compiled A2A bridge (dist/a2a/bridge.js) against a real A2A agent built on @a2a-js/sdk's
// server (test/fixtures/a2a/test-agent.ts). The bridge is built first when dist/ is older than
// its sources; under `npm test` the pretest build already did it.
// BATON_A2A_RECORD=1 also writes each recorded run's stdout to test/fixtures/a2a/recordings/,
// the input of test/unit/a2a-stream.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A2aStreamParser } from '../../src/activities/backends/a2a-stream.js';
import type { FactsPatch, NewEvent } from '../../src/domain/event-batch.js';
import { runBridge, startBridge, shape, endLine, ensureBridgeBuilt, textMessage, ROOT, type BridgeExit, type Line } from '../fixtures/a2a/run-bridge.js';
import { startTestAgent, TEST_AGENT_TOKEN, type TestAgent } from '../fixtures/a2a/test-agent.js';

let agent: TestAgent;
const TMP = mkdtempSync(path.join(os.tmpdir(), 'a2a-bridge-test-'));

beforeAll(async () => {
  await ensureBridgeBuilt();
  agent = await startTestAgent();
});
afterAll(async () => {
  await agent?.close();
  rmSync(TMP, { recursive: true, force: true });
});

function record(name: string, run: BridgeExit): void {
  if (!process.env.BATON_A2A_RECORD) return;
  const dir = path.join(ROOT, 'test', 'fixtures', 'a2a', 'recordings');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.jsonl`), run.stdout);
}

/** What Baton's parser makes of the run. */
function parse(run: BridgeExit): { events: NewEvent[]; facts: FactsPatch } {
  const parser = new A2aStreamParser();
  const events: NewEvent[] = [];
  const facts: FactsPatch = {};
  for (const line of run.stdout.split('\n').filter(Boolean)) {
    const outcome = parser.parse(line, 'ts');
    events.push(...outcome.events);
    Object.assign(facts, outcome.facts);
  }
  return { events, facts };
}

const artifactTexts = (lines: Line[]) =>
  lines.flatMap((l) => ((l.a2a?.artifactUpdate?.artifact as { parts: Array<{ text?: string }> } | undefined)?.parts ?? []).map((p) => p.text).filter(Boolean));
const scenario = (name: string, extra = '') => textMessage(`Please run this. [a2a scenario=${name}${extra ? ` ${extra}` : ''}]`);

describe('A2A bridge', () => {
  it('streams a task to completion: status, text chunks, data and file artifacts, then the whole task', async () => {
    const run = await runBridge(['--agent-url', agent.url], { message: scenario('complete') });
    record('complete', run);
    expect(run.code).toBe(0);
    expect(shape(run.lines)).toEqual([
      'bridge:connected',
      'task/stream',
      'statusUpdate/stream',
      'artifactUpdate/stream',
      'artifactUpdate/stream',
      'artifactUpdate/stream',
      'artifactUpdate/stream',
      'statusUpdate/stream',
      'task/final',
      'bridge:end',
    ]);
    const end = endLine(run.lines);
    expect(end).toMatchObject({ outcome: 'completed', state: 'TASK_STATE_COMPLETED', exit_code: 0 });
    const { events, facts } = parse(run);
    expect(facts).toMatchObject({
      is_error: false,
      output: 'The answer is 42.',
      structured_output: { answer: 42, verdict: 'approve' },
      task_id: end.task_id,
      session_id: end.context_id,
    });
    expect(events.filter((e) => e.type === 'file_changed').map((e) => e.data)).toEqual([
      expect.objectContaining({ name: 'report.md', uri: 'https://example.test/report.md', media_type: 'text/markdown' }),
    ]);
  });

  it('a task that needs input ends with exit 0 and the question; the answer sent with --task-id completes the same task', async () => {
    const asked = await runBridge(['--agent-url', agent.url], { message: scenario('input') });
    record('input-required', asked);
    expect(asked.code).toBe(0);
    const question = endLine(asked.lines);
    expect(question).toMatchObject({ outcome: 'input_required', state: 'TASK_STATE_INPUT_REQUIRED' });
    expect(parse(asked).facts).toMatchObject({ remote_status: 'input_required', output: 'Which colour should the button be?' });

    const taskId = String(question.task_id);
    const contextId = String(question.context_id);
    const answered = await runBridge(['--agent-url', agent.url, '--context-id', contextId, '--task-id', taskId], { message: textMessage('blue') });
    record('input-answered', answered);
    expect(answered.code).toBe(0);
    expect(endLine(answered.lines)).toMatchObject({ outcome: 'completed', task_id: taskId, context_id: contextId });
    expect(parse(answered).facts).toMatchObject({ output: 'Painted the button blue.', task_id: taskId, session_id: contextId });
  });

  it('SIGTERM cancels the remote task, prints its answer and exits 143 within the grace period', async () => {
    const bridge = startBridge(['--agent-url', agent.url], { message: scenario('long') });
    const working = await bridge.waitForLine((l) => l.a2a?.statusUpdate !== undefined);
    const taskId = String(working.a2a!.statusUpdate.taskId);
    const signalled = Date.now();
    bridge.child.kill('SIGTERM');
    const run = await bridge.exited;
    record('cancelled', run);
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(run.code).toBe(143);
    const cancel = run.lines.find((l) => l.source === 'cancel');
    expect(cancel?.a2a?.task?.status).toMatchObject({ state: 'TASK_STATE_CANCELED' });
    expect(endLine(run.lines)).toMatchObject({ outcome: 'interrupted', signal: 'SIGTERM', state: 'TASK_STATE_CANCELED', task_id: taskId, exit_code: 143 });
    expect(await agent.taskState(taskId)).toBe('TASK_STATE_CANCELED');
  });

  it('SIGINT does the same and exits 130', async () => {
    const bridge = startBridge(['--agent-url', agent.url], { message: scenario('long') });
    const working = await bridge.waitForLine((l) => l.a2a?.statusUpdate !== undefined);
    bridge.child.kill('SIGINT');
    const run = await bridge.exited;
    expect(run.code).toBe(130);
    expect(endLine(run.lines)).toMatchObject({ signal: 'SIGINT', state: 'TASK_STATE_CANCELED' });
    expect(await agent.taskState(String(working.a2a!.statusUpdate.taskId))).toBe('TASK_STATE_CANCELED');
  });

  it('an agent that never answers the cancel request cannot hold the bridge past its 5 s budget', async () => {
    const bridge = startBridge(['--agent-url', agent.url], { message: scenario('long', 'ignore_cancel=1 steps=300') });
    await bridge.waitForLine((l) => l.a2a?.statusUpdate !== undefined);
    const signalled = Date.now();
    bridge.child.kill('SIGTERM');
    const run = await bridge.exited;
    expect(Date.now() - signalled).toBeLessThan(6_000);
    expect(run.code).toBe(143);
    expect(run.stderr).toContain('cancelling task');
    expect(endLine(run.lines)).toMatchObject({ outcome: 'interrupted', signal: 'SIGTERM', state: 'TASK_STATE_WORKING' });
  });

  it.each(['destroy', 'end'])('a stream the server cuts (%s) is picked up again by resubscribe, losing nothing and repeating nothing', async (drop) => {
    const run = await runBridge(['--agent-url', agent.url], { message: scenario('drop', `drop=${drop}`) });
    record(`dropped-${drop}`, run);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('ended before the task stopped');
    expect(shape(run.lines)).toContain('task/resubscribe');
    expect(artifactTexts(run.lines)).toEqual(['Part one. ', 'Part two.']);
    expect(endLine(run.lines)).toMatchObject({ outcome: 'completed' });
    const { events, facts } = parse(run);
    expect(facts).toMatchObject({ output: 'Part one. Part two.', structured_output: { parts: 2, complete: true } });
    expect(events.filter((e) => e.type === 'agent_message' && e.data.artifact).map((e) => e.data.text)).toEqual(['Part one. ', 'Part two.', '{"parts":2,"complete":true}']);
  });

  it('--resume-task follows a task whose first bridge died, from where it is, to the end', async () => {
    const first = startBridge(['--agent-url', agent.url], { message: scenario('long', 'steps=15') });
    const working = await first.waitForLine((l) => l.a2a?.statusUpdate !== undefined);
    first.child.kill('SIGKILL');
    await first.exited;
    const taskId = String(working.a2a!.statusUpdate.taskId);

    const run = await runBridge(['--agent-url', agent.url, '--resume-task', taskId]);
    record('resumed', run);
    expect(run.code).toBe(0);
    expect(run.lines[0]).toMatchObject({ bridge: 'connected', resume_task: taskId });
    expect(shape(run.lines)[1]).toBe('task/resubscribe');
    expect(endLine(run.lines)).toMatchObject({ outcome: 'completed', task_id: taskId });
    expect(parse(run).facts).toMatchObject({ output: 'The long job is done.', task_id: taskId });
  });

  it('--resume-task of a task that already ended reads it and exits with its outcome', async () => {
    const done = await runBridge(['--agent-url', agent.url], { message: scenario('fail') });
    const taskId = String(endLine(done.lines).task_id);
    const run = await runBridge(['--agent-url', agent.url, '--resume-task', taskId]);
    expect(run.code).toBe(1);
    expect(shape(run.lines)).toEqual(['bridge:connected', 'task/poll', 'bridge:end']);
    expect(endLine(run.lines)).toMatchObject({ outcome: 'failed', task_id: taskId });
  });

  it('an agent whose card says streaming: false is sent the message, then polled to the end', async () => {
    const run = await runBridge(['--agent-url', agent.noStreamUrl], { message: scenario('complete') });
    record('no-streaming', run);
    expect(run.code).toBe(0);
    expect(run.lines[0]).toMatchObject({ streaming: false });
    const kinds = shape(run.lines);
    expect(kinds[1]).toBe('task/send');
    expect(kinds.some((k) => k.endsWith('/stream') || k.endsWith('/resubscribe'))).toBe(false);
    expect(parse(run).facts).toMatchObject({ is_error: false, output: 'The answer is 42.', structured_output: { answer: 42, verdict: 'approve' } });
  });

  it("an A2A v0.3 agent is reached through the SDK's compat layer: the same lines, a dropped stream resumed with tasks/resubscribe", async () => {
    const run = await runBridge(['--agent-url', agent.v03Url], { message: scenario('drop') });
    expect(run.code).toBe(0);
    expect(run.lines[0]).toMatchObject({ transport: 'JSONRPC', protocol_version: '0.3' });
    expect(shape(run.lines)).toContain('task/resubscribe');
    expect(artifactTexts(run.lines)).toEqual(['Part one. ', 'Part two.']);
    expect(parse(run).facts).toMatchObject({ is_error: false, output: 'Part one. Part two.', structured_output: { parts: 2, complete: true } });
  });

  it('headers from BATON_A2A_HEADERS reach the agent (its card too); without them the agent refuses and the bridge says so', async () => {
    const allowed = await runBridge(['--agent-url', agent.secureUrl], { message: scenario('complete'), headers: { Authorization: `Bearer ${TEST_AGENT_TOKEN}` } });
    expect(allowed.code).toBe(0);
    expect(endLine(allowed.lines)).toMatchObject({ outcome: 'completed' });

    const refused = await runBridge(['--agent-url', agent.secureUrl], { message: scenario('complete') });
    expect(refused.code).toBe(2);
    expect(endLine(refused.lines)).toMatchObject({ outcome: 'error', error: expect.stringMatching(/agent card at .*\/secure\/.* 401/) });
    expect(parse(refused).facts).toMatchObject({ is_error: true, error: expect.stringContaining('401') });
  });

  it('a header value with a newline ends the bridge with an error that names the header and never shows the value', async () => {
    const value = `abc\nsecret-${Date.now()}`;
    const run = await runBridge(['--agent-url', agent.url], { message: scenario('complete'), headers: { 'X-Api-Key': value } });
    expect(run.code).toBe(2);
    expect(endLine(run.lines)).toMatchObject({ outcome: 'error', error: expect.stringContaining('header X-Api-Key holds a control character') });
    const everything = JSON.stringify(run);
    expect(everything).not.toContain(value.slice(4));
    expect(everything).not.toContain(JSON.stringify(value).slice(1, -1));
  });

  it("a failed task exits 1 with the agent's reason", async () => {
    const run = await runBridge(['--agent-url', agent.url], { message: scenario('fail') });
    record('failed', run);
    expect(run.code).toBe(1);
    expect(endLine(run.lines)).toMatchObject({ outcome: 'failed', state: 'TASK_STATE_FAILED', error: expect.stringContaining('The build broke: 3 tests failed.') });
    expect(parse(run).facts).toMatchObject({ is_error: true, error: "the remote agent's task failed: The build broke: 3 tests failed." });
  });

  it('a rejected task exits 1 and the run becomes rejected', async () => {
    const run = await runBridge(['--agent-url', agent.url], { message: scenario('reject') });
    record('rejected', run);
    expect(run.code).toBe(1);
    expect(endLine(run.lines)).toMatchObject({ outcome: 'rejected', error: expect.stringContaining('I only review Python code.') });
    expect(parse(run).facts).toMatchObject({ remote_status: 'rejected', output: 'I only review Python code.' });
  });

  it('auth-required exits 0 with the state in the last line', async () => {
    const run = await runBridge(['--agent-url', agent.url], { message: scenario('auth') });
    record('auth-required', run);
    expect(run.code).toBe(0);
    expect(endLine(run.lines)).toMatchObject({ outcome: 'auth_required', state: 'TASK_STATE_AUTH_REQUIRED' });
    expect(parse(run).facts).toMatchObject({ remote_status: 'auth_required', output: expect.stringContaining('Sign in') });
  });

  it('a Message reply (no task) ends the bridge with exit 0', async () => {
    const run = await runBridge(['--agent-url', agent.url], { message: scenario('message') });
    record('message-reply', run);
    expect(run.code).toBe(0);
    expect(shape(run.lines)).toEqual(['bridge:connected', 'message/stream', 'bridge:end']);
    expect(endLine(run.lines)).toMatchObject({ outcome: 'message', task_id: null });
    expect(parse(run).facts).toMatchObject({ output: 'Hello from a plain message.', is_error: false });
  });

  it('sends data and file parts; a file given by local path travels as its content', async () => {
    const file = path.join(TMP, 'notes.txt');
    writeFileSync(file, 'local notes');
    const run = await runBridge(['--agent-url', agent.url], {
      message: {
        role: 'user',
        parts: [
          { kind: 'text', text: '[a2a scenario=echo]' },
          { kind: 'data', data: { ticket: 7 } },
          { kind: 'file', file: { uri: file, mimeType: 'text/plain' } },
          { kind: 'file', file: { uri: 'https://example.test/spec.pdf', name: 'spec.pdf' } },
        ],
      },
    });
    expect(run.code).toBe(0);
    expect(parse(run).facts.structured_output).toEqual({
      received: [
        { kind: 'text', text: '[a2a scenario=echo]' },
        { kind: 'data', data: { ticket: 7 } },
        { kind: 'file', filename: 'notes.txt', mediaType: 'text/plain', bytes: 11, content: 'local notes' },
        { kind: 'file', filename: 'spec.pdf', mediaType: '', url: 'https://example.test/spec.pdf' },
      ],
    });
  });

  it('bad input, bad arguments and an unreachable agent exit 2 with a reason', async () => {
    const notJson = await runBridge(['--agent-url', agent.url], { message: 'hello' });
    expect(notJson.code).toBe(2);
    expect(endLine(notJson.lines).error).toContain('stdin is not JSON');

    const noUrl = await runBridge([], { message: scenario('complete') });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('--agent-url is required');

    const unreachable = await runBridge(['--agent-url', 'http://127.0.0.1:9/'], { message: scenario('complete') });
    expect(unreachable.code).toBe(2);
    expect(endLine(unreachable.lines).error).toContain('could not read the agent card at http://127.0.0.1:9/.well-known/agent-card.json');
  });
});
