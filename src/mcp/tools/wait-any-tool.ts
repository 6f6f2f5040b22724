// wait_any: the first of several runs to finish, or the first run of all since a time.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { waitAnyOf, waitFinishedSince } from '../../client/wait-any.js';
import { runViewSchema } from '../../domain/run-view.js';
import { strictObject } from '../../domain/spawn-input.js';
import type { ToolContext } from '../context.js';
import { guarded, structured } from '../tool-result.js';
import { maxWaitArg, progressNotifier, READ_ONLY, runIdArg } from './shared.js';

const waitAnyInput = strictObject(
  {
    run_ids: z
      .array(runIdArg)
      .min(1, 'run_ids needs at least one run id')
      .max(50, 'run_ids takes at most 50 run ids: wait on fewer, or use finished_since')
      .optional()
      .describe('Wait for the first of these runs to finish (1-50). One that has finished already is returned at once. Give run_ids or finished_since.'),
    finished_since: z
      .string()
      .refine((t) => !Number.isNaN(Date.parse(t)), 'finished_since must be an ISO 8601 time such as 2026-01-31T09:00:00Z')
      .optional()
      .describe('Wait for the first run (any run) that finished at or after this ISO 8601 time. To go on through runs in order, pass back next_finished_since.'),
    max_wait_seconds: maxWaitArg,
  },
  'wait_any',
).refine((a) => (a.run_ids === undefined) !== (a.finished_since === undefined), {
  message: 'give exactly one of run_ids (the runs to wait on) and finished_since (an ISO time: any run that finished since)',
  path: ['run_ids'],
});

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
const waitAnyTool = {
  title: 'Wait for the first of several runs',
  description:
    'Long-polls (default 50 s, at most 55) until one of run_ids finishes, or until any run finishes at or after finished_since, with progress notifications. ' +
    'Returns finished=true with that run, or finished=false: then call again (with still_running, or the same finished_since).',
  inputSchema: waitAnyInput,
  outputSchema: z.object({
    finished: z.boolean(),
    run_id: z.string().nullable(),
    run: runViewSchema.nullable().describe('The run that finished first, with its result; null when none did in time.'),
    still_running: z.array(z.string()).describe('With run_ids: the runs that have not finished yet.'),
    next_finished_since: z.string().nullable().describe('With finished_since: pass this as finished_since to wait for the run that finishes next.'),
  }),
  annotations: READ_ONLY,
};

export function registerWaitAnyTool(server: McpServer, ctx: ToolContext): void {
  server.registerTool('wait_any', waitAnyTool, ({ run_ids, finished_since, max_wait_seconds }, extra) =>
    guarded('wait_any', async () => {
      const runs = await ctx.runs();
      const options = { maxWaitMs: max_wait_seconds * 1000, signal: extra.signal, onProgress: progressNotifier(extra) };
      const outcome = run_ids ? await waitAnyOf(runs, run_ids, options) : await waitFinishedSince(runs.client, finished_since!, options);
      return structured({ ...outcome, run_id: outcome.run?.run_id ?? null });
    }),
  );
}
