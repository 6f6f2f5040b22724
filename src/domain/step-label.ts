// What a pipeline step is, in words a person reads in a list: `plan: <goal>`, `r1 work-2: <step
// title>`, `r1 review: <goal>`. Every step's prompt begins with the same generated preamble, so
// the prompt's first line cannot tell steps apart; the label does, in the Web UI's summary, in
// list_runs' prompt_preview and in get_pipeline.
import { firstLine } from './text.js';

/** The label of step `name` (plan, r1.work-2, r1.review) of a pipeline with `goal`. */
export function stepLabel(name: string, title: string | null, goal: string, max = 120): string {
  const shown = name.replace('.', ' ');
  return `${shown}: ${firstLine(title ?? goal, Math.max(1, max - shown.length - 2))}`;
}

/**
 * Plan order: the plan, then each round's workers by number, then its review. Steps are recorded
 * as they start, and a round's workers start in any order.
 */
export function planOrder(name: string): [number, number, number] {
  const m = /^r(\d+)\.(work-(\d+)|review)$/.exec(name);
  if (!m) return [0, 0, 0];
  return [Number(m[1]), m[3] ? 0 : 1, m[3] ? Number(m[3]) : 0];
}

export function byPlanOrder(a: { name: string }, b: { name: string }): number {
  const [x, y] = [planOrder(a.name), planOrder(b.name)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}
