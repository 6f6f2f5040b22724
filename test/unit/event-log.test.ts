import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/domain/event-log.js';

const TS = '2026-11-22T00:00:00.000Z';

function logOf(texts: string[], capacity = 100): EventLog {
  const log = new EventLog(capacity);
  for (const text of texts) log.append('agent_message', { text }, TS);
  return log;
}

describe('EventLog', () => {
  it('numbers events from 1 and reports what the ring no longer holds as missed', () => {
    const log = logOf(['a', 'b', 'c', 'd'], 2);
    expect(log.after(0, 10)).toEqual({ events: log.tail(2), last_seq: 4, missed: 2 });
    expect(log.after(3, 10).events.map((e) => e.seq)).toEqual([4]);
    expect(log.after(3, 10).missed).toBe(0);
  });

  it('tailWithin keeps the newest events up to a count', () => {
    const log = logOf(['a', 'b', 'c', 'd']);
    expect(log.tailWithin(2, 1 << 20).map((e) => e.data.text)).toEqual(['c', 'd']);
    expect(log.tailWithin(10, 1 << 20).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('tailWithin stops before the events would pass the byte budget', () => {
    const log = logOf(['x'.repeat(1000), 'y'.repeat(1000), 'z'.repeat(1000)]);
    const one = JSON.stringify(log.tail(1)[0]).length;
    expect(log.tailWithin(10, one * 2 + 10).map((e) => e.seq)).toEqual([2, 3]);
    expect(log.tailWithin(10, one - 1)).toEqual([]);
  });
});
