// list_runs, answered from Temporal visibility (search attributes + memo), so any MCP server can
// answer it, freshly started or not, with no worker running.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RunView } from '../domain/run-view.js';
import type { RunStatus } from '../domain/vocabulary.js';
import { InputError } from './errors.js';
import { viewFromExecution } from './run-views.js';

export interface RunFilters {
  /** Only runs whose workflow is still open (queued, running, waiting for input). */
  open?: boolean;
  status?: RunStatus;
  role?: string;
  backend?: string;
  channel?: string;
  parent?: string;
  /** Runs of this backend session. */
  session?: string;
  /** ISO time: only runs started at or after it. */
  created_after?: string;
  /** ISO time: only runs that finished (their workflow closed) at or after it. */
  finished_since?: string;
  /** Only runs this schedule started. */
  schedule_id?: string;
}

export interface RunPage {
  runs: RunView[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

const STATUS_NAMES: Record<number, WorkflowExecutionStatusName> = {
  1: 'RUNNING',
  2: 'COMPLETED',
  3: 'FAILED',
  4: 'CANCELLED',
  5: 'TERMINATED',
  6: 'CONTINUED_AS_NEW',
  7: 'TIMED_OUT',
};

/** A visibility query from the filters; values are quoted, so no filter can change its shape. */
export function visibilityQuery(filters: RunFilters): string {
  const clauses = [`BatonKind = 'run'`];
  if (filters.open) clauses.push(`ExecutionStatus = 'Running'`);
  const add = (attribute: string, value: string | undefined) => {
    if (value !== undefined) clauses.push(`${attribute} = ${quote(value)}`);
  };
  add('BatonStatus', filters.status);
  add('BatonRole', filters.role);
  add('BatonBackend', filters.backend);
  add('BatonChannel', filters.channel);
  add('BatonParent', filters.parent);
  add('BatonSession', filters.session);
  add('TemporalScheduledById', filters.schedule_id);
  if (filters.created_after !== undefined) clauses.push(`StartTime >= ${quote(isoTime('created_after', filters.created_after))}`);
  if (filters.finished_since !== undefined) {
    // SQL visibility matches open runs on CloseTime too: only closed ones have finished.
    clauses.push(`ExecutionStatus != 'Running'`, `CloseTime >= ${quote(isoTime('finished_since', filters.finished_since))}`);
  }
  return clauses.join(' AND ');
}

function isoTime(field: string, value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InputError(`${field} must be an ISO 8601 time such as 2026-01-31T09:00:00Z; got "${value}"`);
  return new Date(time).toISOString();
}

/** A string literal of a visibility query. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * One page of runs. `cursorKey` (BATON_SECRET_KEY) signs the next_cursor and checks a given
 * cursor; without it there is no next_cursor and a cursor is refused.
 */
export async function listRuns(client: Client, filters: RunFilters, pageSize: number, cursor: string | null, cursorKey?: Buffer): Promise<RunPage> {
  const query = visibilityQuery(filters);
  const nextPageToken = cursor ? pageTokenOf(cursor, query, cursorKey) : undefined;
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query,
    pageSize,
    ...(nextPageToken ? { nextPageToken } : {}),
  });
  const runs: RunView[] = [];
  for (const execution of response.executions ?? []) {
    const memo: Record<string, unknown> = {};
    for (const [key, payload] of Object.entries(execution.memo?.fields ?? {})) memo[key] = defaultPayloadConverter.fromPayload(payload);
    const closeSeconds = execution.closeTime?.seconds;
    const view = viewFromExecution({
      status: { name: STATUS_NAMES[execution.status ?? 1] ?? 'RUNNING' },
      memo,
      closeTime: closeSeconds ? new Date(Number(closeSeconds) * 1000) : undefined,
    });
    if (view) runs.push(view);
  }
  // Temporal's SQL visibility lists running runs first, then by close time, and takes no ORDER BY:
  // each page is put newest first by start here, and pages keep Temporal's order between them.
  runs.sort((a, b) => b.created_at.localeCompare(a.created_at));
  const token = response.nextPageToken;
  return { runs, next_cursor: token && token.length > 0 && cursorKey ? cursorOf(token, query, cursorKey) : null };
}

// A cursor wraps Temporal's page token with the query it pages, signed with Baton's secret key
// (HMAC-SHA256), so a cursor Baton did not hand out, or one from a call with other filters, is
// refused here, at once: no caller-made bytes ever reach the server as a page token (it answers a
// foreign token with a retried "internal" failure), and the digest says nothing of the query.
interface Cursor {
  v: 2;
  /** Which query the token pages: a keyed digest. */
  q: string;
  /** Temporal's page token, base64url. */
  t: string;
  /** HMAC of q and t: only Baton makes cursors. */
  s: string;
}

function keyed(key: Buffer, ...parts: string[]): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(`${part.length}:${part}\n`);
  return mac.digest('base64url');
}

function cursorOf(token: Uint8Array, query: string, key: Buffer): string {
  const t = Buffer.from(token).toString('base64url');
  const q = keyed(key, 'list_runs query', query).slice(0, 16);
  const cursor: Cursor = { v: 2, q, t, s: keyed(key, 'list_runs cursor', q, t) };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function pageTokenOf(cursor: string, query: string, key: Buffer | undefined): Uint8Array {
  const notOurs = new InputError('cursor is not one list_runs returned: pass next_cursor unchanged, or leave cursor out for the first page');
  let parsed: Partial<Cursor> | undefined;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    parsed = undefined;
  }
  if (!key || parsed?.v !== 2 || typeof parsed.t !== 'string' || parsed.t === '' || typeof parsed.q !== 'string' || typeof parsed.s !== 'string') throw notOurs;
  const expected = Buffer.from(keyed(key, 'list_runs cursor', parsed.q, parsed.t));
  const given = Buffer.from(parsed.s);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw notOurs;
  if (parsed.q !== keyed(key, 'list_runs query', query).slice(0, 16)) {
    throw new InputError('cursor belongs to a list_runs call with other filters: pass the same filters as that call, or leave cursor out to start over');
  }
  return Buffer.from(parsed.t, 'base64url');
}
