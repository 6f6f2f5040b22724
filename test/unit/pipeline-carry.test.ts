// What a continued pipeline hands its next run stays under Temporal's 2 MiB payload limit at the
// worst every budget allows: a goal of 256 KiB, three roles with a 128 KiB profile and 64 KiB of
// backend_config each, a 128 KiB plan of MAX_PLAN_STEPS steps, a 128 KiB verdict, every step of
// every round with its title and error at their longest, and a round's reports at their longest.
import { describe, expect, it } from 'vitest';
import { carriedSummary, MAX_PLAN_STEPS, memoView, type PipelineCarried } from '../../src/domain/pipeline-carry.js';
import { PipelineLedger } from '../../src/domain/pipeline-ledger.js';
import type { PipelineInput } from '../../src/domain/pipeline.js';
import { BACKEND_CONFIG_BYTES, jsonBytes, PIPELINE_GOAL_BYTES, PROFILE_BYTES, STRUCTURED_OUTPUT_BYTES, TEMPORAL_PAYLOAD_LIMIT } from '../../src/domain/sizes.js';

const role = { backend: 'command', profile_text: 'p'.repeat(PROFILE_BYTES), backend_config: { command: ['x'], env: { BIG: 'c'.repeat(BACKEND_CONFIG_BYTES - 64) } } };
const input = {
  pipeline_id: 'pipe_01ABCDEFGHJKMNPQRSTVWXYZ01',
  created_at: new Date(0).toISOString(),
  goal: 'g'.repeat(PIPELINE_GOAL_BYTES),
  cwd: '/work',
  roles: { worker: role, planner: role, reviewer: role },
  max_rounds: 10,
  parallelism: 10,
  require_plan_approval: false,
  isolation: 'none',
  task_queue: 'baton',
  timings: { heartbeat_timeout_ms: 20_000, kill_grace_ms: 5000, host_wait_ms: 1 },
  notify: null,
  args_hash: 'h'.repeat(64),
} as unknown as PipelineInput;

describe('what a continued pipeline carries', () => {
  it('stays under 2 MiB at the worst the budgets allow', () => {
    const per = Math.floor(STRUCTURED_OUTPUT_BYTES / MAX_PLAN_STEPS) - 40;
    const plan = Array.from({ length: MAX_PLAN_STEPS }, (_, i) => ({ title: `${i} ${'t'.repeat(per - 100)}`, instructions: 'i'.repeat(50) }));
    const ledger = new PipelineLedger(input);
    const longError = 'e'.repeat(32 * 1024);
    ledger.stepStarted('plan', 'planner', null, null, new Date());
    for (let round = 1; round <= 10; round++) {
      plan.forEach((step, i) => {
        ledger.stepStarted(`r${round}.work-${i + 1}`, 'worker', round, step.title, new Date());
        ledger.stepFinished(`r${round}.work-${i + 1}`, null, 'failed', new Date());
        ledger.stepFailedAfter(`r${round}.work-${i + 1}`, longError);
      });
      ledger.stepStarted(`r${round}.review`, 'reviewer', round, null, new Date());
      ledger.stepFailedAfter(`r${round}.review`, longError);
    }
    const done = plan.map((step, index) => ({
      index,
      summary: carriedSummary({ title: step.title, status: 'failed', output: 'o'.repeat(24_000), error: longError, run_id: `x.r10.work-${index + 1}` }),
    }));
    const carried: PipelineCarried = {
      status: 'working',
      plan,
      verdict: { verdict: 'request_changes', findings: ['f'.repeat(STRUCTURED_OUTPUT_BYTES - 100)] },
      round: 10,
      steps: ledger.stepsToCarry(),
      isolation: null,
      next_worker: MAX_PLAN_STEPS,
      done,
    };
    expect(carried.steps).toHaveLength(1 + 10 * (MAX_PLAN_STEPS + 1));
    const bytes = jsonBytes({ ...input, carried });
    expect(bytes).toBeLessThan(TEMPORAL_PAYLOAD_LIMIT - 256 * 1024);
    // A running pipeline's memo leaves out the plan and the verdict; its last one has them.
    const view = new PipelineLedger({ ...input, carried }).view(new Date());
    expect(jsonBytes(memoView(view, false))).toBeLessThan(512 * 1024);
    expect(memoView(view, true).plan).toEqual(plan);
  });
});
