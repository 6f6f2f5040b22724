// A pipeline's history, bounded by construction (docs/RELIABILITY.md, "Sizes"). Every step's child
// start carries its prompt (the goal whole, up to 768 KiB a start) and every view upsert rewrote
// the plan and verdict (128 KiB each), so many rounds of many steps passed Temporal's 50 MB
// history limit, where it terminates the workflow. Now a pipeline continues as new once its
// history passes PIPELINE_HISTORY_BYTES, at a point where none of its steps runs (so no child
// outlives the run that started it, and cancel and await stay as they were), carrying only what
// is bounded below; and its memo holds small facts while it runs (the plan is in query answers).
// Pure: the workflow bundle uses it.
import type { PlanStep, PipelineView, StepView, Verdict, PipelineStatus } from './pipeline.js';
import type { WorkSummary } from './pipeline-prompts.js';
import { REPORT_BYTES, TITLE_BYTES } from './pipeline-prompts.js';
import type { IsolationBase } from './pipeline-activities.js';
import { cutHeadBytes } from './sizes.js';

/**
 * Steps a plan may have. What a continued pipeline carries grows with every step it has run
 * (rounds × steps) and must stay under Temporal's 2 MiB payload: 32 steps (the most a plan of
 * 4 KiB titles fits in its 128 KiB) over 10 rounds keep it near 1.6 MiB at worst.
 */
export const MAX_PLAN_STEPS = 32;

/**
 * A pipeline's run hands over (continue-as-new) once its history holds this much and no step is
 * running. Up to `parallelism` (10) steps may be running when it is reached: each adds its start
 * (768 KiB), its result and two view upserts, well under 1.5 MiB, so a run stays under 40 MiB,
 * below Temporal's 50 MB.
 */
export const PIPELINE_HISTORY_BYTES = 24 * 1024 * 1024;

/** A step's title in its view (the plan has it whole), and its error (its run has it whole). */
export const STEP_TITLE_BYTES = 256;
export const STEP_ERROR_BYTES = 512;

/** What the next run of a pipeline starts from: where it was, and what it had. */
export interface PipelineCarried {
  status: PipelineStatus;
  plan: PlanStep[];
  verdict: Verdict | null;
  round: number;
  steps: StepView[];
  isolation: IsolationBase | null;
  /** The round's next worker to start, and the reports of those done (all done: review next). */
  next_worker: number;
  done: IndexedSummary[];
}

export interface IndexedSummary {
  index: number;
  summary: WorkSummary;
}

/** A worker's report as carried: what the reviewer's prompt would quote of it anyway. */
export function carriedSummary(summary: WorkSummary): WorkSummary {
  return {
    ...summary,
    title: cutHeadBytes(summary.title, TITLE_BYTES),
    output: cutHeadBytes(summary.output, REPORT_BYTES),
    error: summary.error === null ? null : cutHeadBytes(summary.error, STEP_ERROR_BYTES),
  };
}

/** Why a plan cannot be run, or null. */
export function planSizeProblem(steps: readonly PlanStep[], what: string): string | null {
  if (steps.length <= MAX_PLAN_STEPS) return null;
  return `${what} has ${steps.length} steps, over the limit of ${MAX_PLAN_STEPS} a pipeline runs: merge steps, or split the goal into several pipelines`;
}

/** Whether the run should hand over before it starts another step (Temporal's suggestion counts too). */
export function historyFull(info: { historySize: number; continueAsNewSuggested: boolean }): boolean {
  return info.continueAsNewSuggested || info.historySize >= PIPELINE_HISTORY_BYTES;
}

/**
 * The view a running pipeline keeps in its memo, written on every step: small facts only. The plan
 * and the verdict (128 KiB each) are in query answers while it runs, and in its last memo.
 */
export function memoView(view: PipelineView, final: boolean): PipelineView {
  return final ? view : { ...view, plan: null, verdict: null };
}
