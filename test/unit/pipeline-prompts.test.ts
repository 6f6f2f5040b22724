// A pipeline step's prompt within its budget whatever the goal, plan, findings and reports hold:
// the goal and a worker's own step whole, the rest cut evenly with markers that say where it is.
import { describe, expect, it } from 'vitest';
import { messageFromPrompt } from '../../src/domain/input-message.js';
import { REPORT_BYTES, reviewerPrompt, workerPrompt, type WorkSummary } from '../../src/domain/pipeline-prompts.js';
import { fitPrompt, stepPromptBudget } from '../../src/domain/prompt-fit.js';
import { jsonBytes, PIPELINE_GOAL_BYTES, RUN_INPUT_BYTES, RUN_START_BYTES, STRUCTURED_OUTPUT_BYTES } from '../../src/domain/sizes.js';
import { commandSpec } from '../helpers/run-spec.js';

/** The budget runStep gives a step with a small role spec. */
const BUDGET = RUN_INPUT_BYTES - (jsonBytes(messageFromPrompt('')) - 2);
/** A goal at its limit, made of control characters (6 bytes each as JSON). */
const GOAL = `Goal\u0001${'\u0001'.repeat(Math.floor((PIPELINE_GOAL_BYTES - 10) / 6))}`;
const fitsTheLaunch = (prompt: string) => jsonBytes(messageFromPrompt(prompt)) <= RUN_INPUT_BYTES;

describe('workerPrompt with a budget', () => {
  it('keeps the goal and its own step whole and cuts the findings, each cut naming the review run', () => {
    expect(jsonBytes(GOAL) - 2).toBeLessThanOrEqual(PIPELINE_GOAL_BYTES);
    const step = { title: 'Own step', instructions: `Do it ${'é'.repeat(60_000)}` };
    expect(jsonBytes({ steps: [step] })).toBeLessThanOrEqual(STRUCTURED_OUTPUT_BYTES);
    // Findings within a verdict's budget fit beside a goal and a step at theirs; these go beyond it.
    for (const findings of [
      [`one ${'字'.repeat(90_000)}`],
      Array.from({ length: 4000 }, (_, i) => `finding ${i} ${'x'.repeat(60)}`),
      Array.from({ length: 60 }, () => '\u0002'.repeat(1000)),
    ]) {
      expect(jsonBytes({ verdict: 'request_changes', findings })).toBeGreaterThan(STRUCTURED_OUTPUT_BYTES);
      const prompt = workerPrompt(GOAL, step, 2, 3, findings, { budget: BUDGET, findings_run: 'pipe_x.r1.review' });
      expect(fitsTheLaunch(prompt)).toBe(true);
      expect(prompt).toContain(GOAL);
      expect(prompt).toContain(`Your step (2 of 3): Own step\n${step.instructions}`);
      expect(prompt).toMatch(
        /\[… [\d,]+ bytes cut; read_output on run pipe_x\.r1\.review has all of it\]|…\[\d+ more findings left out for size; read_output on run pipe_x\.r1\.review has them all\]/,
      );
      expect(prompt.endsWith('Do only your step.')).toBe(true);
    }
  });

  it('is the prompt of before when it fits, and without a budget', () => {
    const step = { title: 'T', instructions: 'I' };
    const old = [
      'You are one of a team of coding agents working on this goal:',
      '',
      'g',
      '',
      'Your step (1 of 1): T',
      'I',
      '',
      'A reviewer looked at the last round and asked for these changes; address the ones that concern your step:',
      '- f',
      '',
      'Make the changes in the current directory. Do only your step.',
    ].join('\n');
    expect(workerPrompt('g', step, 1, 1, ['f'])).toBe(old);
    expect(workerPrompt('g', step, 1, 1, ['f'], { budget: BUDGET, findings_run: 'p.r1.review' })).toBe(old);
  });
});

