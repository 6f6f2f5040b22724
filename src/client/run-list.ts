// list_runs, answered from Temporal visibility (search attributes + memo), so any MCP server can
// answer it, freshly started or not, with no worker running.
import { createHash } from 'node:crypto';
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

export async function listRuns(client: Client, filters: RunFilters, pageSize: number, cursor: string | null): Promise<RunPage> {
  const query = visibilityQuery(filters);
  const nextPageToken = cursor ? pageTokenOf(cursor, query) : undefined;
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
  const token = response.nextPageToken;
  return { runs, next_cursor: token && token.length > 0 ? cursorOf(token, query) : null };
}

// A cursor wraps Temporal's page token with the query it pages, so a cursor from elsewhere (or
// from a call with other filters) is refused here, at once, instead of reaching the server, which
// answers a foreign token with a retried "internal" failure.
interface Cursor {
  v: 1;
  /** Which query the token pages. */
  q: string;
  /** Temporal's page token, base64url. */
  t: string;
}

function queryDigest(query: string): string {
  return createHash('sha256').update(query).digest('base64url').slice(0, 16);
}

function cursorOf(token: Uint8Array, query: string): string {
  const cursor: Cursor = { v: 1, q: queryDigest(query), t: Buffer.from(token).toString('base64url') };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function pageTokenOf(cursor: string, query: string): Uint8Array {
  let parsed: Partial<Cursor> | undefined;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    parsed = undefined;
  }
  if (parsed?.v !== 1 || typeof parsed.t !== 'string' || parsed.t === '' || typeof parsed.q !== 'string') {
    throw new InputError('cursor is not one list_runs returned: pass next_cursor unchanged, or leave cursor out for the first page');
  }
  if (parsed.q !== queryDigest(query)) {
    throw new InputError('cursor belongs to a list_runs call with other filters: pass the same filters as that call, or leave cursor out to start over');
  }
  return Buffer.from(parsed.t, 'base64url');
}
