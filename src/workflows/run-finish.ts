// How a run ends: in the Temporal state that matches its BatonStatus (docs/ARCHITECTURE.md), with the
// RunResult in its memo; a cancelled or timed-out run only after its agent is surely stopped.
import { ApplicationFailure, CancellationScope, CancelledFailure, condition } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../domain/agent-activity.js';
import type { AgentExit, RunLedger } from '../domain/run-ledger.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import type { RunResult } from '../domain/run-view.js';
import type { EventType } from '../domain/vocabulary.js';
import { checkOutputStep } from './activity-stubs.js';
import type { AgentStopper } from './agent-stopper.js';
import { onRunEnded } from './run-ended.js';
import { publishStatus } from './run-publish.js';

export interface StopRequest {
  status: 'cancelled' | 'timed_out';
  reason: string;
}

export interface RunEnding {
  input: RunWorkflowInput;
  ledger: RunLedger;
  stop: StopRequest | null;
  failure: string | null;
  exit: AgentExit | null;
  stopper: AgentStopper;
  root: CancellationScope;
}

export async function finishRun(e: RunEnding): Promise<RunResult> {
  const { ledger } = e;
  if (e.stop) {
    await e.stopper.done();
    const result = ledger.finish(e.stop.status, new Date(), e.exit?.exit_code ?? null, e.stop.reason);
    const event = e.stop.status === 'cancelled' ? 'run_cancelled' : 'run_failed';
    await conclude(e, event, { reason: e.stop.status === 'cancelled' ? e.stop.reason : undefined, status: e.stop.status, error: result.error });
    if (e.stop.status === 'timed_out') throw failWith(FAILURE_TYPES.timedOut, result);
    // The workflow ends Canceled only once Temporal's cancel request has arrived; cancel_run sends
    // it right after its signal, so wait a little for it rather than end as Failed.
    if (!e.root.consideredCancelled) await condition(() => e.root.consideredCancelled, '10 seconds');
    throw new CancelledFailure(e.stop.reason, [result]);
  }
  if (e.failure !== null || !e.exit) return failed(e, e.failure ?? 'the agent ended without a result');
  if (ledger.facts.remote_status === 'rejected') {
    const result = ledger.finish('rejected', new Date(), e.exit.exit_code, ledger.facts.error ?? 'the remote agent rejected the task');
    await conclude(e, 'run_failed', { status: 'rejected', error: result.error });
    throw failWith(FAILURE_TYPES.runFailed, result);
  }
  const ok = e.exit.exit_code === 0 && !ledger.facts.is_error;
  if (ok && ledger.spec.output_schema) {
    const check = await checkOutputStep()({
      schema: ledger.spec.output_schema,
      output: ledger.facts.output ?? ledger.view(new Date()).last_message ?? '',
      ...(ledger.facts.structured_output !== undefined ? { structured_output: ledger.facts.structured_output } : {}),
      // Only histories made since issue 9 hold this note, so the activity's answer for older ones
      // (and the commands this workflow sends) stay as they were: no patch needed.
      ...(ledger.facts.structured_output_omitted ? { structured_output_omitted: ledger.facts.structured_output_omitted } : {}),
    });
    if (!check.ok) return failed(e, check.error);
    ledger.structuredOutput = check.value;
  }
  const result = ledger.finishFromExit(e.exit, new Date());
  if (result.status === 'completed') {
    await conclude(e, 'run_completed', { exit_code: result.exit_code, cost_usd: result.cost_usd });
    return result;
  }
  await conclude(e, 'run_failed', { error: result.error, exit_code: result.exit_code });
  throw failWith(FAILURE_TYPES.runFailed, result);
}

async function failed(e: RunEnding, error: string): Promise<never> {
  const result = e.ledger.finish('failed', new Date(), e.exit?.exit_code ?? null, error);
  await conclude(e, 'run_failed', { error });
  throw failWith(FAILURE_TYPES.runFailed, result);
}

/** The final event, the final status for readers, then notification and schedule hooks. */
async function conclude(e: RunEnding, event: EventType, data: Record<string, unknown>): Promise<void> {
  const defined = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
  e.ledger.record(event, defined, new Date());
  publishStatus(e.ledger);
  await onRunEnded(e.input, e.ledger, e.ledger.result!);
}

/**
 * The run's own reason, plainly: the Web UI's Result and `temporal workflow describe` show the
 * failure's message and stack, and a stack of Baton's workflow code says nothing about an agent
 * that exited with code 3. The failure carries no command of its own, so this needs no patch.
 */
function failWith(type: string, result: RunResult): ApplicationFailure {
  const failure = ApplicationFailure.create({ type, message: result.error ?? 'the agent failed', nonRetryable: true, details: [result] });
  failure.stack = '';
  return failure;
}
