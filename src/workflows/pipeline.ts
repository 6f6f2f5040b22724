// pipeline: planner -> workers -> reviewer as child runs, round after round (docs/ARCHITECTURE.md).
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { VIEW_MEMO_KEY } from '../domain/memo.js';
import type { PipelineInput, PipelineView, PlanDecision, PlanStep, Verdict } from '../domain/pipeline.js';
import { PLAN_SCHEMA, VERDICT_SCHEMA } from '../domain/pipeline.js';
import { PipelineLedger } from '../domain/pipeline-ledger.js';
import { carriedSummary, historyFull, memoView, planSizeProblem, type IndexedSummary, type PipelineCarried } from '../domain/pipeline-carry.js';
import { PIPELINE_HISTORY_BOUND } from './patches.js';
import { plannerPrompt, reviewerPrompt, verdictSummary } from '../domain/pipeline-prompts.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import { cancelSignal } from './messages.js';
import { runWorkerRound } from './pipeline-round.js';
import { approvePlanUpdate, pipelineStatusQuery } from './pipeline-messages.js';
import { gitOn, runStep } from './pipeline-steps.js';
import { notifyPipelineEnded } from './pipeline-notify.js';

/** A planner, reviewer or git failure that ends the pipeline: the message says which step and why. */
class PipelineFailure extends Error {}

