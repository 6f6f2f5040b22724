// How a run shows itself outside the workflow: search attributes and memo (read by list_runs and
// by get_run once the run is closed, with no worker needed) and the Web UI's current details.
import { patched, setCurrentDetails, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { TAIL_MEMO_BYTES, TAIL_MEMO_EVENTS, TAIL_MEMO_KEY, VIEW_MEMO_KEY } from '../domain/memo.js';
import type { EventBatch } from '../domain/event-batch.js';
import type { RunLedger } from '../domain/run-ledger.js';
import { isFinalStatus } from '../domain/vocabulary.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import { RUN_MEMO_AGENT } from './patches.js';

/**
 * Events from the run's activity (its signals, or its result at the agent's end) into the ledger,
 * and what they change outside. True when they made the agent known.
 */
export function takeAgentBatch(ledger: RunLedger, batch: EventBatch): boolean {
  const agentWasKnown = ledger.agent !== null;
  if (ledger.applyBatch(batch) > 0) publishProgress(ledger);
  publishSession(ledger);
  publishAgent(ledger);
  return !agentWasKnown && ledger.agent !== null;
}

/** On every status change: a few history events, so never on progress alone. */
export function publishStatus(ledger: RunLedger): void {
  upsertSearchAttributes([{ key: searchAttributeKeys.status, value: ledger.status }]);
  const memo: Record<string, unknown> = { [VIEW_MEMO_KEY]: ledger.view(new Date()) };
  if (isFinalStatus(ledger.status)) memo[TAIL_MEMO_KEY] = ledger.log.tailWithin(TAIL_MEMO_EVENTS, TAIL_MEMO_BYTES);
  upsertMemo(memo);
  publishProgress(ledger);
}

/**
 * Once the agent is known (or re-attached, or relaunched elsewhere), the memo says which attempt
 * runs where: a status change alone comes before the launch, so it kept `attempt 0, host null`.
 */
export function publishAgent(ledger: RunLedger): void {
  const view = ledger.view(new Date());
  const agent = `${view.attempt}@${view.host}`;
  if (view.host === null || agent === ledger.publishedAgent || ledger.publishedAgent === 'old') return;
  if (!patched(RUN_MEMO_AGENT)) return void (ledger.publishedAgent = 'old');
  ledger.publishedAgent = agent;
  upsertMemo({ [VIEW_MEMO_KEY]: view });
}

/** The backend session, searchable once known (a resume checks which backend it belongs to). */
export function publishSession(ledger: RunLedger): void {
  const session = ledger.facts.session_id;
  if (session === null || session === ledger.publishedSession) return;
  ledger.publishedSession = session;
  upsertSearchAttributes([{ key: searchAttributeKeys.session, value: session }]);
}

/** Current details cost no history: the Web UI asks for them with a query. */
export function publishProgress(ledger: RunLedger): void {
  const view = ledger.view(new Date());
  const lines = [`**${view.status}** · ${view.backend} · ${view.role} · events: ${view.last_seq}`];
  if (view.cost_usd !== null) lines.push(`cost: $${view.cost_usd.toFixed(4)}`);
  if (view.error) lines.push(`error: ${view.error}`);
  if (view.last_message) lines.push('', `> ${view.last_message.replace(/\n/g, '\n> ')}`);
  setCurrentDetails(lines.join('\n'));
}
