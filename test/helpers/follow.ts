// Following a run's events live with a cursor, as a client would, until the run ends.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';
import type { RunEvent } from '../../src/domain/run-view.js';
import { isFinalStatus, type RunStatus } from '../../src/domain/vocabulary.js';
import { callOk } from './mcp.js';

interface EventsPage {
  events: RunEvent[];
  next_after_seq: number;
  has_more: boolean;
  status: RunStatus;
  missed: number;
}

export interface FollowOptions {
  /** wait_seconds of each poll_events call. */
  waitSeconds?: number;
  /** Called after each page with every event seen so far. */
  onPage?: (events: RunEvent[]) => Promise<void> | void;
}

/** Every event of the run, read live; none may have left the ring before it was read. */
export async function followEvents(client: Client, runId: string, options: FollowOptions = {}): Promise<{ events: RunEvent[]; status: RunStatus }> {
  const events: RunEvent[] = [];
  let cursor = 0;
  for (;;) {
    const page = await callOk<EventsPage>(client, 'poll_events', { run_id: runId, after_seq: cursor, limit: 1000, wait_seconds: options.waitSeconds ?? 10 });
    expect(page.missed, `events of ${runId} after seq ${cursor} were no longer kept`).toBe(0);
    events.push(...page.events);
    cursor = page.next_after_seq;
    await options.onPage?.(events);
    // A finished run's last events can take more pages than one: it is done when nothing is left.
    if (isFinalStatus(page.status) && !page.has_more) return { events, status: page.status };
  }
}
