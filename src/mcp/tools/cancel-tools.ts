// cancel_run: stop a run and its agent's whole process tree; safe to call again.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runViewSchema } from '../../domain/run-view.js';
import { strictObject } from '../../domain/spawn-input.js';
import { cancelAny } from '../../client/cancel.js';
import { MAX_WAIT_SECONDS, type ToolContext } from '../context.js';
import { guarded, structured } from '../tool-result.js';
import { pipelineViewSchema } from './pipeline-tools.js';
import { runIdArg } from './shared.js';

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
export const cancelRunTool = {
  title: 'Cancel a run',
  description:
    'Stops a run: its agent and every process it started get SIGTERM, then SIGKILL after a grace period, and the run ends "cancelled". ' +
    'A pipeline id (pipe_...) cancels the pipeline and every step it is running; a schedule id (sched_...) deletes the schedule (cancel_schedule). Idempotent: a finished run is left as it is and reported with already_finished=true.',
  inputSchema: strictObject(
    {
      run_id: runIdArg,
      reason: z.string().max(1000).optional().describe("Why; recorded in the run's events and error."),
      wait_seconds: z.number().min(0).max(MAX_WAIT_SECONDS).default(10).describe('How long to wait for the run to end before returning (default 10).'),
    },
    'cancel_run',
  ),
  outputSchema: z.object({
    run_id: z.string(),
    status: z.string().describe("The status now: a run's, or a pipeline's."),
    already_finished: z.boolean(),
    run: runViewSchema.optional().describe('The run, when run_id is a run.'),
    pipeline: pipelineViewSchema.optional().describe('The pipeline, when run_id is a pipeline (pipe_...).'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
};

export function registerCancelTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool('cancel_run', cancelRunTool, ({ run_id, reason, wait_seconds }) =>
    guarded('cancel_run', async () => {
      const outcome = await cancelAny(await ctx.runs(), run_id, reason ?? 'cancelled by cancel_run', wait_seconds * 1000);
      return structured({ ...outcome });
    }),
  );
}
