// One round of workers: each plan step an agentRun child, at most `parallelism` at once; with
// isolation "worktree", each in its own worktree and branch, committed and merged back after.
import type { IsolationBase } from '../domain/pipeline-activities.js';
import { pipelineStepId, type PipelineInput, type PlanStep } from '../domain/pipeline.js';
import type { PipelineLedger } from '../domain/pipeline-ledger.js';
import { workerPrompt, type WorkSummary } from '../domain/pipeline-prompts.js';
import { gitOn, runStep } from './pipeline-steps.js';

export interface RoundRequest {
  input: PipelineInput;
  ledger: PipelineLedger;
  plan: PlanStep[];
  round: number;
  findings: string[];
  isolation: IsolationBase | null;
  publish: () => void;
}

interface WorkerDone {
  index: number;
  name: string;
  summary: WorkSummary;
  branch: string | null;
  dir: string | null;
}

export async function runWorkerRound(r: RoundRequest): Promise<WorkSummary[]> {
  const done: WorkerDone[] = [];
  let next = 0;
  const lane = async () => {
    while (next < r.plan.length) {
      const index = next++;
      done.push(await runWorker(r, index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(r.input.parallelism, r.plan.length) }, lane));
  done.sort((a, b) => a.index - b.index);
  if (r.isolation) await mergeBack(r, done);
  return done.map((d) => d.summary);
}

async function runWorker(r: RoundRequest, index: number): Promise<WorkerDone> {
  const step = r.plan[index]!;
  const name = `r${r.round}.work-${index + 1}`;
  const git = gitOn(r.isolation?.host ?? null, r.input.task_queue);
  let dir: string | null = null;
  let branch: string | null = null;
  if (r.isolation) {
    branch = `baton/${r.input.pipeline_id}/r${r.round}-work-${index + 1}`;
    dir = await git.createWorktree({ repo: r.input.cwd, pipeline_id: r.input.pipeline_id, name: `r${r.round}-work-${index + 1}`, branch, base: r.isolation.base });
  }
  const findingsRun = r.round > 1 ? pipelineStepId(r.input.pipeline_id, `r${r.round - 1}.review`) : null;
  const prompt = (budget: number | null) =>
    workerPrompt(r.input.goal, step, index + 1, r.plan.length, r.findings, budget === null ? null : { budget, findings_run: findingsRun });
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
    summary: { title: step.title, status: result?.status ?? 'failed', output: result?.output ?? '', error: result?.error ?? null, run_id: pipelineStepId(r.input.pipeline_id, name) },
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