export async function pipeline(input: PipelineInput): Promise<PipelineView> {
  const ledger = new PipelineLedger(input);
  const root = CancellationScope.current();
  const work = new CancellationScope();
  // Pipelines that began before the patch keep their unbounded history, as they were recorded.
  const bounded = input.carried !== undefined || patched(PIPELINE_HISTORY_BOUND);
  let decision: PlanDecision | null = null;
  let cancelReason: string | null = null;
  let handOver: PipelineCarried | null = null;
  const publish = publisher(ledger, bounded);

  setHandler(pipelineStatusQuery, () => ledger.view(new Date()));
  setHandler(
    approvePlanUpdate,
    (d) => {
      decision = d;
      return ledger.view(new Date());
    },
    {
      validator: (d: PlanDecision) => {
        if (ledger.status !== 'awaiting_approval') throw new Error(`pipeline ${input.pipeline_id} is not waiting for plan approval (it is ${ledger.status})`);
        if (d.decision === 'approve' && d.steps !== undefined && d.steps.length === 0) throw new Error('an edited plan needs at least one step');
        const problem = bounded && d.decision === 'approve' && d.steps ? planSizeProblem(d.steps, 'the edited plan') : null;
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(cancelSignal, (reason) => {
    cancelReason ??= reason || 'cancelled by cancel_run';
    work.cancel();
  });
  publish();

  try {
    await work.run(async () => {
      const carried = input.carried;
      const isolation = carried ? carried.isolation : input.isolation === 'worktree' ? await gitOn(null, input.task_queue).prepareIsolation(input.cwd) : null;
      const host = isolation?.host ?? null;
      let plan: PlanStep[];
      if (carried) plan = carried.plan;
      else {
        plan = await makePlan(input, ledger, host, publish);
        if (input.require_plan_approval) {
          ledger.setStatus('awaiting_approval');
          publish();
          await condition(() => decision !== null);
          const d = decision;
          if (d?.decision === 'reject') {
            ledger.finish('rejected', new Date(), `the plan was rejected${d.reason ? `: ${d.reason}` : ''}`);
            return;
          }
          if (d?.steps) plan = d.steps;
          ledger.plan = plan;
        }
        // After the approval, so a person can still edit a long plan down (the validator checks an edited one).
        const problem = bounded ? planSizeProblem(plan, `the planner's plan (${input.pipeline_id}.plan)`) : null;
        if (problem) throw new PipelineFailure(problem);
      }
      let findings: string[] = carried?.verdict?.findings ?? [];
      const firstRound = carried?.round ?? 1;
      const full = () => bounded && historyFull(workflowInfo());
      const carry = (round: number, next: number, done: IndexedSummary[]): PipelineCarried => ({
        status: ledger.status,
        plan,
        verdict: ledger.verdict,
        round,
        steps: ledger.stepsToCarry(),
        isolation,
        next_worker: next,
        done,
      });
      for (let round = firstRound; round <= input.max_rounds; round++) {
        const resume = round === firstRound && carried ? { next: carried.next_worker, done: carried.done } : undefined;
        if (!resume && full()) return void (handOver = carry(round, 0, []));
        ledger.round = round;
        ledger.setStatus('working');
        publish();
        const outcome = await runWorkerRound({ input, ledger, plan, round, findings, isolation, publish, ...(resume ? { resume } : {}), ...(bounded ? { handOver: full } : {}) });
        if ('handOver' in outcome) return void (handOver = carry(round, outcome.handOver.next, outcome.handOver.done));
        // The reviewer's start is as large as a worker's: it too waits for a run with room.
        if (full())
          return void (handOver = carry(
            round,
            plan.length,
            outcome.summaries.map((summary, index) => ({ index, summary: carriedSummary(summary) })),
          ));
        ledger.setStatus('reviewing');
        publish();
        const verdict = await review(input, ledger, plan, round, outcome.summaries, host, publish);
        ledger.verdict = verdict;
        if (verdict.verdict === 'approve') {
          ledger.finish('completed', new Date());
          return;
        }
        findings = verdict.findings;
      }
      ledger.finish('failed', new Date(), `the reviewer still asked for changes after ${input.max_rounds} round(s): ${verdictSummary(ledger.verdict!)}`);
    });
  } catch (err) {
    if (isCancellation(err)) ledger.finish('cancelled', new Date(), cancelReason ?? 'cancel requested through Temporal');
    else ledger.finish('failed', new Date(), err instanceof Error ? err.message : String(err));
  }
  // No step of this run is running (the lanes drained), so none is left behind by the hand-over.
  if (handOver && !ledger.isFinal) {
    const { carried: _previous, ...rest } = input;
    return continueAsNew<typeof pipeline>({ ...rest, carried: handOver });
  }

  return CancellationScope.nonCancellable(async () => {
    publish();
    const view = ledger.view(new Date());
    await notifyPipelineEnded(input, view);
    if (view.status === 'completed') return view;
    if (view.status === 'cancelled') {
      if (!root.consideredCancelled) await condition(() => root.consideredCancelled, '10 seconds');
      throw new CancelledFailure(view.error ?? 'cancelled', [view]);
    }
    throw ApplicationFailure.create({ type: 'BatonPipelineFailed', message: view.error ?? view.status, nonRetryable: true, details: [view] });
  });
}

async function makePlan(input: PipelineInput, ledger: PipelineLedger, host: string | null, publish: () => void): Promise<PlanStep[]> {
  ledger.setStatus('planning');
  const result = await runStep(
    input,
    ledger,
    { name: 'plan', role: 'planner', round: null, title: null, prompt: () => plannerPrompt(input.goal), cwd: input.cwd, output_schema: PLAN_SCHEMA, host },
    publish,
  );
  if (result?.status !== 'completed') {
    throw new PipelineFailure(`the planner (${input.pipeline_id}.plan) ${result?.status ?? 'failed'}: ${result?.error ?? 'no result'}`);
  }
  const steps = (result.structured_output as { steps?: PlanStep[] } | undefined)?.steps ?? [];
  if (steps.length === 0) throw new PipelineFailure(`the planner (${input.pipeline_id}.plan) returned an empty plan`);
  ledger.plan = steps;
  return steps;
}

async function review(
  input: PipelineInput,
  ledger: PipelineLedger,
  plan: PlanStep[],
  round: number,
  work: Parameters<typeof reviewerPrompt>[2],
  host: string | null,
  publish: () => void,
): Promise<Verdict> {
  const name = `r${round}.review`;
  const result = await runStep(
    input,
    ledger,
    {
      name,
      role: 'reviewer',
      round,
      title: null,
      prompt: (budget) => reviewerPrompt(input.goal, plan, work, round, budget === null ? null : { budget, pipeline_id: input.pipeline_id }),
      cwd: input.cwd,
      output_schema: VERDICT_SCHEMA,
      host,
    },
    publish,
  );
  if (result?.status !== 'completed') {
    throw new PipelineFailure(`the reviewer (${input.pipeline_id}.${name}) gave no verdict: ${result?.error ?? result?.status ?? 'no result'}`);
  }
  return result.structured_output as Verdict;
}

/** Search attribute and memo on every status change; the Web UI's status column tells the truth. */
function publisher(ledger: PipelineLedger, bounded: boolean): () => void {
  let lastStatus: string | null = null;
  return () => {
    const view = ledger.view(new Date());
    if (view.status !== lastStatus) {
      upsertSearchAttributes([{ key: searchAttributeKeys.status, value: view.status }]);
      lastStatus = view.status;
    }
    // Written on every step: without the plan and verdict (query answers have them) until the end.
    upsertMemo({ [VIEW_MEMO_KEY]: bounded ? memoView(view, ledger.isFinal) : view });
  };
}
