// MCP resources: a run as a document the client can attach or read without a tool call.
// baton://runs/{run_id} is the RunView as JSON; baton://runs/{run_id}/output the transcript's
// stdout as text, one page of at most OUTPUT_PAGE_BYTES (read_output's default page), and
// baton://runs/{run_id}/output?offset=N the page at N. Ids come from the client's URI, so each is
// checked against Baton's run-id format before anything is looked up.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type ListResourcesResult, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { InputError } from '../client/errors.js';
import { runIdProblem } from '../client/run-ids.js';
import { listRuns } from '../client/run-list.js';
import { readTranscriptPage } from '../client/transcript.js';
import { reachability } from '../temporal/reachability.js';
import type { ToolContext } from './context.js';

/** A page of output is bounded in bytes, like read_output's default page. */
export const OUTPUT_PAGE_BYTES = 65_536;
/** resources/list shows this many of the newest runs. */
const LISTED_RUNS = 20;
/** Completion looks for a prefix among this many of the newest runs (one visibility page). */
const COMPLETION_SCAN = 100;

export const runUri = (runId: string) => `baton://runs/${runId}`;

// Built once, at load: the HTTP endpoint builds a server for every request.
const runMetadata = {
  title: 'A Baton run',
  description: "The run's current state as JSON (what get_run returns): status, progress, and the result once finished.",
  mimeType: 'application/json',
};
const outputMetadata = {
  title: "A Baton run's output",
  description: `The agent's raw stdout, ${OUTPUT_PAGE_BYTES} bytes at most a page, on whole lines; _meta.next_uri reads the next page (read_output pages stderr too).`,
  mimeType: 'text/plain',
};

export function registerResources(server: McpServer, ctx: ToolContext): void {
  const complete = { run_id: (value: string) => completeRunId(ctx, value) };

  server.registerResource('run', new ResourceTemplate('baton://runs/{run_id}', { list: () => recentRuns(ctx), complete }), runMetadata, (uri, { run_id }) =>
    answered(async () => {
      const id = checkedRunId(run_id);
      const view = await (await ctx.runs()).get(id);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(view) }] };
    }),
  );

  const readOutput = (uri: URL, vars: Record<string, string | string[]>) =>
    answered(async () => {
      const id = checkedRunId(vars.run_id);
      const offset = checkedOffset(vars.offset);
      const runs = await ctx.runs();
      const view = await runs.get(id);
      const where = { client: runs.client, taskQueue: runs.options.taskQueue, hostId: ctx.hostId, runDir: ctx.runDir(id) };
      const page = await readTranscriptPage(view, where, { run_id: id, stream: 'stdout', offset, limit_bytes: OUTPUT_PAGE_BYTES });
      const next = page.eof ? null : `${runUri(id)}/output?offset=${page.next_offset}`;
      const meta = { offset: page.offset, next_offset: page.next_offset, total_bytes: page.total_bytes, eof: page.eof, next_uri: next };
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: page.text, _meta: meta }] };
    });
  server.registerResource('run-output', new ResourceTemplate('baton://runs/{run_id}/output', { list: undefined, complete }), outputMetadata, readOutput);
  server.registerResource('run-output-page', new ResourceTemplate('baton://runs/{run_id}/output{?offset}', { list: undefined, complete }), outputMetadata, readOutput);
}

/** The newest runs, as resources: what a client offers to attach. */
async function recentRuns(ctx: ToolContext): Promise<ListResourcesResult> {
  const away = reachability.problem();
  if (away) throw new McpError(ErrorCode.InternalError, away);
  const runs = await ctx.runs();
  const page = await listRuns(runs.client, {}, LISTED_RUNS, null);
  return {
    resources: page.runs.map((view) => ({
      uri: runUri(view.run_id),
      name: view.run_id,
      title: `${view.run_id} (${view.status})`,
      description: `${view.status} ${view.role} on ${view.backend}: ${view.prompt_preview}`.slice(0, 300),
      mimeType: 'application/json',
    })),
  };
}

async function completeRunId(ctx: ToolContext, prefix: string): Promise<string[]> {
  try {
    const runs = await ctx.runs();
    const page = await listRuns(runs.client, {}, COMPLETION_SCAN, null);
    return page.runs.map((v) => v.run_id).filter((id) => id.startsWith(prefix));
  } catch {
    // A completion is a hint: with Temporal away there is simply none.
    return [];
  }
}

function checkedRunId(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? value.join(',') : (value ?? '');
  let id = raw;
  try {
    id = decodeURIComponent(raw);
  } catch {
    // not valid percent-encoding: the format check below refuses it as it is
  }
  const problem = runIdProblem(id);
  if (problem) throw new McpError(ErrorCode.InvalidParams, problem);
  return id;
}

function checkedOffset(value: string | string[] | undefined): number {
  if (value === undefined) return 0;
  const text = Array.isArray(value) ? value.join(',') : value;
  if (!/^\d{1,15}$/.test(text))
    throw new McpError(ErrorCode.InvalidParams, `offset must be a byte offset (a whole number ≥ 0), as _meta.next_offset gives it; got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

/**
 * A caller's mistake (unknown run, offset past the end) becomes an invalid-params error with its
 * message; while the Temporal server is away a read answers at once with that, as the tools do.
 */
async function answered(read: () => Promise<ReadResourceResult>): Promise<ReadResourceResult> {
  const away = reachability.problem();
  if (away) throw new McpError(ErrorCode.InternalError, away);
  try {
    return await read();
  } catch (err) {
    if (err instanceof InputError) throw new McpError(ErrorCode.InvalidParams, err.message);
    throw err;
  }
}
