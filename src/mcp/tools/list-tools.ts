// list_runs: runs from Temporal visibility, filtered and paged.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { listRuns } from '../../client/run-list.js';
import { RESULT_PREVIEW_IN_LISTS, previewResult } from '../../client/run-views.js';
import { runViewSchema } from '../../domain/run-view.js';
import { strictObject } from '../../domain/spawn-input.js';
import { BACKENDS, ROLES, RUN_STATUSES } from '../../domain/vocabulary.js';
import type { ToolContext } from '../context.js';
import { guarded, structured } from '../tool-result.js';
import { READ_ONLY } from './shared.js';

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
export const listRunsTool = {
  title: 'List runs',
  description:
    'Runs, newest first (each page by start time; a later page holds runs that finished earlier), filtered by status, role, backend, channel, parent, session, schedule, start time or finish time; paged with cursor. Works on any MCP server, ' +
    `even with no worker running. Each run's result output is cut to ${RESULT_PREVIEW_IN_LISTS} characters here: get_run has it whole, and live progress.`,
  inputSchema: strictObject(
    {
      status: z.enum(RUN_STATUSES).optional().describe('Only runs in this status, e.g. "running" or "failed".'),
      role: z.enum(ROLES).optional().describe('Only runs with this role.'),
      backend: z.enum(BACKENDS).optional().describe('Only runs of this backend.'),
      channel: z.string().min(1).max(200).optional().describe('Only runs of this channel.'),
      parent: z.string().min(1).max(200).optional().describe('Only runs that follow up or belong to this run or pipeline id.'),
      session: z.string().min(1).max(500).optional().describe('Only runs of this backend session id.'),
      created_after: z.string().optional().describe('Only runs started at or after this ISO 8601 time.'),
      finished_since: z.string().optional().describe('Only runs that finished at or after this ISO 8601 time (so only finished runs).'),
      schedule_id: z.string().min(1).max(200).optional().describe('Only runs this schedule started (sched_...), also after the schedule was deleted.'),
      limit: z.number().int().min(1).max(100).default(20).describe('Runs per page (default 20, at most 100).'),
      cursor: z.string().optional().describe('next_cursor from the previous page.'),
    },
    'list_runs',
  ),
  outputSchema: z.object({
    runs: z.array(runViewSchema),
    next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page.'),
  }),
  annotations: READ_ONLY,
};

export function registerListTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool('list_runs', listRunsTool, ({ limit, cursor, ...filters }) =>
    guarded('list_runs', async () => {
      const runs = await ctx.runs();
      const page = await listRuns(runs.client, filters, limit, cursor ?? null, runs.options.secretKey);
      return structured({ runs: page.runs.map(previewResult), next_cursor: page.next_cursor });
    }),
  );
}
