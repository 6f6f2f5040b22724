// The A2A bridge's stdout, as the real bridge printed it against the test agent
// (test/fixtures/a2a/recordings, made by BATON_A2A_RECORD=1 on test/e2e/a2a-bridge.test.ts), read
// into Baton's events and facts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { A2aStreamParser } from '../../src/activities/backends/a2a-stream.js';
import type { FactsPatch, NewEvent } from '../../src/domain/event-batch.js';
import { ROOT } from '../helpers/env.js';

function parseLines(lines: string[], parser = new A2aStreamParser()): { events: NewEvent[]; facts: FactsPatch } {
  const events: NewEvent[] = [];
  const facts: FactsPatch = {};
  for (const line of lines) {
    const outcome = parser.parse(line, 'ts');
    events.push(...outcome.events);
    Object.assign(facts, outcome.facts);
  }
  return { events, facts };
}

const recording = (name: string) =>
  readFileSync(path.join(ROOT, 'test', 'fixtures', 'a2a', 'recordings', `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean);
const parseRecording = (name: string) => parseLines(recording(name));
const summary = (events: NewEvent[]) => events.map((e) => (e.type === 'agent_message' ? `${e.type}: ${String(e.data.text)}` : e.type));

describe('A2A bridge output', () => {
  it('a streamed task: status text, artifact chunks, data and a file as events; ids, output and structured output as facts', () => {
    const lines = recording('complete');
    const { events, facts } = parseLines(lines);
    expect(summary(events)).toEqual([
      'agent_message: Looking at the request.',
      'agent_message: The answer ',
      'agent_message: is 42.',
      'agent_message: {"answer":42,"verdict":"approve"}',
      'file_changed',
      'agent_message: Done.',
    ]);
    expect(events[0].data).toMatchObject({ state: 'working' });
    expect(events[1].data).toMatchObject({ artifact: { id: 'report', name: 'report' } });
    expect(events[3].data).toMatchObject({ data: { answer: 42, verdict: 'approve' }, artifact: { id: 'result' } });
    expect(events[4].data).toEqual({
      name: 'report.md',
      uri: 'https://example.test/report.md',
      media_type: 'text/markdown',
      bytes: null,
      artifact: { id: 'files', name: 'files' },
    });
    const end = JSON.parse(lines.at(-1)!) as { task_id: string; context_id: string };
    expect(facts).toEqual({
      session_id: end.context_id,
      task_id: end.task_id,
      is_error: false,
      output: 'The answer is 42.',
      structured_output: { answer: 42, verdict: 'approve' },
    });
  });

  it('the final read of the whole task makes no events, only facts', () => {
    const lines = recording('complete');
    const finalLine = lines.find((l) => l.includes('"source":"final"'))!;
    const { events, facts } = parseLines([finalLine]);
    expect(events).toEqual([]);
    expect(facts).toMatchObject({ output: 'The answer is 42.', structured_output: { answer: 42, verdict: 'approve' }, is_error: false });
  });

  it('input-required: the question is an agent message and the output; remote_status says the run waits', () => {
    const { events, facts } = parseRecording('input-required');
    expect(summary(events)).toEqual(['agent_message: Which colour should the button be?']);
    expect(events[0].data.state).toBe('input_required');
    expect(facts).toMatchObject({ remote_status: 'input_required', output: 'Which colour should the button be?' });
    expect(facts.is_error).toBeUndefined();
  });

  it("the answer's stream opens with the task as it was (prior): neither the question again nor a stop", () => {
    const { events, facts } = parseRecording('input-answered');
    expect(summary(events)).toEqual(['agent_message: Painting.', 'agent_message: Painted the button blue.', 'agent_message: Done.']);
    expect(facts.remote_status).toBeUndefined();
    expect(facts).toMatchObject({ is_error: false, output: 'Painted the button blue.' });
  });

  it('a dropped stream picked up by resubscribe: each chunk once, the whole text as output', () => {
    for (const name of ['dropped-destroy', 'dropped-end']) {
      const { events, facts } = parseRecording(name);
      expect(summary(events)).toEqual([
        'agent_message: Writing in two parts.',
        'agent_message: Part one. ',
        'agent_message: Part two.',
        'agent_message: {"parts":2,"complete":true}',
        'agent_message: All done.',
      ]);
      expect(facts).toMatchObject({ is_error: false, output: 'Part one. Part two.', structured_output: { parts: 2, complete: true } });
    }
  });

  it('a non-streaming agent: what each polled task adds becomes events, once', () => {
    const { events, facts } = parseRecording('no-streaming');
    expect(summary(events)).toEqual([
      'agent_message: The answer ',
      'agent_message: is 42.',
      'agent_message: {"answer":42,"verdict":"approve"}',
      'file_changed',
      'agent_message: Done.',
    ]);
    expect(facts).toMatchObject({ is_error: false, output: 'The answer is 42.' });
  });

  it("a task followed with --resume-task: the first snapshot's status, then what comes live", () => {
    const { events, facts } = parseRecording('resumed');
    expect(events.every((e) => e.type === 'agent_message')).toBe(true);
    expect(summary(events).at(-1)).toBe('agent_message: The long job is done.');
    expect(facts).toMatchObject({ is_error: false, output: 'The long job is done.' });
  });

  it("failed, canceled and rejected tasks: the agent's reason in the error", () => {
    expect(parseRecording('failed').facts).toMatchObject({ is_error: true, error: "the remote agent's task failed: The build broke: 3 tests failed." });
    const cancelled = parseRecording('cancelled');
    expect(cancelled.facts).toMatchObject({ is_error: true, error: expect.stringMatching(/^the remote agent's task was canceled: Stopped at step \d+ of 600\.$/) });
    expect(cancelled.events.at(-1)!.data).toMatchObject({ state: 'canceled' });
    const rejected = parseRecording('rejected').facts;
    expect(rejected).toMatchObject({ remote_status: 'rejected', output: 'I only review Python code.', error: 'the remote agent rejected the task: I only review Python code.' });
    expect(rejected.is_error).toBeUndefined();
  });

  it('auth-required: remote_status and where to sign in', () => {
    expect(parseRecording('auth-required').facts).toMatchObject({ remote_status: 'auth_required', output: expect.stringContaining('https://example.test/login') });
  });

  it('a Message reply: its text is the answer and the context the session', () => {
    const { events, facts } = parseRecording('message-reply');
    expect(summary(events)).toEqual(['agent_message: Hello from a plain message.']);
    expect(facts).toMatchObject({ is_error: false, output: 'Hello from a plain message.', session_id: expect.any(String) });
    expect(facts.task_id).toBeUndefined();
  });

  it('a transcript taken up at its end line still gives the outcome', () => {
    const end = (outcome: string, error?: string) =>
      JSON.stringify({ bridge: 'end', outcome, state: null, task_id: 't1', context_id: 'c1', exit_code: 0, ...(error ? { error } : {}) });
    expect(parseLines([end('input_required')]).facts).toEqual({ task_id: 't1', session_id: 'c1', remote_status: 'input_required' });
    expect(parseLines([end('failed', 'it broke')]).facts).toMatchObject({ is_error: true, error: 'it broke' });
    expect(parseLines([end('error', 'could not read the agent card')]).facts).toMatchObject({ is_error: true, error: 'could not read the agent card' });
    // Once the task's own stop was read, the end line does not replace what the agent said.
    const failed = recording('failed');
    expect(parseLines(failed).facts.error).toBe("the remote agent's task failed: The build broke: 3 tests failed.");
  });

  it('a re-read task that appended to an artifact makes events for the new parts only', () => {
    const update = (parts: object[], append: boolean) =>
      JSON.stringify({ a2a: { artifactUpdate: { taskId: 't', contextId: 'c', artifact: { artifactId: 'a', name: 'notes', parts }, append } }, source: 'stream' });
    const snapshot = (parts: object[]) =>
      JSON.stringify({
        a2a: { task: { id: 't', contextId: 'c', status: { state: 'TASK_STATE_WORKING' }, artifacts: [{ artifactId: 'a', name: 'notes', parts }] } },
        source: 'poll',
      });
    const { events } = parseLines([update([{ text: 'one ' }], false), snapshot([{ text: 'one ' }, { text: 'two' }]), snapshot([{ text: 'one ' }, { text: 'two' }])]);
    expect(summary(events)).toEqual(['agent_message: one ', 'agent_message: two']);
  });

  it('a line that is not JSON becomes a stderr event; blank and unknown lines make nothing', () => {
    const { events } = parseLines(['', 'oops', '{"bridge":"connected","agent":"x"}', '{"something":"new"}']);
    expect(events).toEqual([{ ts: 'ts', type: 'stderr', data: { text: 'oops', stream: 'stdout', note: 'not JSON' } }]);
  });
});
