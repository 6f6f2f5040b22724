// One step of a pipeline: an agentRun child named <pipeline id>.<step>, with the role's settings,
// and the worktree steps around workers (docs/ARCHITECTURE.md).
import { CancellationScope, isCancellation, ParentClosePolicy, patched, proxyActivities, startChild } from '@temporalio/workflow';
import { messageFromPrompt } from '../domain/input-message.js';
import type { PipelineActivities } from '../domain/pipeline-activities.js';
import type { PipelineInput } from '../domain/pipeline.js';
import { pipelineStepId } from '../domain/pipeline.js';
import type { PipelineLedger } from '../domain/pipeline-ledger.js';
import { stepPromptBudget } from '../domain/prompt-fit.js';
import { stepLabel } from '../domain/step-label.js';
import { runStartMetadata } from '../domain/run-metadata.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import type { RunResult } from '../domain/run-view.js';
import type { Role } from '../domain/vocabulary.js';
import { agentRun } from './agent-run.js';
import { resultFromFailure } from './child-results.js';
import { hostControlQueue, shortQueue } from './names.js';
import { PIPELINE_PROMPT_BUDGET, STEP_LABELS } from './patches.js';

export interface StepRequest {
  name: string;
  role: Role;
  round: number | null;
  title: string | null;
  /** The step's prompt, within `budget` bytes as a JSON string (null: built whole, as before the patch). */
  prompt: (budget: number | null) => string;
  cwd: string;
  output_schema?: Record<string, unknown>;
  /** The host the step must run on (isolation "worktree"). */
  host: string | null;
}

export async function runStep(input: PipelineInput, ledger: PipelineLedger, step: StepRequest, publish: () => void): Promise<RunResult | null> {
  const runId = pipelineStepId(input.pipeline_id, step.name);
  const runInput: RunWorkflowInput = {
    run_id: runId,
    created_at: new Date().toISOString(),
    spec: {
      ...input.roles[step.role],
      role: step.role,
      input: messageFromPrompt(''),
      cwd: step.cwd,
      output_schema: step.output_schema ?? null,
      parent: input.pipeline_id,
      channel: null,
    },
    args_hash: input.args_hash,
    task_queue: input.task_queue,
    timings: input.timings,
    ...(step.host ? { pin_host: step.host } : {}),
  };
  // The prompt gets the room the rest of the start leaves, so the child's input is never refused
  // as too large (by Temporal, or by the worker's launch check).
  // A label says which step this is: every step's prompt begins with the same preamble.
  if (patched(STEP_LABELS)) runInput.label = stepLabel(step.name, step.title, input.goal);
  const budget = patched(PIPELINE_PROMPT_BUDGET) ? stepPromptBudget(runInput) : null;
  runInput.spec.input = messageFromPrompt(step.prompt(budget));
  const handle = await startChild(agentRun, {
    workflowId: runId,
    args: [runInput],
    taskQueue: input.task_queue,
    // Cancelling or closing the pipeline cancels its steps, which stop their agents.
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    ...runStartMetadata(runInput, new Date()),
  });
  ledger.stepStarted(step.name, step.role, step.round, step.title, new Date());
  publish();
  let result: RunResult | null;
  let fallback = 'failed';
  try {
    result = await handle.result();
  } catch (err) {
    // The pipeline's own cancellation goes on up; a step cancelled on its own is a step result.
    if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
    result = resultFromFailure(err);
    if (isCancellation(err)) fallback = 'cancelled';
  }
  ledger.stepFinished(step.name, result, fallback, new Date());
  publish();
  return result;
}

/** Git steps on the repository's host (any host to find it), short and retried a few times. */
export function gitOn(host: string | null, sharedQueue: string) {
  return proxyActivities<PipelineActivities>({
    taskQueue: host ? hostControlQueue(host) : shortQueue(sharedQueue),
    startToCloseTimeout: '5 minutes',
    scheduleToStartTimeout: '10 minutes',
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
  });
}
