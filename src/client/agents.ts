// Agents that talk to each other, from the client's side (README, "Agents that talk to each
// other"): claiming a name for a run, sending to a name, fetching and acknowledging an inbox, and
// listing the named agents. Used by the MCP tools, by startRun and by `baton peer` inside agents.
import { setTimeout as delay } from 'node:timers/promises';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { channelWorkflowId } from '../domain/channel.js';
import { agentNameProblem, CLAIM_START_GRACE_MS, channelAgentName, inboxWorkflowId, MAX_FETCH, type ClaimOutcome, type InboxPage, type InboxView } from '../domain/agent-inbox.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import { ackMessagesUpdate, claimNameUpdate, inboxMessagesQuery, inboxViewQuery, sendMessageUpdate } from '../workflows/agent-inbox-messages.js';
import { InputError } from './errors.js';
import { viewFromExecution } from './run-views.js';

/** How often a waiting fetch asks the inbox again (a query: nothing enters history). */
const FETCH_POLL_MS = 250;
/** A query gets this long before the inbox counts as unanswered (no worker). */
const QUERY_DEADLINE_MS = 3000;
/**
 * How long a read goes on asking an inbox no worker answers: a worker that died leaves the inbox's
 * next task on its sticky queue for a few seconds, and a restarted worker takes a few more.
 */
const NO_WORKER_PATIENCE_MS = 20_000;
/** Claims tried in a row when each finds a holder that has just ended and another claimer wins. */
const CLAIM_TRIES = 5;

function startOperation(name: string, taskQueue: string) {
  return new WithStartWorkflowOperation('agentInbox', {
    workflowId: inboxWorkflowId(name),
    taskQueue,
    args: [{ name }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [{ key: searchAttributeKeys.kind, value: 'inbox' }],
    staticSummary: `inbox of agent ${name}`,
  });
}

function checkName(name: string, field: string): void {
  const problem = agentNameProblem(name, field);
  if (problem) throw new InputError(problem);
}

function refused(err: unknown): never {
  if (err instanceof WorkflowUpdateFailedError) throw new InputError(err.cause?.message ?? err.message);
  throw err;
}

/**
 * Whether the workflow that holds a name has ended, or never started (a start that failed after
 * its claim: a claim older than CLAIM_START_GRACE_MS whose workflow does not exist). A younger
 * claim whose workflow is not there yet is a start under way, so it still holds.
 */
async function holderEnded(client: Client, holder: string, heldSince: string | null = null): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(holder).describe()).status.name !== 'RUNNING';
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    const since = heldSince ? Date.parse(heldSince) : Number.NaN;
    return Number.isNaN(since) || Date.now() - since >= CLAIM_START_GRACE_MS;
  }
}

function holderText(holder: string): string {
  return holder.startsWith('channel_') ? `channel "${holder.slice('channel_'.length)}"` : `run ${holder}`;
}

/**
 * Makes `holder` (a run id, or a channel's workflow id) the holder of `name`: a compare-and-set on
 * the name's inbox, started on demand. It succeeds when nobody holds the name, when `holder` holds
 * it already, or when its holder has ended (told by describe, here on the client: the inbox cannot
 * ask). A live holder keeps it: the caller is told who and what to do.
 */
export async function claimName(client: Client, taskQueue: string, name: string, holder: string, field = 'nickname'): Promise<void> {
  checkName(name, field);
  // A channel's turns go by its name: a live channel holds it without a claim (its inbox is
  // started only when someone sends to it), so it is asked here.
  if (!(await holderEnded(client, channelWorkflowId(name)))) {
    throw new InputError(`${field} "${name}" is taken: channel "${name}" is live and its turns go by that name: choose another ${field}`);
  }
  let expected: string | null = null;
  for (let i = 0; i < CLAIM_TRIES; i++) {
    let outcome: ClaimOutcome;
    try {
      outcome = await client.workflow.executeUpdateWithStart(claimNameUpdate, {
        args: [{ holder, if_holder: expected }],
        startWorkflowOperation: startOperation(name, taskQueue),
      });
    } catch (err) {
      refused(err);
    }
    if (outcome.claimed) return;
    const current = outcome.holder!;
    if (!(await holderEnded(client, current, outcome.held_since))) {
      throw new InputError(
        `${field} "${name}" is taken: ${holderText(current)} goes by it and is still running: choose another ${field}, or wait until it ends (cancel_run ends a run)`,
      );
    }
    expected = current;
  }
  throw new InputError(`${field} "${name}" is being claimed by other runs right now: try again, or choose another ${field}`);
}

