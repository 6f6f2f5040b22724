// Pipelines: a planner, workers for the plan's steps, a reviewer; round after round until the
// reviewer approves (docs/ARCHITECTURE.md). Types, the schemas the planner and reviewer must answer in,
// and the pipeline's view. Plain: the workflow imports this.
import type { NotifySpec } from './notify.js';
import type { PipelineCarried } from './pipeline-carry.js';
import type { RunSpec, RunTimings } from './run-spec.js';
import type { Role } from './vocabulary.js';

export const PIPELINE_STATUSES = ['planning', 'awaiting_approval', 'working', 'reviewing', 'completed', 'failed', 'cancelled', 'rejected'] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];
export const FINAL_PIPELINE_STATUSES: readonly PipelineStatus[] = ['completed', 'failed', 'cancelled', 'rejected'];

export const ISOLATIONS = ['none', 'worktree'] as const;
export type Isolation = (typeof ISOLATIONS)[number];

export interface PlanStep {
  title: string;
  instructions: string;
}

export interface Verdict {
  verdict: 'approve' | 'request_changes';
  findings: string[];
}

/** The planner's answer must match this. */
export const PLAN_SCHEMA = {
  type: 'object',
  properties: {
    steps: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: { title: { type: 'string', minLength: 1 }, instructions: { type: 'string', minLength: 1 } },
        required: ['title', 'instructions'],
        additionalProperties: false,
      },
    },
  },
  required: ['steps'],
  additionalProperties: false,
} as const;

/** The reviewer's answer must match this. */
export const VERDICT_SCHEMA = {
  type: 'object',
  properties: {
    verdict: { type: 'string', enum: ['approve', 'request_changes'] },
    findings: { type: 'array', items: { type: 'string' } },
  },
  required: ['verdict', 'findings'],
  additionalProperties: false,
} as const;

/** Each role's run settings, resolved at spawn time: a RunSpec without its input. */
export type RoleSpec = Omit<RunSpec, 'input' | 'role' | 'output_schema' | 'parent' | 'channel'>;

export interface PipelineInput {
  pipeline_id: string;
  created_at: string;
  goal: string;
  cwd: string;
  roles: Record<Role, RoleSpec>;
  max_rounds: number;
  parallelism: number;
  require_plan_approval: boolean;
  isolation: Isolation;
  task_queue: string;
  timings: RunTimings;
  notify: NotifySpec | null;
  args_hash: string;
  /** Where an earlier run of this pipeline left off (continue-as-new); absent for the first run. */
  carried?: PipelineCarried;
}

export type StepName = string;

export interface StepView {
  /** plan, r1.work-2, r1.review, ... (the child's id is <pipeline id>.<name>). */
  name: StepName;
  role: Role;
  round: number | null;
  title: string | null;
  /** `r1 work-2: <title>`: filled in by the client (domain/step-label.ts), not kept by the workflow. */
  label?: string;
  run_id: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  elapsed_ms: number | null;
  cost_usd: number | null;
  error: string | null;
}

export interface PipelineView {
  pipeline_id: string;
  kind: 'pipeline';
  status: PipelineStatus;
  goal_preview: string;
  cwd: string;
  isolation: Isolation;
  round: number;
  max_rounds: number;
  plan: PlanStep[] | null;
  steps: StepView[];
  verdict: Verdict | null;
  totals: { runs: number; cost_usd: number | null; elapsed_ms: number | null };
  created_at: string;
  finished_at: string | null;
  error: string | null;
}

/** An approve_plan decision: approve (optionally with edited steps) or reject. */
export interface PlanDecision {
  decision: 'approve' | 'reject';
  steps?: PlanStep[];
  reason?: string;
}

export function pipelineStepId(pipelineId: string, name: StepName): string {
  return `${pipelineId}.${name}`;
}
