// poll_events' `types` filter (src/client/event-filter.ts) over a simulated run: its events query
// (pages of at most `pageSize` events, a ring that forgets old events) and new events that arrive
// while a read waits. No clock: a read that waits takes the next batch of arrivals at once.
import { describe, expect, it } from 'vitest';
import { readEventsOfTypes, type EventsReader } from '../../src/client/event-filter.js';
import type { RunEventsPage } from '../../src/domain/run-ledger.js';
import type { RunEvent } from '../../src/domain/run-view.js';
import type { EventType, RunStatus } from '../../src/domain/vocabulary.js';

const TS = '2026-11-30T00:00:00.000Z';

class FakeRun {
  events: RunEvent[] = [];
  status: RunStatus = 'running';
  reads: { after: number; waitMs: number }[] = [];
  /** Batches that arrive, one per read that waits with nothing new to return. */
  arrivals: { types: EventType[]; status?: RunStatus }[] = [];

  constructor(
    types: EventType[],
    private readonly pageSize = 1000,
    private readonly keep = Infinity,
  ) {
    this.add(types);
  }

  add(types: EventType[]): void {
    for (const type of types) this.events.push({ seq: this.events.length + 1, ts: TS, type, data: {} });
  }

  get lastSeq(): number {
    return this.events.length;
  }

  readonly read: EventsReader = async (after, limit, waitMs) => {
    this.reads.push({ after, waitMs });
    if (waitMs > 0 && after >= this.lastSeq && this.arrivals.length > 0) {
      const batch = this.arrivals.shift()!;
      this.add(batch.types);
      if (batch.status) this.status = batch.status;
    }
    const kept = this.events.slice(Math.max(0, this.events.length - this.keep));
    const oldest = kept[0]?.seq ?? this.lastSeq + 1;
    const page: RunEventsPage = {
      events: kept.filter((e) => e.seq > after).slice(0, Math.min(limit, this.pageSize)),
      last_seq: this.lastSeq,
      missed: Math.max(0, oldest - after - 1),
      status: this.status,
    };
    return Promise.resolve(page);
  };
}

const repeat = (type: EventType, n: number): EventType[] => Array.from({ length: n }, () => type);

describe('readEventsOfTypes', () => {
  it('returns only the events of the types, and moves the cursor past the others', async () => {
    const run = new FakeRun(['status_changed', 'run_started', 'agent_message', 'stderr', 'agent_message', 'usage']);
    run.status = 'completed';
    const page = await readEventsOfTypes(run.read, 0, 100, ['agent_message'], { waitMs: 0 });
    expect(page.events.map((e) => e.seq)).toEqual([3, 5]);
    expect(page).toMatchObject({ next_after_seq: 6, has_more: false, last_seq: 6, missed: 0, status: 'completed' });
  });

  it('stops at the limit: the cursor is on the last event returned, and has_more is true', async () => {
    const run = new FakeRun(['agent_message', 'stderr', 'agent_message', 'stderr', 'agent_message']);
    const first = await readEventsOfTypes(run.read, 0, 2, ['agent_message'], { waitMs: 0 });
    expect(first.events.map((e) => e.seq)).toEqual([1, 3]);
    expect(first).toMatchObject({ next_after_seq: 3, has_more: true });
    const second = await readEventsOfTypes(run.read, first.next_after_seq, 2, ['agent_message'], { waitMs: 0 });
    expect(second.events.map((e) => e.seq)).toEqual([5]);
    expect(second).toMatchObject({ next_after_seq: 5, has_more: false });
  });

  it('reads on past pages with no match, up to the bound of reads, and then says there is more', async () => {
    const run = new FakeRun([...repeat('agent_message', 25), 'run_completed'], 5);
    const bounded = await readEventsOfTypes(run.read, 0, 10, ['run_completed'], { waitMs: 0, maxReads: 3 });
    expect(bounded.events).toEqual([]);
    expect(bounded).toMatchObject({ next_after_seq: 15, has_more: true });
    expect(run.reads.map((r) => r.after)).toEqual([0, 5, 10]);
    const rest = await readEventsOfTypes(run.read, bounded.next_after_seq, 10, ['run_completed'], { waitMs: 0, maxReads: 3 });
    expect(rest.events.map((e) => e.seq)).toEqual([26]);
    expect(rest).toMatchObject({ next_after_seq: 26, has_more: false });
  });

  it('waits for an event of the types, reading on past events of other types that arrive first', async () => {
    const run = new FakeRun(['status_changed']);
    run.arrivals = [{ types: ['run_started'] }, { types: ['agent_message', 'usage'] }, { types: ['run_completed'], status: 'completed' }];
    const page = await readEventsOfTypes(run.read, 0, 100, ['run_completed'], { waitMs: 30_000 });
    expect(page.events.map((e) => e.type)).toEqual(['run_completed']);
    expect(page).toMatchObject({ next_after_seq: 5, has_more: false, status: 'completed' });
    expect(run.reads.every((r) => r.waitMs > 0)).toBe(true);
  });

  it('returns once the run has finished with no event of the types, its cursor at the end', async () => {
    const run = new FakeRun(['status_changed']);
    run.arrivals = [{ types: ['agent_message', 'run_completed'], status: 'completed' }, { types: ['webhook_sent'] }];
    const page = await readEventsOfTypes(run.read, 0, 100, ['input_required'], { waitMs: 30_000 });
    expect(page.events).toEqual([]);
    expect(page).toMatchObject({ next_after_seq: 3, has_more: false, status: 'completed' });
    expect(run.arrivals).toHaveLength(1);
  });

  it('does not wait once it has an event of the types', async () => {
    const run = new FakeRun(['agent_message', 'stderr']);
    run.arrivals = [{ types: ['agent_message'] }];
    const page = await readEventsOfTypes(run.read, 0, 100, ['agent_message'], { waitMs: 30_000 });
    expect(page.events.map((e) => e.seq)).toEqual([1]);
    expect(page).toMatchObject({ next_after_seq: 2, has_more: false });
    expect(run.reads).toHaveLength(1);
  });

  it('counts the events no longer kept after the cursor as missed, whatever their type', async () => {
    const run = new FakeRun([...repeat('agent_message', 8), 'stderr', 'run_completed'], 1000, 4);
    const page = await readEventsOfTypes(run.read, 2, 100, ['run_completed', 'stderr'], { waitMs: 0 });
    expect(page.missed).toBe(4);
    expect(page.events.map((e) => e.seq)).toEqual([9, 10]);
    expect(page).toMatchObject({ next_after_seq: 10, has_more: false });
  });

  it('leaves the cursor where it was when nothing can be read', async () => {
    const run = new FakeRun(['status_changed']);
    const page = await readEventsOfTypes(run.read, 1, 100, ['agent_message'], { waitMs: 0 });
    expect(page).toMatchObject({ events: [], next_after_seq: 1, has_more: false, missed: 0 });
  });
});
