// wait_any: the first of several runs to finish, or the first run of all that finished at or after
// a time. Bounded waits (under MCP clients' request limit) with progress as they go.
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { RunView } from '../domain/run-view.js';
import { isFinalStatus } from '../domain/vocabulary.js';
import { visibilityQuery } from './run-list.js';
import { viewFromExecution } from './run-views.js';
import type { RunsClient } from './runs.js';
import { PROGRESS_EVERY_MS, waitForClose } from './wait-close.js';

/** How often finished_since asks visibility again. */
const VISIBILITY_POLL_MS = 1000;
/** finished_since looks at this many finished runs at most, to find the earliest. */
const MAX_SCANNED = 1000;

export interface WaitAnyOptions {
  maxWaitMs: number;
  signal?: AbortSignal;
  /** Called about every two seconds while nothing has finished. */
  onProgress?: (message: string) => void;
}

export interface WaitAnyOutcome {
  finished: boolean;
  /** The run that finished first; null when none did in time. */
  run: RunView | null;
  /** run_ids mode: the runs that are still going (pass them again to wait on the rest). */
  still_running: string[];
  /** finished_since mode: pass this as finished_since to get the run that finished after this one. */
  next_finished_since: string | null;
}

/**
 * The first of these runs to finish. One that has finished already is returned at once (the
 * earliest finished, when several have). An unknown run id is refused before any waiting.
 */
export async function waitAnyOf(runs: RunsClient, runIds: readonly string[], opts: WaitAnyOptions): Promise<WaitAnyOutcome> {
  const ids = [...new Set(runIds)];
  const deadline = Date.now() + opts.maxWaitMs;
  // Which runs have finished is in their memos; their workers are asked only for progress. The
  // ids waited on are the caller's, never a view's (a run's memo can name it otherwise before its
  // first workflow task: a scheduled run's carries its schedule's id prefix).
  let going = ids;
  let views = await Promise.all(going.map((id) => runs.published(id)));
  for (;;) {
    const done = views.filter((v) => isFinalStatus(v.status)).sort((a, b) => (a.finished_at ?? '').localeCompare(b.finished_at ?? ''));
    going = going.filter((_, i) => !isFinalStatus(views[i].status));
    if (done.length > 0) return { finished: true, run: done[0], still_running: going, next_finished_since: null };
    if (Date.now() >= deadline || opts.signal?.aborted) return { finished: false, run: null, still_running: going, next_finished_since: null };
    await waitForFirstClose(runs.client, going, Math.min(PROGRESS_EVERY_MS, deadline - Date.now()), opts.signal);
    // Progress needs the live views (a query each); without it, the memos say enough.
    views = await Promise.all(going.map((id) => (opts.onProgress ? runs.get(id) : runs.published(id))));
    if (opts.onProgress && !views.some((v) => isFinalStatus(v.status))) opts.onProgress(progressLine(views));
  }
}

/** The first run (of all) whose workflow closed at or after `since`, waiting for one if none has. */
export async function waitFinishedSince(client: Client, since: string, opts: WaitAnyOptions): Promise<WaitAnyOutcome> {
  const query = visibilityQuery({ finished_since: since });
  const deadline = Date.now() + opts.maxWaitMs;
  let lastProgress = Date.now();
  for (;;) {
    const first = await earliestClosed(client, query);
    if (first) return { finished: true, run: first.view, still_running: [], next_finished_since: new Date(first.closedAt.getTime() + 1).toISOString() };
    if (Date.now() >= deadline || opts.signal?.aborted) return { finished: false, run: null, still_running: [], next_finished_since: since };
    await delay(Math.min(VISIBILITY_POLL_MS, deadline - Date.now()), undefined, opts.signal ? { signal: opts.signal } : {}).catch(() => undefined);
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      opts.onProgress?.(`no run has finished since ${since} yet`);
    }
  }
}

/** Visibility cannot sort by close time (SQL visibility has no ORDER BY): the earliest is found by a scan. */
async function earliestClosed(client: Client, query: string): Promise<{ view: RunView; closedAt: Date } | null> {
  let first: { view: RunView; closedAt: Date } | null = null;
  let scanned = 0;
  for await (const execution of client.workflow.list({ query, pageSize: 100 })) {
    const closedAt = execution.closeTime;
    const view = closedAt ? viewFromExecution(execution) : null;
    if (view && closedAt && (!first || closedAt < first.closedAt)) first = { view, closedAt };
    if (++scanned >= MAX_SCANNED) break;
  }
  return first;
}

/** Returns when one of the runs closes, or after `ms`, whichever is first. */
async function waitForFirstClose(client: Client, runIds: readonly string[], ms: number, signal?: AbortSignal): Promise<void> {
  const others = new AbortController();
  const onAbort = () => others.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race(runIds.map((id) => waitForClose(client, id, ms, others.signal)));
  } finally {
    others.abort();
    signal?.removeEventListener('abort', onAbort);
  }
}

function progressLine(views: readonly RunView[]): string {
  const counts = new Map<string, number>();
  for (const v of views) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  const latest = views.filter((v) => v.last_message).sort((a, b) => b.last_seq - a.last_seq)[0];
  return `none of ${views.length} finished yet (${summary})${latest ? `; ${latest.run_id}: ${latest.last_message!.split('\n')[0].slice(0, 120)}` : ''}`;
}
