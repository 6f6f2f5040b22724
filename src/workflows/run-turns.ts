// The launches of one run: the first, and for a remote agent that asks for input, one more per
// answer (continue_run), the run showing input_required or auth_required while it waits.
import { condition } from '@temporalio/workflow';
import type { InputMessage } from '../domain/input-message.js';
import type { RunLedger } from '../domain/run-ledger.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import { publishStatus } from './run-publish.js';
import { superviseAgent, type LaunchRequest, type SupervisedOutcome } from './supervise-agent.js';

export class RunInbox {
  grant: { session_id: string | null; session_cost_usd: number | null } | null = null;
  readonly answers: InputMessage[] = [];
}

/** Runs launches until the agent has ended for good, or the run's history asks for a new segment. */
export async function runTurns(input: RunWorkflowInput, ledger: RunLedger, inbox: RunInbox, first: LaunchRequest): Promise<SupervisedOutcome> {
  let next = first;
  for (;;) {
    const outcome = await superviseAgent(input, ledger, next);
    if (outcome.kind === 'segment_end') return outcome;
    const paused = ledger.facts.remote_status;
    if (outcome.exit.exit_code !== 0 || (paused !== 'input_required' && paused !== 'auth_required')) return outcome;
    ledger.setStatus(paused, new Date());
    ledger.record('input_required', { status: paused, task_id: ledger.facts.task_id, message: ledger.view(new Date()).last_message }, new Date());
    publishStatus(ledger);
    await condition(() => inbox.answers.length > 0);
    ledger.facts.remote_status = null;
    ledger.setStatus('running', new Date());
    publishStatus(ledger);
    next = { mode: 'answer', input: inbox.answers.shift()! };
  }
}
