// What the planner, each worker and the reviewer are asked. Plain text: every backend takes it.
import type { PlanStep, Verdict } from './pipeline.js';
import { cutHead } from './text.js';

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

export function workerPrompt(goal: string, step: PlanStep, index: number, total: number, findings: string[]): string {
  const lines = ['You are one of a team of coding agents working on this goal:', '', goal, '', `Your step (${index} of ${total}): ${step.title}`, step.instructions];
  if (findings.length > 0) {
    lines.push('', 'A reviewer looked at the last round and asked for these changes; address the ones that concern your step:', ...findings.map((f) => `- ${f}`));
  }
  lines.push('', 'Make the changes in the current directory. Do only your step.');
  return lines.join('\n');
}

export interface WorkSummary {
  title: string;
  status: string;
  output: string;
  error: string | null;
}

export function reviewerPrompt(goal: string, plan: PlanStep[], work: WorkSummary[], round: number): string {
  return [
    'You are the reviewer of a team of coding agents. The goal:',
    '',
    goal,
    '',
    `Round ${round}. The plan and what each step's agent reported:`,
    ...work.map((w, i) => {
      const said = w.error ? `failed: ${cutHead(w.error, 500)}` : cutHead(w.output.trim() || '(no report)', 800);
      return `${i + 1}. ${plan[i]?.title ?? w.title} [${w.status}]: ${said}`;
    }),
    '',
    'Review the resulting code in the current directory against the goal. Answer with JSON only:',
    '{"verdict": "approve" or "request_changes", "findings": ["each change still needed, precisely"]}',
  ].join('\n');
}

export function verdictSummary(verdict: Verdict): string {
  return verdict.findings.length > 0 ? `${verdict.verdict}: ${verdict.findings.join('; ')}` : verdict.verdict;
}
