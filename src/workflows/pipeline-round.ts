// One round of workers: each plan step an agentRun child, at most `parallelism` at once; with
// isolation "worktree", each in its own worktree and branch, committed and merged back after.
import type { IsolationBase } from '../domain/pipeline-activities.js';
import { pipelineStepId, type PipelineInput, type PlanStep } from '../domain/pipeline.js';
import type { PipelineLedger } from '../domain/pipeline-ledger.js';
import { workerPrompt, type WorkSummary } from '../domain/pipeline-prompts.js';
import { carriedSummary, type IndexedSummary } from '../domain/pipeline-carry.js';
import { gitOn, runStep } from './pipeline-steps.js';

export interface RoundRequest {
  input: PipelineInput;
  ledger: PipelineLedger;
  plan: PlanStep[];
  round: number;
  findings: string[];
  isolation: IsolationBase | null;
  publish: () => void;
  /** Where an earlier run of the pipeline left this round: its next worker and the reports so far. */
  resume?: { next: number; done: IndexedSummary[] };
  /** Whether to start no more workers, so the pipeline can hand over to its next run (never asked before the patch). */
  handOver?: () => boolean;
}

interface WorkerDone {
  index: number;
  name: string;
  summary: WorkSummary;
  branch: string | null;
  dir: string | null;
}

/** The round's reports in plan order; or, when it handed over, where it stopped and what was done. */
export type RoundOutcome = { summaries: WorkSummary[] } | { handOver: { next: number; done: IndexedSummary[] } };

export async function runWorkerRound(r: RoundRequest): Promise<RoundOutcome> {
  const done: WorkerDone[] = [];
  let next = r.resume?.next ?? 0;
  let stopped = false;
  const lane = async () => {
    while (next < r.plan.length) {
      // No new step once the history is full: the lanes drain, and the next run starts the rest.
      if (stopped || r.handOver?.()) {
        stopped = true;
        return;
      }
      const index = next++;
      done.push(await runWorker(r, index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(r.input.parallelism, r.plan.length - next) }, lane));
  done.sort((a, b) => a.index - b.index);
  if (r.isolation) await mergeBack(r, done);
  const all = [...(r.resume?.done ?? []), ...done.map((d) => ({ index: d.index, summary: carriedSummary(d.summary) }))];
  if (next < r.plan.length) return { handOver: { next, done: all } };
  // This run's reports go to the reviewer whole (its prompt cuts them); earlier runs' as carried.
  const reports = [...(r.resume?.done ?? []), ...done.map((d) => ({ index: d.index, summary: d.summary }))];
  return { summaries: reports.sort((a, b) => a.index - b.index).map((d) => d.summary) };
}

async function runWorker(r: RoundRequest, index: number): Promise<WorkerDone> {
  const step = r.plan[index];
  const name = `r${r.round}.work-${index + 1}`;
  const git = gitOn(r.isolation?.host ?? null, r.input.task_queue);
  let dir: string | null = null;
  let branch: string | null = null;
  if (r.isolation) {
    branch = `baton/${r.input.pipeline_id}/r${r.round}-work-${index + 1}`;
    dir = await git.createWorktree({ repo: r.input.cwd, pipeline_id: r.input.pipeline_id, name: `r${r.round}-work-${index + 1}`, branch, base: r.isolation.base });
  }
  const findingsRun = r.round > 1 ? pipelineStepId(r.input.pipeline_id, `r${r.round - 1}.review`) : null;
  const prompt = (budget: number | null) => workerPrompt(r.input.goal, step, index + 1, r.plan.length, r.findings, budget === null ? null : { budget, findings_run: findingsRun });
  const result = await runStep(
    r.input,
    r.ledger,
    { name, role: 'worker', round: r.round, title: step.title, prompt, cwd: dir ?? r.input.cwd, host: r.isolation?.host ?? null },
    r.publish,
  );
  if (dir) await git.commitWorktree({ dir, message: `${step.title}\n\n${r.input.pipeline_id}.${name}` });
  return {
    index,
    name,
    branch,
    dir,
    summary: {
      title: step.title,
      status: result?.status ?? 'failed',
      output: result?.output ?? '',
      error: result?.error ?? null,
      run_id: pipelineStepId(r.input.pipeline_id, name),
    },
  };
}

/** Each worker's branch merged into the repository in plan order; a conflict fails that step. */
async function mergeBack(r: RoundRequest, done: WorkerDone[]): Promise<void> {
  const git = gitOn(r.isolation!.host, r.input.task_queue);
  for (const worker of done) {
    let keepBranch = false;
    if (worker.summary.status === 'completed') {
      const outcome = await git.mergeBranch({ repo: r.input.cwd, branch: worker.branch!, message: `baton: ${worker.summary.title} (${r.input.pipeline_id}.${worker.name})` });
      if (!outcome.merged) {
        keepBranch = true;
        const error = `merge conflict in ${outcome.conflicts.join(', ')}: branch ${worker.branch} is kept for you to merge by hand`;
        r.ledger.stepFailedAfter(worker.name, error);
        worker.summary = { ...worker.summary, status: 'failed', error };
      }
    }
    await git.removeWorktree({ repo: r.input.cwd, dir: worker.dir!, branch: worker.branch!, keep_branch: keepBranch });
  }
  r.publish();
}
