// What the pipeline workflow knows: status, plan, each step's run, the last verdict. Pure.
import type { PipelineInput, PipelineStatus, PipelineView, PlanStep, StepView, Verdict } from './pipeline.js';
import { FINAL_PIPELINE_STATUSES, pipelineStepId } from './pipeline.js';
import type { RunResult } from './run-view.js';
import { firstLine } from './text.js';
import { cutHeadBytes } from './sizes.js';
import { STEP_ERROR_BYTES, STEP_TITLE_BYTES } from './pipeline-carry.js';
import type { Role } from './vocabulary.js';

export class PipelineLedger {
  status: PipelineStatus = 'planning';
  plan: PlanStep[] | null = null;
  verdict: Verdict | null = null;
  round = 0;
  error: string | null = null;
  finishedAt: string | null = null;
  private readonly steps: StepView[] = [];

  constructor(private readonly input: PipelineInput) {
    // A run continued from an earlier one starts where that one was, with all its steps.
    const carried = input.carried;
    if (carried) {
      Object.assign(this, { status: carried.status, plan: carried.plan, verdict: carried.verdict, round: carried.round });
      this.steps.push(...carried.steps);
    }
  }

  /** The steps so far, for the next run (each within its title and error budget). */
  stepsToCarry(): StepView[] {
    return this.steps.map((s) => ({ ...s }));
  }

  get isFinal(): boolean {
    return FINAL_PIPELINE_STATUSES.includes(this.status);
  }

  setStatus(status: PipelineStatus): boolean {
    if (this.status === status) return false;
    this.status = status;
    return true;
  }

  finish(status: PipelineStatus, now: Date, error: string | null = null): void {
    this.status = status;
    this.error = error;
    this.finishedAt = now.toISOString();
  }

  stepStarted(name: string, role: Role, round: number | null, title: string | null, now: Date): void {
    this.steps.push({
      name,
      role,
      round,
      // The plan has the title whole; the view keeps a head, so views and what a run carries stay small.
      title: title === null ? null : cutHeadBytes(title, STEP_TITLE_BYTES),
      run_id: pipelineStepId(this.input.pipeline_id, name),
      status: 'running',
      started_at: now.toISOString(),
      finished_at: null,
      elapsed_ms: null,
      cost_usd: null,
      error: null,
    });
  }

  stepFinished(name: string, result: RunResult | null, fallbackStatus: string, now: Date): void {
    const step = this.step(name);
    if (!step) return;
    step.status = result?.status ?? fallbackStatus;
    step.started_at = result?.started_at ?? step.started_at;
    step.finished_at = result?.finished_at ?? now.toISOString();
    step.elapsed_ms = result?.elapsed_ms ?? null;
    step.cost_usd = result?.cost_usd ?? null;
    const error = result?.error ?? (result ? null : `the step's run ended ${fallbackStatus} without a result`);
    // The step's run (get_run) has its error whole.
    step.error = error === null ? null : cutHeadBytes(error, STEP_ERROR_BYTES);
  }

  /** A worker whose branch could not be merged back: its step failed after all. */
  stepFailedAfter(name: string, error: string): void {
    const step = this.step(name);
    if (!step) return;
    step.status = 'failed';
    step.error = cutHeadBytes(error, STEP_ERROR_BYTES);
  }

  view(now: Date): PipelineView {
    const costs = this.steps.map((s) => s.cost_usd).filter((c): c is number => c !== null);
    const end = this.finishedAt ? Date.parse(this.finishedAt) : now.getTime();
    return {
      pipeline_id: this.input.pipeline_id,
      kind: 'pipeline',
      status: this.status,
      goal_preview: firstLine(this.input.goal),
      cwd: this.input.cwd,
      isolation: this.input.isolation,
      round: this.round,
      max_rounds: this.input.max_rounds,
      plan: this.plan,
      steps: this.steps.map((s) => ({ ...s })),
      verdict: this.verdict,
      totals: {
        runs: this.steps.length,
        cost_usd: costs.length > 0 ? costs.reduce((a, b) => a + b, 0) : null,
        elapsed_ms: end - Date.parse(this.input.created_at),
      },
      created_at: this.input.created_at,
      finished_at: this.finishedAt,
      error: this.error,
    };
  }

  private step(name: string): StepView | undefined {
    return this.steps.find((s) => s.name === name);
  }
}
