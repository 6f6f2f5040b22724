// poll_events with `types`: the run's events of those types only, filtered here, after the run's
// events query (the workflow is not asked to filter). The cursor moves past every event read,
// matching or not, so a client never reads a skipped event again; a page that holds no match is
// followed by the next one, up to a bound, so that a rare type among many others still comes back
// in one call.
import type { RunEventsPage } from '../domain/run-ledger.js';
import type { RunEvent } from '../domain/run-view.js';
import { isFinalStatus, type EventType, type RunStatus } from '../domain/vocabulary.js';

/** Events asked of the run per read while filtering: the events query's most. */
export const FILTER_SCAN_EVENTS = 1000;
/**
 * Reads of the run's events in one filtered call. A run keeps at most 4 MiB of events live and a
 * read returns at most 1 MiB, so 5 reads cover all that a run keeps; the rest leave room for
 * waiting (wait_seconds) across events of other types.
 */
export const FILTER_MAX_READS = 10;

export interface FilteredEventsPage {
  status: RunStatus;
  events: RunEvent[];
  last_seq: number;
  next_after_seq: number;
  has_more: boolean;
  missed: number;
}

/** One read of the run's events after a seq, waiting up to `waitMs` for a new one when there is none. */
export type EventsReader = (afterSeq: number, limit: number, waitMs: number) => Promise<RunEventsPage>;

export interface FilterOptions {
  waitMs: number;
  signal?: AbortSignal;
  now?: () => number;
  maxReads?: number;
}

/**
 * At most `limit` events of `types` after `afterSeq`. `next_after_seq` is past every event read
 * (up to the last one returned when `limit` cut the page short), `has_more` says events after it
 * are already there (of any type: the next call reads on), and `missed` adds up the events after
 * the cursor each read found no longer kept live (of any type: their types are not known).
 * With `waitMs`, waits for an event of the types, reading on past others, until the time is up,
 * the run has finished, or the bound of reads is reached.
 */
export async function readEventsOfTypes(read: EventsReader, afterSeq: number, limit: number, types: readonly EventType[], opts: FilterOptions): Promise<FilteredEventsPage> {
  const wanted = new Set<string>(types);
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.waitMs;
  const maxReads = opts.maxReads ?? FILTER_MAX_READS;
  const events: RunEvent[] = [];
  let cursor = afterSeq;
  let missed = 0;
  let page: RunEventsPage;
  for (let reads = 1; ; reads++) {
    // Wait only while nothing of the types was found: a page with a match returns at once.
    const waitMs = events.length === 0 ? Math.max(0, deadline - now()) : 0;
    page = await read(cursor, FILTER_SCAN_EVENTS, waitMs);
    missed += page.missed;
    let full = false;
    for (const event of page.events) {
      if (!wanted.has(event.type)) continue;
      events.push(event);
      if (events.length >= limit) {
        // The page's later events are left for the next call: the cursor stops at this one.
        cursor = event.seq;
        full = true;
        break;
      }
    }
    if (full) break;
    cursor = page.events.at(-1)?.seq ?? cursor;
    // Nothing more to read now (no worker answered, or the wait ended with no new event), or the bound.
    if (page.events.length === 0 || reads >= maxReads) break;
    if (cursor < page.last_seq) continue;
    // Read up to the newest event: wait on only for a first match, while the run goes on.
    if (events.length > 0 || isFinalStatus(page.status) || now() >= deadline || opts.signal?.aborted) break;
  }
  return { status: page.status, events, last_seq: page.last_seq, next_after_seq: cursor, has_more: cursor < page.last_seq, missed };
}
