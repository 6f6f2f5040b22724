// `codex exec --json`, as the real CLI 0.169.0 printed it (test/fixtures/codex), read into
// Baton's events and facts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodexStreamParser } from '../../src/activities/backends/codex-stream.js';
import type { FactsPatch, NewEvent } from '../../src/domain/event-batch.js';
import { ROOT } from '../helpers/env.js';

function parseFixture(name: string): { events: NewEvent[]; facts: FactsPatch; threadId: string } {
  const parser = new CodexStreamParser();
  const events: NewEvent[] = [];
  const facts: FactsPatch = {};
  const text = readFileSync(path.join(ROOT, 'test', 'fixtures', 'codex', `${name}.jsonl`), 'utf8');
  for (const line of text.split('\n').filter(Boolean)) {
    const outcome = parser.parse(line, 'ts');
    events.push(...outcome.events);
    Object.assign(facts, outcome.facts);
  }
  const threadId = text ? (JSON.parse(text.split('\n')[0]) as { thread_id: string }).thread_id : '';
  return { events, facts, threadId };
}

const types = (events: NewEvent[]) => events.map((e) => e.type);
const of = (events: NewEvent[], type: NewEvent['type']) => events.filter((e) => e.type === type).map((e) => e.data);

describe('codex exec --json', () => {
  it("a plain answer: its text as output, the thread id as session, the turn's usage", () => {
    const { events, facts, threadId } = parseFixture('success-text');
    expect(types(events)).toEqual(['agent_message', 'usage']);
    expect(events[0].data).toEqual({ item_id: 'item_0', text: '2 + 2 = 4.' });
    expect(facts).toMatchObject({ session_id: threadId, output: '2 + 2 = 4.', is_error: false, num_turns: 1 });
    expect(facts.usage).toEqual({ input_tokens: 10234, output_tokens: 12, cache_read_input_tokens: 8064, cache_creation_input_tokens: 0 });
    expect(events[1].data).toMatchObject({ input_tokens: 10234, cache_read_input_tokens: 8064, reasoning_output_tokens: 0, thread_total: true });
  });

  it('reasoning, and each command once as it starts and once as it ends, with exit code and output', () => {
    const { events, facts } = parseFixture('command-execution');
    expect(types(events)).toEqual(['reasoning', 'command_started', 'command_finished', 'command_started', 'command_finished', 'agent_message', 'usage']);
    expect(of(events, 'reasoning')[0].text).toMatch(/^\*\*Listing the files\*\*/);
    expect(of(events, 'command_started')[0]).toEqual({ item_id: 'item_1', command: "/bin/bash -lc 'ls -1'" });
    expect(of(events, 'command_finished')).toEqual([
      { item_id: 'item_1', command: "/bin/bash -lc 'ls -1'", exit_code: 0, status: 'completed', output: 'README.md\nsrc\n' },
      { item_id: 'item_2', command: "/bin/bash -lc 'cat notes.txt'", exit_code: 1, status: 'failed', output: 'cat: notes.txt: No such file or directory\n' },
    ]);
    expect(facts.usage!.output_tokens).toBe(166);
  });

  it('a command the reviewer declined ends with status declined and no exit code', () => {
    const { events } = parseFixture('command-declined');
    expect(of(events, 'command_finished')[0]).toMatchObject({ exit_code: null, status: 'declined' });
  });

  it('a patch is one file_changed event with its changes; the last message is the output', () => {
    const { events, facts } = parseFixture('file-change');
    expect(types(events)).toEqual(['agent_message', 'file_changed', 'agent_message', 'usage']);
    expect(of(events, 'file_changed')[0]).toEqual({
      item_id: 'item_1',
      status: 'completed',
      changes: [
        { path: '/tmp/baton-recording/codex-project/README.md', kind: 'update' },
        { path: '/tmp/baton-recording/codex-project/hello.txt', kind: 'add' },
      ],
    });
    expect(facts.output).toMatch(/^Created `hello.txt`/);
  });

  it('the todo list on start and on each change, not again when it completes unchanged', () => {
    const { events } = parseFixture('todo-list');
    const todos = of(events, 'todo_updated');
    expect(todos.map((t) => (t.items as { completed: boolean }[]).map((i) => i.completed))).toEqual([
      [false, false],
      [true, false],
    ]);
    expect(todos[0].items).toEqual([
      { text: 'List the files', completed: false },
      { text: 'Report what is there', completed: false },
    ]);
  });

  it('MCP tool calls: started with their arguments, finished with the result text or the error', () => {
    const { events } = parseFixture('mcp-tool-call');
    expect(types(events)).toEqual(['tool_started', 'tool_finished', 'tool_started', 'tool_finished', 'agent_message', 'usage']);
    expect(of(events, 'tool_started')[0]).toEqual({
      item_id: 'item_0',
      tool_use_id: 'item_0',
      name: 'mcp__notes__read_note',
      server: 'notes',
      tool: 'read_note',
      input: { name: 'todo' },
    });
    expect(of(events, 'tool_finished')).toEqual([
      { item_id: 'item_0', tool_use_id: 'item_0', name: 'mcp__notes__read_note', server: 'notes', tool: 'read_note', is_error: false, output: 'Ship the codex backend.' },
      { item_id: 'item_1', tool_use_id: 'item_1', name: 'mcp__notes__fail_note', server: 'notes', tool: 'fail_note', is_error: true, output: 'the notes store is locked' },
    ]);
    const denied = of(parseFixture('mcp-approval-required').events, 'tool_finished')[0];
    expect(denied).toMatchObject({ is_error: true, output: 'MCP tool call requires approval, but approval policy is never' });
  });

  it('a web search is a tool named web_search with its query', () => {
    const { events } = parseFixture('web-search');
    expect(types(events)).toEqual(['tool_started', 'tool_finished', 'agent_message', 'usage']);
    expect(of(events, 'tool_started')[0]).toMatchObject({
      name: 'web_search',
      query: 'codex exec --json event types',
      input: { type: 'search', query: 'codex exec --json event types' },
    });
    expect(of(events, 'tool_finished')[0]).toMatchObject({ name: 'web_search', is_error: false });
  });

  it('with an output schema, the final message parsed as JSON is the structured output', () => {
    expect(parseFixture('output-schema').facts).toMatchObject({ structured_output: { answer: 4, explanation: '2 + 2 equals 4.' }, is_error: false });
    const prose = parseFixture('output-schema-not-json').facts;
    expect(prose.output).toBe('The answer is 4.');
    expect(prose).not.toHaveProperty('structured_output');
  });

  it('a resumed thread has the same session id; its usage is the thread total, so it replaces', () => {
    const base = parseFixture('resumed-base');
    const resumed = parseFixture('resumed');
    expect(resumed.facts.session_id).toBe(base.facts.session_id);
    expect(resumed.facts.usage!.input_tokens).toBe(base.facts.usage!.input_tokens + 10262);
    expect(resumed.facts).not.toHaveProperty('usage_add');
  });

  it("a failed turn fails the run with codex's message; error lines before it are shown, not final", () => {
    for (const [name, message] of [
      ['turn-failed', 'The model `gpt-nope` does not exist or you do not have access to it.'],
      ['quota-exceeded', 'Quota exceeded. Check your plan and billing details.'],
      ['context-window-exceeded', "Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying."],
    ] as const) {
      const { events, facts } = parseFixture(name);
      expect(facts, name).toMatchObject({ is_error: true, error: message });
      expect(events, name).toEqual([{ ts: 'ts', type: 'stderr', data: { text: message, stream: 'stdout', note: 'codex error event' } }]);
    }
    const retried = parseFixture('reconnect-failed');
    expect(of(retried.events, 'stderr').map((d) => d.text)).toEqual([expect.stringMatching(/^Reconnecting\.\.\. 1\/1 /), expect.any(String)]);
    expect(retried.facts.is_error).toBe(true);
  });

  it('a retry that succeeds leaves the run a success', () => {
    const { events, facts } = parseFixture('reconnect-then-success');
    expect(types(events)).toEqual(['stderr', 'agent_message', 'usage']);
    expect(facts.is_error).toBe(false);
  });

  it('error items (warnings) become stderr events and do not fail the run', () => {
    for (const name of ['error-item', 'websocket-fallback']) {
      const { events, facts } = parseFixture(name);
      expect(types(events), name).toEqual(['stderr', 'agent_message', 'usage']);
      expect(events[0].data).toMatchObject({ stream: 'stdout', note: 'codex error item' });
      expect(facts.is_error, name).toBe(false);
    }
  });

  it('an interrupted or killed turn reports nothing but the thread: the exit decides', () => {
    for (const name of ['interrupted', 'terminated']) {
      const { events, facts, threadId } = parseFixture(name);
      expect(events).toEqual([]);
      expect(facts).toEqual({ session_id: threadId });
    }
  });

  it('a line that is not JSON becomes a stderr event that says so; blank lines and unknown types nothing', () => {
    const parser = new CodexStreamParser();
    expect(parser.parse('Reading prompt from stdin...', 'ts').events).toEqual([
      { ts: 'ts', type: 'stderr', data: { text: 'Reading prompt from stdin...', stream: 'stdout', note: 'not JSON' } },
    ]);
    expect(parser.parse('  ', 'ts')).toEqual({ events: [] });
    expect(parser.parse('{"type":"turn.started"}', 'ts')).toEqual({ events: [] });
    expect(parser.parse('{"type":"item.plan.delta","item_id":"item_0","delta":"x"}', 'ts')).toEqual({ events: [] });
    expect(parser.parse('{"type":"item.completed","item":{"id":"item_9","type":"collab_tool_call"}}', 'ts')).toEqual({ events: [] });
  });
});
