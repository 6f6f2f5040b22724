import { describe, expect, it } from 'vitest';
import type { EventBatch, LineGroup } from '../../src/domain/event-batch.js';
import { EVENT_RING_CAPACITY, RunLedger } from '../../src/domain/run-ledger.js';
import type { RunWorkflowInput } from '../../src/domain/run-spec.js';
import { commandSpec } from '../helpers/run-spec.js';

const input: RunWorkflowInput = {
  run_id: 'run_test',
  created_at: '2026-01-01T00:00:00.000Z',
  args_hash: 'x',
  task_queue: 'baton',
  timings: { heartbeat_timeout_ms: 20_000, kill_grace_ms: 5000, host_wait_ms: 60_000 },
  spec: commandSpec({ input: { role: 'user', parts: [{ kind: 'text', text: 'first line\nsecond line' }] } }),
};

const now = new Date('2026-01-01T00:00:01.000Z');
const line = (end: number, text: string, stream: 'stdout' | 'stderr' = 'stdout'): LineGroup => ({
  stream,
  end,
  events: [{ ts: now.toISOString(), type: stream === 'stdout' ? 'agent_message' : 'stderr', data: { text } }],
});
const batch = (...groups: LineGroup[]): EventBatch => ({ attempt: 1, groups });

describe('RunLedger', () => {
  it('numbers events from 1 without gaps', () => {
    const ledger = new RunLedger(input);
    ledger.setStatus('running', now);
    ledger.applyBatch(batch(line(4, 'a'), line(8, 'b')));
    expect(ledger.events(0, 100).events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('drops lines it already has when a retried activity sends them again', () => {
    const ledger = new RunLedger(input);
    ledger.applyBatch(batch(line(4, 'a'), line(8, 'b')));
    const taken = ledger.applyBatch(batch(line(8, 'b'), line(12, 'c'), line(3, 'e', 'stderr')));
    expect(taken).toBe(2);
    const texts = ledger.events(0, 100).events.map((e) => e.data.text);
    expect(texts).toEqual(['a', 'b', 'c', 'e']);
    expect(ledger.offsets).toEqual({ stdout: 12, stderr: 3 });
  });

  it('returns events after a cursor and says how many the ring no longer holds', () => {
    const ledger = new RunLedger(input);
    const groups = Array.from({ length: EVENT_RING_CAPACITY + 100 }, (_, i) => line(i + 1, `l${i}`));
    ledger.applyBatch(batch(...groups));
    const page = ledger.events(0, 10);
    expect(page.missed).toBe(100);
    expect(page.events[0].seq).toBe(101);
    expect(page.last_seq).toBe(EVENT_RING_CAPACITY + 100);
  });

  it('merges facts: totals replace, per-turn usage adds up', () => {
    const ledger = new RunLedger(input);
    const usage = { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    ledger.applyBatch(
      batch({ stream: 'stdout', end: 1, events: [], facts: { usage_add: usage } }, { stream: 'stdout', end: 2, events: [], facts: { usage_add: usage, session_id: 's1' } }),
    );
    expect(ledger.facts.usage).toEqual({ ...usage, input_tokens: 2, output_tokens: 4 });
    expect(ledger.facts.session_id).toBe('s1');
  });

  it('a clean exit completes the run; the output is the tail of the messages when the agent reports none', () => {
    const ledger = new RunLedger(input);
    ledger.setStatus('running', now);
    ledger.applyBatch(batch(line(2, 'hello'), line(4, 'world')));
    const result = ledger.finishFromExit({ exit_code: 0, signal: null }, new Date(now.getTime() + 500));
    expect(result).toMatchObject({ status: 'completed', output: 'hello\nworld', exit_code: 0, error: null, elapsed_ms: 500 });
    expect(ledger.view(now).prompt_preview).toBe('first line');
  });

  it('a failed exit explains how it ended, with what the agent reported and its stderr', () => {
    const ledger = new RunLedger(input);
    ledger.applyBatch(batch(line(5, 'permission denied', 'stderr'), { stream: 'stdout', end: 1, events: [], facts: { is_error: true, output: 'Not logged in' } }));
    const result = ledger.finishFromExit({ exit_code: 1, signal: null }, now);
    expect(result.status).toBe('failed');
    expect(result.error).toBe('command agent exited with code 1: Not logged in; stderr ends with: permission denied');
  });
});
