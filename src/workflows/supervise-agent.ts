// One launch of the run's agent, seen through to its end: when its worker is lost, re-attach on
// its host; when the agent died too, resume or restart it as on_worker_loss says. Retries are
// the workflow's, not the server's.
import { TimeoutType } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, TimeoutFailure } from '@temporalio/workflow';
import { FAILURE_TYPES, type LaunchMode } from '../domain/agent-activity.js';
import type { InputMessage } from '../domain/input-message.js';
import type { AgentExit, RunLedger } from '../domain/run-ledger.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import { runAgentOn } from './activity-stubs.js';
import { takeAgentBatch } from './run-publish.js';
import { capabilitiesOf } from '../domain/backends.js';

/** Consecutive lost attempts that made no progress before the run gives up. */
const MAX_FRUITLESS_ATTEMPTS = 10;

/** Backends whose sessions can be resumed by id after the agent died. */

type AttemptFailure = 'worker_gone' | 'host_gone' | 'fatal';

export interface LaunchRequest {
  mode: LaunchMode;
  input: InputMessage;
  /** The run's previous segment launched this agent: pick it up again instead of a new launch. */
  continuing?: boolean;
}

export type SupervisedOutcome = { kind: 'exited'; exit: AgentExit } | { kind: 'segment_end'; launch: LaunchRequest };

export async function superviseAgent(input: RunWorkflowInput, ledger: RunLedger, first: LaunchRequest): Promise<SupervisedOutcome> {
  let mode = first.mode;
  let launch = first.continuing ? ledger.launches : ++ledger.launches;
  let continuation = first.continuing === true;
  let fruitless = 0;
  for (;;) {
    // A planned hand-over between segments is not another attempt at the agent.
    if (!continuation) ledger.attempt += 1;
    const before = ledger.offsets.stdout + ledger.offsets.stderr;
    const host = ledger.agent?.host ?? input.pin_host;
    const target = host ? { host } : { sharedQueue: input.task_queue };
    try {
      const outcome = await runAgentOn(
        target,
        input.timings,
      )({
        run_id: input.run_id,
        spec: ledger.spec,
        attempt: ledger.attempt,
        launch,
        input: first.input,
        task_id: ledger.facts.task_id,
        offsets: { ...ledger.offsets },
        last_seq: ledger.log.lastSeq,
        mode,
        session_id: ledger.facts.session_id,
        agent: ledger.agent,
        timings: input.timings,
        continuation,
        result_batch: true,
      });
      continuation = false;
      if (outcome.kind === 'exited') {
        // The answer the host read from the whole transcript (a command's stdout). Only results
        // of this release's activity carry one, so older histories replay as they were: no patch.
        // The agent's last events, when they came with the result (0.7.0 on) instead of by signal.
        if (outcome.batch) takeAgentBatch(ledger, outcome.batch);
        if (outcome.answer) ledger.takeFinalAnswer(outcome.answer);
        return { kind: 'exited', exit: { exit_code: outcome.exit_code, signal: outcome.signal } };
      }
      if (outcome.kind === 'segment_end') return { kind: 'segment_end', launch: { mode, input: first.input } };
      // A stop in progress kills the agent; that is not a lost worker.
      if (CancellationScope.current().consideredCancelled) return { kind: 'exited', exit: { exit_code: null, signal: 'SIGKILL' } };
      mode = nextModeAfterLoss(ledger, outcome.reason);
      launch = ++ledger.launches;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const failure = classify(err);
      if (failure === 'fatal') throw err;
      if (failure === 'host_gone') {
        mode = leaveLostHost(input, ledger);
        launch = ++ledger.launches;
      }
      // worker_gone: the same launch again, on the agent's host, which re-attaches to it.
    }
    const progressed = ledger.offsets.stdout + ledger.offsets.stderr > before;
    fruitless = progressed ? 0 : fruitless + 1;
    if (fruitless >= MAX_FRUITLESS_ATTEMPTS) {
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.runFailed,
        message: `gave up after ${fruitless} attempts in a row that lost their worker without any progress`,
        nonRetryable: true,
      });
    }
  }
}

/** The agent died and left no exit status: resume its session, start it over, or fail. */
function nextModeAfterLoss(ledger: RunLedger, reason: string): LaunchMode {
  const policy = ledger.spec.on_worker_loss;
  const canResume = capabilitiesOf(ledger.spec.backend).resumable && ledger.facts.session_id !== null;
  const next: LaunchMode | 'fail' = policy === 'fail' ? 'fail' : policy === 'resume' && canResume ? 'resume' : 'restart';
  ledger.record('worker_lost', { host: ledger.agent?.host ?? null, reason, policy, next }, new Date());
  if (next === 'fail') {
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.runFailed,
      message: `worker_lost: the agent died with its worker (${reason}) and on_worker_loss is "fail"`,
      nonRetryable: true,
    });
  }
  return next;
}

/**
 * The agent's host did not come back in time. Its agent and files stay there (its worker stops the
 * agent if it ever returns). The run starts over on any host (restart), resumes its session
 * elsewhere when the session does not live on that host's disk (a remote agent's, or a shared
 * session store), or fails with worker_lost, as on_worker_loss says.
 */
function leaveLostHost(input: RunWorkflowInput, ledger: RunLedger): LaunchMode {
  const host = ledger.agent?.host ?? input.pin_host ?? 'unknown';
  const policy = ledger.spec.on_worker_loss;
  const sessionTravels = capabilitiesOf(ledger.spec.backend).session_travels || input.sessions_shared === true;
  const canResume = ledger.facts.session_id !== null && sessionTravels;
  const pinned = input.pin_host !== undefined;
  const next: LaunchMode | 'fail' = pinned || policy === 'fail' ? 'fail' : policy === 'restart' ? 'restart' : canResume ? 'resume' : 'fail';
  const reason = `no worker on host ${host} came back within ${input.timings.host_wait_ms / 1000} s`;
  ledger.record('worker_lost', { host, reason, policy, next }, new Date());
  if (next === 'fail') {
    const why = pinned
      ? 'the run must stay on that host (its pipeline worktree is there)'
      : policy === 'fail'
        ? 'on_worker_loss is "fail"'
        : 'the agent\'s session is on that host\'s disk (set on_worker_loss "restart", or share the session store and set BATON_SHARED_SESSIONS=1)';
    throw ApplicationFailure.create({ type: FAILURE_TYPES.runFailed, message: `worker_lost: ${reason}, and ${why}`, nonRetryable: true });
  }
  // A new host writes a new transcript: its output starts at offset 0.
  ledger.agent = null;
  ledger.offsets = { stdout: 0, stderr: 0 };
  return next;
}

function classify(err: unknown): AttemptFailure {
  if (!(err instanceof ActivityFailure)) return 'fatal';
  const cause = err.cause;
  if (cause instanceof TimeoutFailure) {
    return cause.timeoutType === TimeoutType.SCHEDULE_TO_START ? 'host_gone' : 'worker_gone';
  }
  if (cause instanceof ApplicationFailure && cause.type === FAILURE_TYPES.workerShutdown) return 'worker_gone';
  return 'fatal';
}