/**
 * A channel's turn goes by the channel's name: refused when a live run took that name as its
 * nickname. Starts nothing (a channel's inbox starts when someone sends to it).
 */
export async function checkChannelName(client: Client, channel: string): Promise<void> {
  const name = channelAgentName(channel);
  if (!name) return;
  const view = await inboxQuery(client, name, (h) => h.query(inboxViewQuery));
  const holder = view?.holder;
  if (!holder || holder === channelWorkflowId(channel) || (await holderEnded(client, holder))) return;
  throw new InputError(`channel "${channel}" is taken as an agent name: ${holderText(holder)} goes by it and is still running: use another channel, or wait until that run ends`);
}

export interface SentMessage {
  to: string;
  seq: number;
  /** Who holds the name now (null: nobody yet; the message waits for them). */
  holder: string | null;
}

/** Sends a message to a name's inbox (started on demand: a name nobody holds yet keeps it for whoever takes the name). */
export async function sendAgentMessage(client: Client, taskQueue: string, to: string, from: string, text: string): Promise<SentMessage> {
  checkName(to, 'to');
  try {
    const { seq } = await client.workflow.executeUpdateWithStart(sendMessageUpdate, {
      args: [{ from, text }],
      startWorkflowOperation: startOperation(to, taskQueue),
    });
    const view = await inboxQuery(client, to, (h) => h.query(inboxViewQuery));
    return { to, seq, holder: view?.holder ?? null };
  } catch (err) {
    refused(err);
  }
}

/** Who holds `name` now (a run id, or a channel's workflow id); null when nobody does. Throws when no worker answers for its inbox. */
export async function agentHolder(client: Client, name: string): Promise<string | null> {
  checkName(name, 'name');
  // No inbox yet: nobody holds the name. An inbox no worker answers for: said, after a while.
  const view = await patientInboxQuery(client, name, (h) => h.query(inboxViewQuery), Date.now() + NO_WORKER_PATIENCE_MS);
  return view?.holder ?? null;
}

type InboxHandle = ReturnType<Client['workflow']['getHandle']>;

/** A query of a name's inbox: undefined when there is no inbox, null when no worker answered in time. */
async function inboxQuery<T>(client: Client, name: string, ask: (handle: InboxHandle) => Promise<T>): Promise<T | null | undefined> {
  const handle = client.workflow.getHandle(inboxWorkflowId(name));
  try {
    return await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => ask(handle));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    return null;
  }
}

function noWorker(name: string): Error {
  return new Error(`the inbox of "${name}" did not answer: no Baton worker is running for it`);
}

/** An inbox query asked again (a query is never in history) until a worker answers or patience runs out. */
async function patientInboxQuery<T>(client: Client, name: string, ask: (handle: InboxHandle) => Promise<T>, until: number): Promise<T | undefined> {
  for (;;) {
    const answer = await inboxQuery(client, name, ask);
    if (answer !== null) return answer;
    if (Date.now() >= until) throw noWorker(name);
    await delay(FETCH_POLL_MS);
  }
}

/** Drops the messages of `name` at or before `afterSeq` (they are read). Nothing to drop: no update, so no history. */
export async function ackAgentMessages(client: Client, name: string, afterSeq: number): Promise<InboxView | null> {
  if (afterSeq === 0) return null;
  const view = await patientInboxQuery(client, name, (h) => h.query(inboxViewQuery), Date.now() + NO_WORKER_PATIENCE_MS);
  if (view === undefined) throw new InputError(`after_seq ${afterSeq} is past the last message of "${name}" (it has had none): pass 0`);
  if (afterSeq > view.last_seq) throw new InputError(`after_seq ${afterSeq} is past the last message of "${name}" (seq ${view.last_seq}): pass the last seq you read`);
  if (view.first_unread_seq === null || view.first_unread_seq > afterSeq) return view;
  try {
    return await client.workflow.getHandle(inboxWorkflowId(name)).executeUpdate(ackMessagesUpdate, { args: [afterSeq] });
  } catch (err) {
    refused(err);
  }
}

