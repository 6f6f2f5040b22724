// The run's events as the workflow keeps them: seq assigned here, a bounded ring of the newest.
// Pure, so the workflow and the unit tests share it.
import type { RunEvent } from './run-view.js';
import { cutHead } from './text.js';
import type { EventType } from './vocabulary.js';

/** Large string fields are cut to this many characters; the transcript keeps the whole text. */
export const EVENT_FIELD_LIMIT = 4096;

export interface EventsPage {
  events: RunEvent[];
  /** Seq of the newest event the run has. */
  last_seq: number;
  /** Events after the cursor that the ring no longer holds (read_output has them). */
  missed: number;
}

export class EventLog {
  private ring: RunEvent[];
  private lastSeqValue: number;

  constructor(
    private readonly capacity: number,
    carried?: { events: RunEvent[]; last_seq: number },
  ) {
    this.ring = carried ? carried.events.slice(-capacity) : [];
    this.lastSeqValue = carried?.last_seq ?? 0;
  }

  get lastSeq(): number {
    return this.lastSeqValue;
  }

  append(type: EventType, data: Record<string, unknown>, ts: string): RunEvent {
    const event: RunEvent = { seq: this.lastSeqValue + 1, ts, type, data: cutFields(data) };
    this.lastSeqValue = event.seq;
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    return event;
  }

  after(afterSeq: number, limit: number): EventsPage {
    const oldest = this.ring[0]?.seq ?? this.lastSeqValue + 1;
    const missed = Math.max(0, oldest - afterSeq - 1);
    const events = this.ring.filter((e) => e.seq > afterSeq).slice(0, Math.max(0, limit));
    return { events, last_seq: this.lastSeqValue, missed };
  }

  /** The newest events, for the memo of a finished run and for continue-as-new. */
  tail(count: number): RunEvent[] {
    return this.ring.slice(-count);
  }

  /** The newest events, at most `count` and at most about `maxBytes` of JSON together. */
  tailWithin(count: number, maxBytes: number): RunEvent[] {
    let bytes = 0;
    let first = this.ring.length;
    while (first > 0 && this.ring.length - first < count) {
      bytes += JSON.stringify(this.ring[first - 1]).length;
      if (bytes > maxBytes) break;
      first -= 1;
    }
    return this.ring.slice(first);
  }
}

/** Long strings cut to EVENT_FIELD_LIMIT: done where events are made, before they travel. */
export function cutFields(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    out[key] = typeof value === 'string' ? cutHead(value, EVENT_FIELD_LIMIT) : value;
  }
  return out;
}
