// agentRun: one agent invocation, from launch to its final state (docs/ARCHITECTURE.md). A long run
// continues as new in segments; each picks up the same agent where the last one left it.
import { allHandlersFinished, CancellationScope, condition, continueAsNew, isCancellation, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { RunLedger, type AgentExit } from '../domain/run-ledger.js';
import type { CarriedSegment, RunWorkflowInput } from '../domain/run-spec.js';
import { jsonBytes } from '../domain/sizes.js';
import type { RunResult } from '../domain/run-view.js';
import { AgentStopper } from './agent-stopper.js';
import { answerUpdate, cancelSignal, eventBatchSignal, eventsQuery, grantSignal, segmentQuery, statusQuery } from './messages.js';
import { finishRun, type StopRequest } from './run-finish.js';
import { publishStatus, takeAgentBatch } from './run-publish.js';
import { RunInbox, runTurns } from './run-turns.js';
import type { LaunchRequest } from './supervise-agent.js';

/** Events one query answer holds at most; EVENTS_PAGE_BYTES bounds its size too. */
const MAX_EVENTS_PER_QUERY = 1000;
/** Event batches one segment takes before it asks its activity to hand over (docs/ARCHITECTURE.md). */
const BATCHES_PER_SEGMENT = 1000;

export async function agentRun(started: RunWorkflowInput): Promise<RunResult> {
  // A schedule starts runs under ids it makes (its id plus a time) from arguments fixed when it was
  // created: the workflow id is the run id, and the start time its creation time.
  const { carried, ...fixed } = started;
  const input: RunWorkflowInput = {
    ...fixed,
    run_id: workflowInfo().workflowId,
    ...(started.schedule_id && !carried ? { created_at: workflowInfo().startTime.toISOString() } : {}),
  };
  const ledger = new RunLedger(input, carried?.ledger);
  const root = CancellationScope.current();
  const work = new CancellationScope();
  const stopper = new AgentStopper(input.run_id, ledger, input.timings);
  const inbox = new RunInbox();
  let stop: StopRequest | null = null;
  let batches = 0;

  const requestStop = (request: StopRequest) => {
    stop ??= request;
    stopper.stop(stop.reason);
    work.cancel();
  };

  setHandler(statusQuery, () => ledger.view(new Date()));
  setHandler(eventsQuery, (afterSeq, limit) => ledger.events(afterSeq, Math.min(Math.max(limit, 0), MAX_EVENTS_PER_QUERY)));
  setHandler(segmentQuery, () => ({ end: batches >= BATCHES_PER_SEGMENT || workflowInfo().continueAsNewSuggested }));
  setHandler(eventBatchSignal, (batch) => {
    batches += 1;
    if (takeAgentBatch(ledger, batch)) stopper.agentKnown();
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
  root.cancelRequested.catch(() => requestStop({ status: 'cancelled', reason: 'cancel requested through Temporal (Web UI or `temporal workflow cancel`)' }));

  let exit: AgentExit | null = null;
  let handOver: LaunchRequest | null = null;
  let failure: string | null = null;
  let deadline: number | null = carried?.deadline_ms ?? null;
  let timer: CancellationScope | null = null;
  try {
    await work.run(async () => {
      if (!carried) {
        if (input.awaits_grant) {
          // A turn its idle channel granted as it started it carries the grant; any other waits for it.
          if (!input.grant) await condition(() => inbox.grant !== null);
          ledger.applyGrant(input.grant ?? inbox.grant!);
        }
        ledger.setStatus('running', new Date());
        ledger.record('run_started', { backend: ledger.spec.backend, role: ledger.spec.role, cwd: ledger.spec.cwd }, new Date());
        publishStatus(ledger);
        if (input.spec.timeout_seconds !== null) deadline = Date.now() + input.spec.timeout_seconds * 1000;
      }
      timer = startTimeout(deadline, () => requestStop({ status: 'timed_out', reason: `timed out after ${input.spec.timeout_seconds} s (timeout_seconds)` }));
      const first: LaunchRequest = carried
        ? { mode: carried.launch.mode, input: carried.launch.input ?? ledger.spec.input, continuing: true }
        : { mode: 'launch', input: ledger.spec.input };
      const outcome = await runTurns(input, ledger, inbox, first);
      if (outcome.kind === 'exited') exit = outcome.exit;
      else handOver = outcome.launch;
    });
  } catch (err) {
    if (!isCancellation(err)) failure = describeFailure(err);
  } finally {
    (timer as CancellationScope | null)?.cancel();
  }

  if (handOver && !stop && failure === null) {
    // The agent goes on; the next segment re-attaches to it with this run's state.
    await condition(allHandlersFinished);
    return continueAsNew<typeof agentRun>(carryOver(fixed, ledger, deadline, handOver));
  }
  return CancellationScope.nonCancellable(() => finishRun({ input, ledger, stop, failure, exit, stopper, root }));
}

/**
 * What the next segment gets: the fixed input, the ledger, and the launch, with the run's input
 * once (the launch's input only when it is an answer); the events fill what CARRIED_BYTES leaves.
 */
function carryOver(fixed: Omit<RunWorkflowInput, 'carried'>, ledger: RunLedger, deadline: number | null, handOver: LaunchRequest): RunWorkflowInput {
  const launch: CarriedSegment['launch'] = handOver.input === ledger.spec.input ? { mode: handOver.mode } : { mode: handOver.mode, input: handOver.input };
  const others = jsonBytes({ ...fixed, carried: { deadline_ms: deadline, launch } });
  return { ...fixed, carried: { ledger: ledger.snapshot(others), deadline_ms: deadline, launch } };
}

function startTimeout(deadline: number | null, onTimeout: () => void): CancellationScope {
  const scope = new CancellationScope({ cancellable: true });
  if (deadline !== null) {
    scope.run(() => sleep(Math.max(1, deadline - Date.now()))).then(onTimeout, () => undefined);
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