/**
 * The messages of `name` after `afterSeq`, oldest first; those at or before it count as read and are
 * dropped first. With `waitMs`, waits until there is at least one (or the time is up).
 */
export async function fetchAgentMessages(client: Client, name: string, afterSeq: number, opts: { limit?: number; waitMs?: number; signal?: AbortSignal } = {}): Promise<InboxPage> {
  checkName(name, 'name');
  const limit = Math.min(opts.limit ?? MAX_FETCH, MAX_FETCH);
  await ackAgentMessages(client, name, afterSeq);
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const patience = Math.max(deadline, Date.now() + NO_WORKER_PATIENCE_MS);
  for (;;) {
    const page = await inboxQuery(client, name, (h) => h.query(inboxMessagesQuery, afterSeq, limit));
    const last = Date.now() >= deadline || Boolean(opts.signal?.aborted);
    if (page === null && (Date.now() >= patience || opts.signal?.aborted)) throw noWorker(name);
    if (page && (page.messages.length > 0 || last)) return page;
    if (page === undefined && last) return { name, messages: [], last_seq: 0, more: 0 };
    await delay(Math.min(FETCH_POLL_MS, Math.max(1, (page === null ? patience : deadline) - Date.now())));
  }
}

export interface AgentListing {
  name: string;
  /** The run (or channel workflow) that goes by the name; null: nobody has taken it yet. */
  holder: string | null;
  /** The holder's status: a run's status, "running" or "closed" for a channel, null without a holder. */
  holder_status: string | null;
  /** Whether the holder is live (its workflow is running). */
  live: boolean;
  unread: number;
  last_seq: number;
}

/** The names of this task queue's agents: every inbox and every live channel, with holder and unread count. */
export async function listAgents(client: Client, taskQueue: string): Promise<AgentListing[]> {
  const onQueue = `ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replace(/'/g, "\\'")}'`;
  const inboxes = new Set<string>();
  for await (const execution of client.workflow.list({ query: `BatonKind = 'inbox' AND ${onQueue}`, pageSize: 500 })) {
    if (execution.workflowId.startsWith('inbox-')) inboxes.add(execution.workflowId.slice('inbox-'.length));
    if (inboxes.size >= 1000) break;
  }
  const channels = new Set<string>();
  for await (const execution of client.workflow.list({ query: `BatonKind = 'channel' AND ${onQueue}`, pageSize: 500 })) {
    const name = channelAgentName(execution.workflowId.slice(channelWorkflowId('').length));
    if (name) channels.add(name);
    if (channels.size >= 1000) break;
  }
  const names = [...new Set([...inboxes, ...channels])];
  const listings = await Promise.all(
    names.map(async (name): Promise<AgentListing> => {
      const view = inboxes.has(name) ? await inboxQuery(client, name, (h) => h.query(inboxViewQuery)) : undefined;
      // A live channel holds its name whether or not its inbox has been claimed.
      const holder = channels.has(name) ? channelWorkflowId(name) : (view?.holder ?? null);
      const status = holder ? await holderStatus(client, holder) : { status: null, live: false };
      return { name, holder, holder_status: status.status, live: status.live, unread: view?.unread ?? 0, last_seq: view?.last_seq ?? 0 };
    }),
  );
  return listings.sort((a, b) => a.name.localeCompare(b.name));
}

async function holderStatus(client: Client, holder: string): Promise<{ status: string | null; live: boolean }> {
  try {
    const description = await client.workflow.getHandle(holder).describe();
    const live = description.status.name === 'RUNNING';
    const view = viewFromExecution(description);
    return { status: view?.status ?? (live ? 'running' : 'closed'), live };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { status: 'not_found', live: false };
    throw err;
  }
}
