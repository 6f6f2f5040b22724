// Reading many jobs for claude-bridge's list tools: the newest runs (list_jobs, list_events) and the
// runs that finished after a cursor (list_completions, wait_any_completion), from Temporal visibility.
import { setTimeout as delay } from 'node:timers/promises';
import { listRuns, type RunFilters } from '../../../client/run-list.js';
import type { RunsClient } from '../../../client/runs.js';
import { epochSeconds } from '../../../domain/claude-bridge.js';
import type { RunView } from '../../../domain/run-view.js';
import { jobOf } from './jobs.js';

/** list_jobs and list_events look at this many runs at most, newest first (claude-bridge keeps 1000 jobs in memory). */
export const MAX_LISTED_JOBS = 500;
/** list_completions looks at this many finished runs at most. */
const MAX_SCANNED_COMPLETIONS = 1000;
const PAGE = 100;
/** The latest time a JavaScript Date holds. */
const MAX_DATE_MS = 8.64e15;

/** What reading runs needs of a RunsClient (a worker's activity has these without one). */
export type RunsReader = Pick<RunsClient, 'client'> & { options: Pick<RunsClient['options'], 'secretKey'> };

/** Runs matching the filters, page by page, up to `max`. */
export async function runsMatching(runs: RunsReader, filters: RunFilters, max: number): Promise<RunView[]> {
  const found: RunView[] = [];
  let cursor: string | null = null;
  do {
    const page = await listRuns(runs.client, filters, Math.min(PAGE, max - found.length), cursor, runs.options.secretKey);
    found.push(...page.runs);
    cursor = page.next_cursor;
  } while (cursor && found.length < max);
  return found;
}

/** claude-bridge's list_completions: jobs whose finished_at > since, oldest finish first, at most `limit` (0: all). */
export async function completionsSince(runs: RunsClient, since: number, limit: number): Promise<Record<string, unknown>[]> {
  // Visibility's CloseTime comes at or after the run's finished_at: this finds every candidate.
  const sinceMs = Math.max(0, Math.floor(since * 1000));
  if (sinceMs > MAX_DATE_MS) return []; // a cursor past any time a run can finish
  const finishedSince = new Date(sinceMs).toISOString();
  const candidates = await runsMatching(runs, { finished_since: finishedSince }, MAX_SCANNED_COMPLETIONS);
  const finished = candidates
    .map((view) => ({ view, at: epochSeconds(view.finished_at) }))
    .filter((c): c is { view: RunView; at: number } => c.at !== null && c.at > since)
    .sort((a, b) => a.at - b.at);
  return (limit > 0 ? finished.slice(0, limit) : finished).map(({ view, at }) => ({ ...jobOf(view), finished_at: at }));
}

/** claude-bridge's wait_any_completion: the completions since the cursor, waiting up to maxWaitMs for one. */
export async function waitCompletions(runs: RunsClient, since: number, maxWaitMs: number, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const completions = await completionsSince(runs, since, 50);
    if (completions.length > 0 || Date.now() >= deadline || signal?.aborted) return completions;
    // Visibility has no notification of a close: ask again each second (as claude-bridge does).
    await delay(Math.min(1000, deadline - Date.now()), undefined, signal ? { signal } : {}).catch(() => undefined);
  }
}
