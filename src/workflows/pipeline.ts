// pipeline: planner -> workers -> reviewer as child runs, round after round (DESIGN.md §4).
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { VIEW_MEMO_KEY } from '../domain/memo.js';
import type { PipelineInput, PipelineView, PlanDecision, PlanStep, Verdict } from '../domain/pipeline.js';
import { PLAN_SCHEMA, VERDICT_SCHEMA } from '../domain/pipeline.js';
import { PipelineLedger } from '../domain/pipeline-ledger.js';
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
  let decision: PlanDecision | null = null;
  let cancelReason: string | null = null;
  const publish = publisher(ledger);

  setHandler(pipelineStatusQuery, () => ledger.view(new Date()));
  setHandler(
    approvePlanUpdate,
    (d) => {
      decision = d;
      return ledger.view(new Date());
    },
    {
      validator: (d) => {
        if (ledger.status !== 'awaiting_approval') throw new Error(`pipeline ${input.pipeline_id} is not waiting for plan approval (it is ${ledger.status})`);
        if (d.decision === 'approve' && d.steps !== undefined && d.steps.length === 0) throw new Error('an edited plan needs at least one step');
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
      const isolation = input.isolation === 'worktree' ? await gitOn(null, input.task_queue).prepareIsolation(input.cwd) : null;
      const host = isolation?.host ?? null;
      let plan = await makePlan(input, ledger, host, publish);
      if (input.require_plan_approval) {
        ledger.setStatus('awaiting_approval');
        publish();
        await condition(() => decision !== null);
        const d = decision as PlanDecision | null;
        if (d?.decision === 'reject') {
          ledger.finish('rejected', new Date(), `the plan was rejected${d.reason ? `: ${d.reason}` : ''}`);
          return;
        }
        if (d?.steps) plan = d.steps;
        ledger.plan = plan;
      }
      let findings: string[] = [];
      for (let round = 1; round <= input.max_rounds; round++) {
        ledger.round = round;
        ledger.setStatus('working');
        publish();
        const work = await runWorkerRound({ input, ledger, plan, round, findings, isolation, publish });
        ledger.setStatus('reviewing');
        publish();
        const verdict = await review(input, ledger, plan, round, work, host, publish);
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
    { name, role: 'reviewer', round, title: null, prompt: (budget) => reviewerPrompt(input.goal, plan, work, round, budget === null ? null : { budget, pipeline_id: input.pipeline_id }), cwd: input.cwd, output_schema: VERDICT_SCHEMA, host },
    publish,
  );
  if (result?.status !== 'completed') {
    throw new PipelineFailure(`the reviewer (${input.pipeline_id}.${name}) gave no verdict: ${result?.error ?? result?.status ?? 'no result'}`);
  }
  return result.structured_output as Verdict;
}

/** Search attribute and memo on every status change; the Web UI's status column tells the truth. */
function publisher(ledger: PipelineLedger): () => void {
  let lastStatus: string | null = null;
  return () => {
    const view = ledger.view(new Date());
    if (view.status !== lastStatus) {
      upsertSearchAttributes([{ key: searchAttributeKeys.status, value: view.status }]);
      lastStatus = view.status;
    }
    upsertMemo({ [VIEW_MEMO_KEY]: view });
  };
}
