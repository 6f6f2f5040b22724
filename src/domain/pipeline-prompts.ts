// What the planner, each worker and the reviewer are asked. Plain text: every backend takes it.
// With a `fit` (pipelines that record the 9-pipeline-prompt-budget patch), a prompt stays within
// the byte budget its child run's start allows: the goal and a worker's own step whole, the
// reviewer's findings and the steps' reports cut to share the rest (prompt-fit.ts).
import type { PlanStep, Verdict } from './pipeline.js';
import { cutMarker, fitPrompt, type FitItem } from './prompt-fit.js';
import { cutJsonHeadWith } from './sizes.js';
import { cutHead } from './text.js';

/** How many bytes a step's prompt may take (as a JSON string), and the runs its markers point to. */
export interface WorkerFit {
  budget: number;
  /** The review whose findings the worker gets (read_output there has them whole). */
  findings_run: string | null;
}

export interface ReviewerFit {
  budget: number;
  /** get_pipeline shows the whole plan: named where a title is cut. */
  pipeline_id: string;
}

/** A step's report in the reviewer's prompt, at most (the old prompt kept 800 characters). */
export const REPORT_BYTES = 4 * 1024;
/** A plan step's title in the reviewer's prompt, at most: titles are meant to be short. */
export const TITLE_BYTES = 1024;

export function plannerPrompt(goal: string): string {
  return [
    'You are the planner of a team of coding agents. The goal:',
    '',
    goal,
    '',
    'Look at the code in the current directory as much as you need, then break the goal into steps that one agent can each carry out on its own',
    '(steps may run at the same time, so keep them independent). Do not make the changes yourself.',
    'Answer with JSON only: {"steps": [{"title": "short title", "instructions": "what to do, precisely"}]}',
  ].join('\n');
}

export function workerPrompt(goal: string, step: PlanStep, index: number, total: number, findings: string[], fit: WorkerFit | null = null): string {
  const lines = ['You are one of a team of coding agents working on this goal:', '', goal, '', `Your step (${index} of ${total}): ${step.title}`, step.instructions];
  const end = ['', 'Make the changes in the current directory. Do only your step.'];
  if (findings.length > 0) lines.push('', 'A reviewer looked at the last round and asked for these changes; address the ones that concern your step:');
  if (!fit) return [...lines, ...findings.map((f) => `- ${f}`), ...end].join('\n');
  const where = fit.findings_run ? `read_output on run ${fit.findings_run}` : 'get_pipeline';
  return fitPrompt(
    {
      head: lines,
      items: findings.map((f) => ({ prefix: '- ', body: f, marker: cutMarker(where) })),
      tail: end,
      leftOut: (count) => `- …[${count} more findings left out for size; ${where} has them all]`,
    },
    fit.budget,
  );
}

export interface WorkSummary {
  title: string;
  status: string;
  output: string;
  error: string | null;
  /** The step's run: its transcript (read_output) and result (get_run) have the whole report. */
  run_id?: string;
}

export function reviewerPrompt(goal: string, plan: PlanStep[], work: WorkSummary[], round: number, fit: ReviewerFit | null = null): string {
  const head = ['You are the reviewer of a team of coding agents. The goal:', '', goal, '', `Round ${round}. The plan and what each step's agent reported:`];
  const tail = [
    '',
    'Review the resulting code in the current directory against the goal. Answer with JSON only:',
    '{"verdict": "approve" or "request_changes", "findings": ["each change still needed, precisely"]}',
  ];
  if (!fit) {
    return [
      ...head,
      ...work.map((w, i) => {
        const said = w.error ? `failed: ${cutHead(w.error, 500)}` : cutHead(w.output.trim() || '(no report)', 800);
        return `${i + 1}. ${plan[i]?.title ?? w.title} [${w.status}]: ${said}`;
      }),
      ...tail,
    ].join('\n');
  }
  const items: FitItem[] = work.map((w, i) => {
    const title = cutJsonHeadWith(plan[i]?.title ?? w.title, TITLE_BYTES, cutMarker(`get_pipeline on ${fit.pipeline_id}`));
    const where = w.run_id ? `get_run and read_output on run ${w.run_id}` : `get_pipeline on ${fit.pipeline_id}`;
    return { prefix: `${i + 1}. ${title} [${w.status}]: `, body: w.error ? `failed: ${w.error}` : w.output.trim() || '(no report)', max: REPORT_BYTES, marker: cutMarker(where) };
  });
  return fitPrompt({ head, items, tail, leftOut: (count) => `…[${count} more steps left out for size; get_pipeline on ${fit.pipeline_id} lists them all]` }, fit.budget);
}

export function verdictSummary(verdict: Verdict): string {
  return verdict.findings.length > 0 ? `${verdict.verdict}: ${verdict.findings.join('; ')}` : verdict.verdict;
}
