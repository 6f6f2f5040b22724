// spawn_pipeline, get_pipeline, approve_plan: planner -> workers -> reviewer pipelines.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { approvePlan, spawnPipeline, waitPipeline } from '../../client/pipelines.js';
import { ISOLATIONS, PIPELINE_STATUSES } from '../../domain/pipeline.js';
import { spawnPipelineInputSchema } from '../../domain/pipeline-input.js';
import { jsonBytes, STRUCTURED_OUTPUT_BYTES } from '../../domain/sizes.js';
import { overLimit } from '../../domain/start-sizes.js';
import { strictObject } from '../../domain/spawn-input.js';
import { ROLES } from '../../domain/vocabulary.js';
import { MAX_WAIT_SECONDS, type ToolContext } from '../context.js';
import { guarded, structured } from '../tool-result.js';
import { READ_ONLY } from './shared.js';

const planStep = z.object({ title: z.string(), instructions: z.string() });

export const pipelineViewSchema = z.object({
  pipeline_id: z.string(),
  kind: z.literal('pipeline'),
  status: z.enum(PIPELINE_STATUSES),
  goal_preview: z.string(),
  cwd: z.string(),
  isolation: z.enum(ISOLATIONS),
  round: z.number(),
  max_rounds: z.number(),
  plan: z.array(planStep).nullable(),
  steps: z.array(
    z.object({
      name: z.string().describe('plan, r1.work-2, r1.review, ...'),
      role: z.enum(ROLES),
      round: z.number().nullable(),
      title: z.string().nullable(),
      label: z.string().optional().describe("What the step is: `plan: <goal>`, `r1 work-2: <title>`, `r1 review: <goal>` (its run's Web UI summary)."),
      run_id: z.string().describe("The step's run: get_run, poll_events and read_output work on it."),
      status: z.string(),
      started_at: z.string().nullable(),
      finished_at: z.string().nullable(),
      elapsed_ms: z.number().nullable(),
      cost_usd: z.number().nullable(),
      error: z.string().nullable(),
    }),
  ),
  verdict: z.object({ verdict: z.enum(['approve', 'request_changes']), findings: z.array(z.string()) }).nullable(),
  totals: z.object({ runs: z.number(), cost_usd: z.number().nullable(), elapsed_ms: z.number().nullable() }),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  error: z.string().nullable(),
});

const pipelineIdArg = z.string().min(1).max(200).describe('The pipeline id spawn_pipeline returned (pipe_...).');

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
const spawnPipelineTool = {
  title: 'Start a planner -> workers -> reviewer pipeline',
  description:
    'Start a team of agents on a goal: a planner writes a plan (steps), workers carry out the steps (up to parallelism at once, optionally each in its own git worktree), ' +
    'a reviewer approves or requests changes, round after round up to max_rounds. Returns pipeline_id at once; follow with get_pipeline, stop with cancel_run.',
  inputSchema: spawnPipelineInputSchema,
  outputSchema: z.object({ pipeline_id: z.string(), status: z.enum(PIPELINE_STATUSES), pipeline: pipelineViewSchema }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

export const getPipelineTool = {
  title: 'Get a pipeline',
  description:
    "A pipeline's status, plan, every step with its run_id, status, timing and cost, the last verdict and totals. With wait_seconds, waits until the pipeline has finished or the time is up.",
  inputSchema: strictObject(
    {
      pipeline_id: pipelineIdArg,
      wait_seconds: z.number().min(0).max(MAX_WAIT_SECONDS).default(0).describe(`Wait up to this long for the pipeline to finish (default 0, at most ${MAX_WAIT_SECONDS}).`),
    },
    'get_pipeline',
  ),
  outputSchema: pipelineViewSchema,
  annotations: READ_ONLY,
};

export const approvePlanTool = {
  title: "Approve, edit or reject a pipeline's plan",
  description:
    'For a pipeline started with require_plan_approval, waiting at awaiting_approval: "approve" lets the workers start (optionally with edited steps), "reject" ends the pipeline.',
  inputSchema: strictObject(
    {
      pipeline_id: pipelineIdArg,
      decision: z.enum(['approve', 'reject']).describe('"approve" or "reject".'),
      steps: z
        .array(strictObject({ title: z.string().min(1), instructions: z.string().min(1) }, 'a plan step'))
        .min(1)
        // The planner's plan is held to this size (structured output), and every worker's prompt
        // quotes its step whole beside the goal: an edited plan gets the same budget.
        .superRefine((steps, ctx) => {
          const bytes = jsonBytes({ steps });
          if (bytes > STRUCTURED_OUTPUT_BYTES) {
            ctx.addIssue({
              code: 'custom',
              message: overLimit('steps', bytes, STRUCTURED_OUTPUT_BYTES, "shorten the instructions, or put the details in files under the pipeline's cwd and refer to them"),
            });
          }
        })
        .optional()
        .describe(`The plan to use instead of the planner's (approve only); at most ${STRUCTURED_OUTPUT_BYTES / 1024} KiB of UTF-8 JSON, like a planner's.`),
      reason: z.string().max(2000).optional().describe('Why, when rejecting.'),
    },
    'approve_plan',
  ),
  outputSchema: pipelineViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
};

export function registerPipelineTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool('spawn_pipeline', spawnPipelineTool, (args) =>
    guarded('spawn_pipeline', async () => {
      const started = await spawnPipeline(await ctx.runs(), args);
      return structured({ pipeline_id: started.pipeline_id, status: started.view.status, pipeline: started.view });
    }),
  );

  server.registerTool('get_pipeline', getPipelineTool, ({ pipeline_id, wait_seconds }, extra) =>
    guarded('get_pipeline', async () => structured(await waitPipeline(await ctx.runs(), pipeline_id, wait_seconds * 1000, extra.signal))),
  );

  server.registerTool('approve_plan', approvePlanTool, ({ pipeline_id, ...decision }) =>
    guarded('approve_plan', async () => structured(await approvePlan(await ctx.runs(), pipeline_id, decision))),
  );
}
