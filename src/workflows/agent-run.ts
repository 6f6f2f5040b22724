// agentRun: one agent invocation, from launch to its final state (DESIGN.md §4).
import { CancellationScope, condition, isCancellation, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { RunLedger, type AgentExit } from '../domain/run-ledger.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import type { RunResult } from '../domain/run-view.js';
import { AgentStopper } from './agent-stopper.js';
import { answerUpdate, cancelSignal, eventBatchSignal, eventsQuery, grantSignal, statusQuery } from './messages.js';
import { finishRun, type StopRequest } from './run-finish.js';
import { publishProgress, publishSession, publishStatus } from './run-publish.js';
import { RunInbox, runTurns } from './run-turns.js';

const MAX_EVENTS_PER_QUERY = 1000;

export async function agentRun(started: RunWorkflowInput): Promise<RunResult> {
  // A schedule starts runs under ids it makes (its id plus a time) from arguments fixed when it was
  // created: the workflow id is the run id, and the start time its creation time.
  const input: RunWorkflowInput = {
    ...started,
    run_id: workflowInfo().workflowId,
    ...(started.schedule_id ? { created_at: workflowInfo().startTime.toISOString() } : {}),
  };
  const ledger = new RunLedger(input);
  const root = CancellationScope.current();
  const work = new CancellationScope();
  const stopper = new AgentStopper(input.run_id, ledger, input.timings);
  const inbox = new RunInbox();
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
    publishSession(ledger);
    if (!agentWasKnown && ledger.agent) stopper.agentKnown();
  });
  setHandler(cancelSignal, (reason) => requestStop({ status: 'cancelled', reason: reason || 'cancelled by cancel_run' }));
  setHandler(grantSignal, (grant) => void (inbox.grant ??= grant));
  setHandler(
    answerUpdate,
    (message) => {
      inbox.answers.push(message);
      return ledger.view(new Date());
    },
    {
      validator: (_message) => {
        if (ledger.status !== 'input_required' && ledger.status !== 'auth_required') {
          throw new Error(`run ${input.run_id} is not waiting for input (it is ${ledger.status})`);
        }
      },
    },
  );
  root.cancelRequested.catch(() =>
    requestStop({ status: 'cancelled', reason: 'cancel requested through Temporal (Web UI or `temporal workflow cancel`)' }),
  );

  let exit: AgentExit | null = null;
  let failure: string | null = null;
  let timer: CancellationScope | null = null;
  try {
    exit = await work.run(async () => {
      if (input.awaits_grant) {
        await condition(() => inbox.grant !== null);
        ledger.applyGrant(inbox.grant!);
      }
      ledger.setStatus('running', new Date());
      ledger.record('run_started', { backend: ledger.spec.backend, role: ledger.spec.role, cwd: ledger.spec.cwd }, new Date());
      publishStatus(ledger);
      timer = startTimeout(input, () =>
        requestStop({ status: 'timed_out', reason: `timed out after ${input.spec.timeout_seconds} s (timeout_seconds)` }),
      );
      return runTurns(input, ledger, inbox);
    });
  } catch (err) {
    if (!isCancellation(err)) failure = describeFailure(err);
  } finally {
    (timer as CancellationScope | null)?.cancel();
  }

  return CancellationScope.nonCancellable(() => finishRun({ input, ledger, stop, failure, exit, stopper, root }));
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
