// Claude Code's stream-json, as the real CLI 2.1.330 printed it (test/fixtures/claude), read into
// Baton's events and facts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClaudeStreamParser } from '../../src/activities/backends/claude-stream.js';
import type { FactsPatch, NewEvent } from '../../src/domain/event-batch.js';
import { ROOT } from '../helpers/env.js';

function parseFixture(name: string): { events: NewEvent[]; facts: FactsPatch } {
  const parser = new ClaudeStreamParser();
  const events: NewEvent[] = [];
  const facts: FactsPatch = {};
  const lines = readFileSync(path.join(ROOT, 'test', 'fixtures', 'claude', `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean);
  for (const line of lines) {
    const outcome = parser.parse(line, 'ts');
    events.push(...outcome.events);
    Object.assign(facts, outcome.facts);
  }
  return { events, facts };
}

const types = (events: NewEvent[]) => events.map((e) => e.type);

describe('Claude Code stream-json', () => {
  it('a plain answer: its text, the session id from init, cost, usage and turns from the result', () => {
    const { events, facts } = parseFixture('success-text');
    expect(types(events)).toEqual(['agent_message', 'usage']);
    expect(facts.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(facts).toMatchObject({ is_error: false, num_turns: 1 });
    expect(facts.output).toBe(events[0].data.text);
    expect(facts.session_cost_usd).toBeGreaterThan(0);
    expect(facts.usage_add!.output_tokens).toBeGreaterThan(0);
  });

  it('thinking, text, tool calls and their results, each tool result named after its call', () => {
    const { events, facts } = parseFixture('tool-use');
    expect(types(events)).toEqual(['reasoning', 'agent_message', 'tool_started', 'tool_finished', 'tool_started', 'tool_finished', 'agent_message', 'usage']);
    const started = events.filter((e) => e.type === 'tool_started');
    const finished = events.filter((e) => e.type === 'tool_finished');
    expect(started[0].data).toMatchObject({ name: 'Bash' });
    expect(finished.map((e) => e.data.tool_use_id)).toEqual(started.map((e) => e.data.tool_use_id));
    expect(finished[0].data).toMatchObject({ name: 'Bash', is_error: false });
    expect(String(finished[0].data.output)).toContain('README.md');
    expect(facts).toMatchObject({ is_error: false, num_turns: 3 });
  });

  it('error subtypes fail the run with what Claude Code said', () => {
    expect(parseFixture('error-max-turns').facts).toMatchObject({
      is_error: true,
      error: expect.stringContaining('Reached maximum number of turns (1)'),
    });
    expect(parseFixture('error-max-budget-usd').facts.error).toContain('max_budget_usd');
    expect(parseFixture('error-during-execution').facts.is_error).toBe(true);
  });

  it('is_error with subtype "success" (not logged in, API errors) is still a failure', () => {
    const { facts } = parseFixture('not-logged-in');
    expect(facts).toMatchObject({ is_error: true, output: 'Not logged in · Please run /login' });
    expect(facts.error).toContain('Not logged in');
    expect(parseFixture('api-error').facts.is_error).toBe(true);
  });

  it('hook, status and other system lines, stream events and rate limits make no events', () => {
    const { events } = parseFixture('ignored-types');
    expect(events.every((e) => ['agent_message', 'reasoning', 'tool_started', 'tool_finished', 'usage'].includes(e.type))).toBe(true);
    const rateLimit = parseFixture('rate-limit-event');
    expect(rateLimit.events.some((e) => e.type === 'stderr')).toBe(false);
  });

  it('a line that is not JSON becomes a stderr event that says so, and blank lines nothing', () => {
    const parser = new ClaudeStreamParser();
    expect(parser.parse('Warning: something odd', 'ts').events).toEqual([
      { ts: 'ts', type: 'stderr', data: { text: 'Warning: something odd', stream: 'stdout', note: 'not JSON' } },
    ]);
    expect(parser.parse('   ', 'ts').events).toEqual([]);
  });
});
