// The arguments of spawn_pipeline: a goal, a cwd, and per role a backend with its options.
import { z } from 'zod';
import { ISOLATIONS } from './pipeline.js';
import { oneOf, strictObject } from './strict.js';
import { PIPELINE_GOAL_BYTES } from './sizes.js';
import { promptSizeProblem } from './start-sizes.js';
import { spawnRunShape } from './spawn-input.js';

/** A role's run settings: the spawn_run fields that describe how an agent runs, not what it does. */
export const roleShape = {
  backend: spawnRunShape.backend,
  model: spawnRunShape.model,
  permission_mode: spawnRunShape.permission_mode,
  max_turns: spawnRunShape.max_turns,
  max_budget_usd: spawnRunShape.max_budget_usd,
  profile: spawnRunShape.profile,
  timeout_seconds: spawnRunShape.timeout_seconds,
  on_worker_loss: spawnRunShape.on_worker_loss,
  backend_config: spawnRunShape.backend_config,
};

const roleSchema = (role: string) =>
  strictObject(roleShape, `${role}`).describe(
    `How the ${role} runs: {"backend": "claude_code" | "codex" | "remote_a2a" | "command", plus any of model, permission_mode, max_turns, max_budget_usd, profile, timeout_seconds, backend_config}.`,
  );

export const spawnPipelineShape = {
  goal: z
    .string()
    .refine((g) => g.trim() !== '', 'goal is empty: say what the team should achieve')
    .superRefine((g, ctx) => {
      const problem = promptSizeProblem(g, 'goal', PIPELINE_GOAL_BYTES);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('What the pipeline should achieve. The planner breaks it into steps; workers carry them out; the reviewer checks the result.'),
  cwd: spawnRunShape.cwd,
  worker: roleSchema('worker'),
  planner: roleSchema('planner').optional().describe('How the planner runs (default: like the worker). It must answer with a plan: {"steps": [{"title", "instructions"}]}.'),
  reviewer: roleSchema('reviewer')
    .optional()
    .describe('How the reviewer runs (default: like the worker). It must answer with {"verdict": "approve" | "request_changes", "findings": [...]}.'),
  max_rounds: z.number().int().min(1).max(10).default(3).describe("Worker + review rounds before the pipeline fails with the reviewer's findings (default 3)."),
  parallelism: z.number().int().min(1).max(10).default(1).describe('Workers running at once (default 1).'),
  require_plan_approval: z.boolean().default(false).describe('Wait (durably, for hours or days) for approve_plan before any worker starts.'),
  isolation: oneOf(ISOLATIONS, 'isolation')
    .default('none')
    .describe(
      '"none" (default): workers share cwd. "worktree": each worker works in its own git worktree and branch; the pipeline merges them back into cwd (which must be a clean git repository).',
    ),
  notify_url: spawnRunShape.notify_url,
  notify_on: spawnRunShape.notify_on,
  notify_headers: spawnRunShape.notify_headers,
  idempotency_key: spawnRunShape.idempotency_key,
};

export const spawnPipelineInputSchema = strictObject(spawnPipelineShape, 'spawn_pipeline').superRefine((args, ctx) => {
  if (args.notify_url === undefined && (args.notify_on !== undefined || args.notify_headers !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['notify_url'], message: 'notify_on and notify_headers need notify_url: where to send the notification' });
  }
});
export type SpawnPipelineArgs = z.infer<typeof spawnPipelineInputSchema>;
export type RoleArgs = SpawnPipelineArgs['worker'];