describe('reviewerPrompt with a budget', () => {
  const report = (i: number, output: string): WorkSummary => ({ title: `Step ${i}`, status: 'completed', output, error: null, run_id: `pipe_x.r1.work-${i}` });

  it('caps each report and shares the room evenly when many large ones meet a goal at its limit', () => {
    const plan = Array.from({ length: 100 }, (_, i) => ({ title: `Step ${i + 1} ${'T'.repeat(1200)}`, instructions: 'x' }));
    const work = plan.map((_, i) => report(i + 1, '\u0003'.repeat(4000)));
    const prompt = reviewerPrompt(GOAL, plan, work, 1, { budget: BUDGET, pipeline_id: 'pipe_x' });
    expect(fitsTheLaunch(prompt)).toBe(true);
    expect(prompt).toContain(GOAL);
    for (let i = 1; i <= 100; i++) {
      expect(prompt).toMatch(new RegExp(`\\n${i}\\. Step ${i} T+\\[… [\\d,]+ bytes cut; get_pipeline on pipe_x has all of it\\] \\[completed\\]: `));
      expect(prompt).toContain(`bytes cut; get_run and read_output on run pipe_x.r1.work-${i} has all of it]`);
    }
  });

  it('leaves steps out, saying how many, when there are more than even a marker each fits', () => {
    const plan = Array.from({ length: 3000 }, (_, i) => ({ title: `S${i}`, instructions: 'x' }));
    expect(jsonBytes({ steps: plan })).toBeLessThanOrEqual(STRUCTURED_OUTPUT_BYTES);
    const work = plan.map((_, i) => report(i + 1, 'y'.repeat(24_000)));
    const prompt = reviewerPrompt(GOAL, plan, work, 2, { budget: BUDGET, pipeline_id: 'pipe_x' });
    expect(fitsTheLaunch(prompt)).toBe(true);
    expect(prompt).toContain(GOAL);
    expect(prompt).toMatch(/…\[\d+ more steps left out for size; get_pipeline on pipe_x lists them all\]/);
    expect(prompt.endsWith('"findings": ["each change still needed, precisely"]}')).toBe(true);
  });

  it('keeps small reports whole, and a report at most REPORT_BYTES', () => {
    const prompt = reviewerPrompt(
      'g',
      [
        { title: 'A', instructions: 'a' },
        { title: 'B', instructions: 'b' },
      ],
      [report(1, 'done'), report(2, 'z'.repeat(10_000))],
      1,
      { budget: BUDGET, pipeline_id: 'p' },
    );
    expect(prompt).toContain('1. A [completed]: done\n');
    const second = prompt.split('\n').find((l) => l.startsWith('2. B'))!;
    expect(jsonBytes(second.slice('2. B [completed]: '.length)) - 2).toBeLessThanOrEqual(REPORT_BYTES);
    expect(second).toMatch(/z\[… [\d,]+ bytes cut; get_run and read_output on run pipe_x\.r1\.work-2 has all of it\]$/);
  });
});

describe('fitPrompt and stepPromptBudget', () => {
  it('cuts the prompt as a whole when even the lines kept whole are over', () => {
    const text = fitPrompt({ head: ['x'.repeat(5000)], items: [{ prefix: '- ', body: 'y', marker: () => '[cut]' }], tail: ['end'], leftOut: () => 'more' }, 1000);
    expect(jsonBytes(text)).toBeLessThanOrEqual(1000);
  });

  it('leaves the prompt the room the rest of the start leaves, within both budgets', () => {
    const spec = commandSpec({ profile_text: 'p'.repeat(100_000) });
    const input = {
      run_id: 'pipe_x.r1.work-1',
      created_at: new Date(0).toISOString(),
      spec: { ...spec, input: messageFromPrompt('') },
      args_hash: 'h',
      task_queue: 'q',
      timings: { heartbeat_timeout_ms: 1, kill_grace_ms: 1, host_wait_ms: 1 },
    };
    const budget = stepPromptBudget(input);
    const prompt = 'é'.repeat(budget);
    const cut = workerPrompt(prompt, { title: 't', instructions: 'i' }, 1, 1, [], { budget, findings_run: null });
    const filled = { ...input, spec: { ...input.spec, input: messageFromPrompt(cut) } };
    expect(jsonBytes(filled.spec.input)).toBeLessThanOrEqual(RUN_INPUT_BYTES);
    expect(jsonBytes(filled)).toBeLessThanOrEqual(RUN_START_BYTES);
  });
});
