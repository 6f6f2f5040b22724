// The run's events as the workflow keeps them: seq assigned here, a bounded ring of the newest.
// Pure, so the workflow and the unit tests share it.
import type { RunEvent } from './run-view.js';
import { boundJson, EVENT_DATA_BYTES, EVENT_FIELD_BYTES, EVENT_MAX_DEPTH, jsonBytes, RING_BYTES } from './sizes.js';
import type { EventType } from './vocabulary.js';

/** Strings in events are cut to this many bytes, at any depth; the transcript keeps the whole text. */
export const EVENT_FIELD_LIMIT = EVENT_FIELD_BYTES;

export interface EventsPage {
  events: RunEvent[];
  /** Seq of the newest event the run has. */
  last_seq: number;
  /** Events after the cursor that the ring no longer holds (read_output has them). */
  missed: number;
}

export class EventLog {
  private ring: RunEvent[];
  /** JSON bytes of each event in the ring, in step with it. */
  private sizes: number[];
  private ringBytes: number;
  private lastSeqValue: number;

  constructor(
    private readonly capacity: number,
    carried?: { events: RunEvent[]; last_seq: number },
  ) {
    this.ring = carried ? carried.events.slice(-capacity) : [];
    this.sizes = this.ring.map((e) => jsonBytes(e));
    this.ringBytes = this.sizes.reduce((a, b) => a + b, 0);
    this.lastSeqValue = carried?.last_seq ?? 0;
  }

  get lastSeq(): number {
    return this.lastSeqValue;
  }

  append(type: EventType, data: Record<string, unknown>, ts: string): RunEvent {
    const event: RunEvent = { seq: this.lastSeqValue + 1, ts, type, data: boundEventData(data) };
    this.lastSeqValue = event.seq;
    this.ring.push(event);
    const size = jsonBytes(event);
    this.sizes.push(size);
    this.ringBytes += size;
    let drop = Math.max(0, this.ring.length - this.capacity);
    let bytes = this.ringBytes;
    for (let i = 0; i < drop; i++) bytes -= this.sizes[i];
    while (bytes > RING_BYTES && drop < this.ring.length - 1) bytes -= this.sizes[drop++];
    if (drop > 0) {
      this.ring.splice(0, drop);
      this.sizes.splice(0, drop);
      this.ringBytes = bytes;
    }
    return event;
  }

  /** Events after a seq: at most `limit`, and at most about `maxBytes` of JSON (one event at least). */
  after(afterSeq: number, limit: number, maxBytes = Infinity): EventsPage {
    const oldest = this.ring[0]?.seq ?? this.lastSeqValue + 1;
    const missed = Math.max(0, oldest - afterSeq - 1);
    const events: RunEvent[] = [];
    let bytes = 0;
    for (let i = 0; i < this.ring.length && events.length < Math.max(0, limit); i++) {
      if (this.ring[i].seq <= afterSeq) continue;
      bytes += this.sizes[i];
      if (events.length > 0 && bytes > maxBytes) break;
      events.push(this.ring[i]);
    }
    return { events, last_seq: this.lastSeqValue, missed };
  }

  /** The newest events, for the memo of a finished run and for continue-as-new. */
  tail(count: number): RunEvent[] {
    return this.ring.slice(-count);
  }

  /** The newest events, at most `count` and at most `maxBytes` of JSON (UTF-8) together. */
  tailWithin(count: number, maxBytes: number): RunEvent[] {
    let bytes = 2;
    let first = this.ring.length;
    while (first > 0 && this.ring.length - first < count) {
      bytes += this.sizes[first - 1] + 1;
      if (bytes > maxBytes) break;
      first -= 1;
    }
    return this.ring.slice(first);
  }
}

/**
 * An event's data within EVENT_DATA_BYTES of JSON, every string at any depth within
 * EVENT_FIELD_LIMIT: done where events are made, before they travel, and again where the
 * workflow takes them.
 */
export function boundEventData(data: Record<string, unknown>): Record<string, unknown> {
  const bounded = boundJson(data, { maxBytes: EVENT_DATA_BYTES, fieldBytes: EVENT_FIELD_BYTES, maxDepth: EVENT_MAX_DEPTH });
  return bounded !== null && typeof bounded === 'object' && !Array.isArray(bounded) ? (bounded as Record<string, unknown>) : {};
}
