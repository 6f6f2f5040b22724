// Reading a run as a client does once it has ended: wait_run until it finishes, every event the
// run still keeps (poll_events page by page), and its whole stdout transcript (read_output).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { callOk } from './mcp.js';

export async function waitDone(client: Client, runId: string): Promise<RunView> {
  for (;;) {
    const waited = await callOk<{ finished: boolean; run: RunView }>(client, 'wait_run', { run_id: runId, max_wait_seconds: 30 });
    if (waited.finished) return waited.run;
  }
}

/**
 * Every event still kept, oldest first, and how many were missed on the way (older than what the
 * run keeps; read_output has them). Each page must go on from its cursor: its first event is the
 * cursor plus what it reports missed, plus one, and the page's own events have no gap.
 */
export async function allEvents(client: Client, runId: string): Promise<{ events: RunEvent[]; missed: number }> {
  const events: RunEvent[] = [];
  let cursor = 0;
  let missed = 0;
  for (;;) {
    const page = await callOk<{ events: RunEvent[]; next_after_seq: number; last_seq: number; missed: number }>(client, 'poll_events', {
      run_id: runId,
      after_seq: cursor,
      limit: 1000,
    });
    if (page.events.length > 0) {
      expect(
        page.events.map((e) => e.seq),
        `events of ${runId} after seq ${cursor}`,
      ).toEqual(page.events.map((_, i) => cursor + page.missed + i + 1));
    }
    missed += page.missed;
    events.push(...page.events);
    if (page.events.length === 0 || page.next_after_seq >= page.last_seq) return { events, missed };
    cursor = page.next_after_seq;
  }
}

/** The run's whole stdout, page by page. */
export async function transcript(client: Client, runId: string): Promise<string> {
  const chunks: string[] = [];
  let offset = 0;
  for (;;) {
    const page = await callOk<{ text: string; next_offset: number; eof: boolean }>(client, 'read_output', { run_id: runId, offset, limit_bytes: 1_048_576 });
    chunks.push(page.text);
    if (page.eof || page.next_offset === offset) return chunks.join('');
    offset = page.next_offset;
  }
}
