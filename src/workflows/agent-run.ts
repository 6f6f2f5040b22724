// agentRun: one agent invocation, from launch to its final state (DESIGN.md §4).
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import { FAILURE_TYPES } from '../domain/agent-activity.js';
import { RunLedger, type AgentExit } from '../domain/run-ledger.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import type { RunResult } from '../domain/run-view.js';
import { cancelSignal, eventBatchSignal, eventsQuery, statusQuery } from './messages.js';
import { publishProgress, publishStatus } from './run-publish.js';
import { AgentStopper } from './agent-stopper.js';
import { superviseAgent } from './supervise-agent.js';

const MAX_EVENTS_PER_QUERY = 1000;

interface StopRequest {
  status: 'cancelled' | 'timed_out';
  reason: string;
}

export async function agentRun(input: RunWorkflowInput): Promise<RunResult> {
  const ledger = new RunLedger(input);
  const root = CancellationScope.current();
  const work = new CancellationScope();
  const stopper = new AgentStopper(input.run_id, ledger, input.timings);
  let stop: StopRequest | null = null;

  const requestStop = (request: StopRequest) => {
    stop ??= request;
    stopper.stop(stop.reason);
    work.cancel();
  };

  setHandler(statusQuery, () => ledger.view(new Date()));
  setHandler(eventsQuery, (afterSeq, limit) => ledger.events(afterSeq, Math.min(Math.max(limit, 0), MAX_EVENTS_PER_QUERY)));
  setHandler(eventBatchSignal, (batch) => {
    const agentWasKnown = ledger.agent !== null;
    if (ledger.applyBatch(batch) > 0) publishProgress(ledger);
    if (!agentWasKnown && ledger.agent) stopper.agentKnown();
  });
  setHandler(cancelSignal, (reason) => requestStop({ status: 'cancelled', reason: reason || 'cancelled by cancel_run' }));
  root.cancelRequested.catch(() =>
    requestStop({ status: 'cancelled', reason: 'cancel requested through Temporal (Web UI or `temporal workflow cancel`)' }),
  );

  ledger.setStatus('running', new Date());
  ledger.record('run_started', { backend: input.spec.backend, role: input.spec.role, cwd: input.spec.cwd }, new Date());
  publishStatus(ledger);
  const timer = startTimeout(input, () =>
    requestStop({ status: 'timed_out', reason: `timed out after ${input.spec.timeout_seconds} s (timeout_seconds)` }),
  );

  let exit: AgentExit | null = null;
  let failure: string | null = null;
  try {
    exit = await work.run(() => superviseAgent(input, ledger));
  } catch (err) {
    if (!isCancellation(err)) failure = describeFailure(err);
  } finally {
    timer.cancel();
  }

  return CancellationScope.nonCancellable(async () => {
    if (stop) return endStopped(stop, ledger, stopper, exit, root);
    if (failure !== null) {
      const result = ledger.finish('failed', new Date(), exit?.exit_code ?? null, failure);
      ledger.record('run_failed', { error: failure }, new Date());
      publishStatus(ledger);
      throw ApplicationFailure.create({ type: FAILURE_TYPES.runFailed, message: failure, nonRetryable: true, details: [result] });
    }
    const result = ledger.finishFromExit(exit!, new Date());
    if (result.status === 'completed') {
      ledger.record('run_completed', { exit_code: result.exit_code, cost_usd: result.cost_usd }, new Date());
      publishStatus(ledger);
      return result;
    }
    ledger.record('run_failed', { error: result.error, exit_code: result.exit_code }, new Date());
    publishStatus(ledger);
    throw ApplicationFailure.create({ type: FAILURE_TYPES.runFailed, message: result.error ?? 'the agent failed', nonRetryable: true, details: [result] });
  });
}

/** A cancelled or timed-out run: the agent is stopped for sure, then the run ends in that state. */
async function endStopped(
  stop: StopRequest,
  ledger: RunLedger,
  stopper: AgentStopper,
  exit: AgentExit | null,
  root: CancellationScope,
): Promise<never> {
  await stopper.done();
  const result = ledger.finish(stop.status, new Date(), exit?.exit_code ?? null, stop.reason);
  ledger.record(stop.status === 'cancelled' ? 'run_cancelled' : 'run_failed', { reason: stop.reason, status: stop.status }, new Date());
  publishStatus(ledger);
  if (stop.status === 'timed_out') {
    throw ApplicationFailure.create({ type: FAILURE_TYPES.timedOut, message: stop.reason, nonRetryable: true, details: [result] });
  }
  // The workflow ends Canceled only once Temporal's cancel request has arrived; cancel_run sends it
  // right after its signal, so wait a little for it rather than end as Failed.
  if (!root.consideredCancelled) await condition(() => root.consideredCancelled, '10 seconds');
  throw new CancelledFailure(stop.reason, [result]);
}

function startTimeout(input: RunWorkflowInput, onTimeout: () => void): CancellationScope {
  const scope = new CancellationScope({ cancellable: true });
  const seconds = input.spec.timeout_seconds;
  if (seconds !== null) {
    scope.run(() => sleep(seconds * 1000)).then(onTimeout, () => undefined);
  }
  return scope;
}

function describeFailure(err: unknown): string {
  let cause: unknown = err;
  // Unwrap ActivityFailure -> ApplicationFailure to reach the message a person can act on.
  while (cause instanceof Error && (cause as { cause?: unknown }).cause instanceof Error) {
    cause = (cause as { cause: unknown }).cause;
  }
  return cause instanceof Error ? cause.message : String(cause);
}
