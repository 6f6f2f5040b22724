// How a run ends: in the Temporal state that matches its BatonStatus (DESIGN.md §4), with the
// RunResult in its memo; a cancelled or timed-out run only after its agent is surely stopped.
import { ApplicationFailure, CancellationScope, CancelledFailure, condition } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../domain/agent-activity.js';
import type { AgentExit, RunLedger } from '../domain/run-ledger.js';
import type { RunResult } from '../domain/run-view.js';
import { checkOutputStep } from './activity-stubs.js';
import type { AgentStopper } from './agent-stopper.js';
import { publishStatus } from './run-publish.js';

export interface StopRequest {
  status: 'cancelled' | 'timed_out';
  reason: string;
}

export interface RunEnding {
  ledger: RunLedger;
  stop: StopRequest | null;
  failure: string | null;
  exit: AgentExit | null;
  stopper: AgentStopper;
  root: CancellationScope;
}

export async function finishRun(e: RunEnding): Promise<RunResult> {
  if (e.stop) return endStopped(e, e.stop);
  if (e.failure !== null || !e.exit) return endFailed(e.ledger, e.failure ?? 'the agent ended without a result', e.exit);
  if (e.ledger.facts.remote_status === 'rejected') {
    const result = e.ledger.finish('rejected', new Date(), e.exit.exit_code, e.ledger.facts.error ?? 'the remote agent rejected the task');
    e.ledger.record('run_failed', { status: 'rejected', error: result.error }, new Date());
    publishStatus(e.ledger);
    throw ApplicationFailure.create({ type: FAILURE_TYPES.runFailed, message: result.error!, nonRetryable: true, details: [result] });
  }
  const ok = e.exit.exit_code === 0 && !e.ledger.facts.is_error;
  if (ok && e.ledger.spec.output_schema) {
    const check = await checkOutputStep()({
      schema: e.ledger.spec.output_schema,
      output: e.ledger.facts.output ?? e.ledger.view(new Date()).last_message ?? '',
      ...(e.ledger.facts.structured_output !== undefined ? { structured_output: e.ledger.facts.structured_output } : {}),
    });
    if (!check.ok) return endFailed(e.ledger, check.error, e.exit);
    e.ledger.structuredOutput = check.value;
  }
  const result = e.ledger.finishFromExit(e.exit, new Date());
  if (result.status === 'completed') {
    e.ledger.record('run_completed', { exit_code: result.exit_code, cost_usd: result.cost_usd }, new Date());
    publishStatus(e.ledger);
    return result;
  }
  e.ledger.record('run_failed', { error: result.error, exit_code: result.exit_code }, new Date());
  publishStatus(e.ledger);
  throw ApplicationFailure.create({ type: FAILURE_TYPES.runFailed, message: result.error ?? 'the agent failed', nonRetryable: true, details: [result] });
}

function endFailed(ledger: RunLedger, error: string, exit: AgentExit | null): never {
  const result = ledger.finish('failed', new Date(), exit?.exit_code ?? null, error);
  ledger.record('run_failed', { error }, new Date());
  publishStatus(ledger);
  throw ApplicationFailure.create({ type: FAILURE_TYPES.runFailed, message: error, nonRetryable: true, details: [result] });
}

/** A cancelled or timed-out run: the agent is stopped for sure, then the run ends in that state. */
async function endStopped(e: RunEnding, stop: StopRequest): Promise<never> {
  await e.stopper.done();
  const result = e.ledger.finish(stop.status, new Date(), e.exit?.exit_code ?? null, stop.reason);
  e.ledger.record(stop.status === 'cancelled' ? 'run_cancelled' : 'run_failed', { reason: stop.reason, status: stop.status }, new Date());
  publishStatus(e.ledger);
  if (stop.status === 'timed_out') {
    throw ApplicationFailure.create({ type: FAILURE_TYPES.timedOut, message: stop.reason, nonRetryable: true, details: [result] });
  }
  // The workflow ends Canceled only once Temporal's cancel request has arrived; cancel_run sends it
  // right after its signal, so wait a little for it rather than end as Failed.
  if (!e.root.consideredCancelled) await condition(() => e.root.consideredCancelled, '10 seconds');
  throw new CancelledFailure(stop.reason, [result]);
}
