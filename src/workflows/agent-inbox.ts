// agentInbox: the durable inbox of one agent name (docs/ARCHITECTURE.md, "Agent inboxes"). It holds
// the messages sent to the name, numbered by a per-inbox seq, in order, until its reader acknowledges
// them; and the name's holder (the run, or the channel, that goes by the name), changed only by a
// compare-and-set update. It never ends: it continues as new, carrying its unread messages (at most
// INBOX_MAX_BYTES), once its history has grown, whenever no update is running.
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  agentNameProblem,
  inboxFullProblem,
  inboxPage,
  inboxView,
  MAX_FETCH,
  MAX_FROM_BYTES,
  MAX_MESSAGE_BYTES,
  messageBytes,
  type ClaimRequest,
  type InboxInput,
  type InboxState,
  type SendRequest,
} from '../domain/agent-inbox.js';
import { formatBytes, utf8Bytes } from '../domain/sizes.js';
import { ackMessagesUpdate, claimNameUpdate, inboxMessagesQuery, inboxViewQuery, sendMessageUpdate } from './agent-inbox-messages.js';

/** Bytes of messages one run of an inbox takes into its history before it continues as new. */
const HISTORY_BYTES = 8 * 1024 * 1024;
/** Events one run of an inbox takes before it continues as new (each update is a few). */
const HISTORY_EVENTS = 3000;
/** What an update adds to history besides its text. */
const UPDATE_OVERHEAD_BYTES = 1024;

function refuse(message: string): never {
  throw ApplicationFailure.create({ message, nonRetryable: true });
}

export async function agentInbox(input: InboxInput): Promise<void> {
  const state: InboxState = input.carried ?? { name: input.name, holder: null, last_seq: 0, messages: [], bytes: 0 };
  let historyBytes = 0;

  setHandler(inboxViewQuery, () => inboxView(state));
  setHandler(inboxMessagesQuery, (afterSeq: number, limit: number) => inboxPage(state, afterSeq, Math.max(1, Math.min(limit, MAX_FETCH))));
  setHandler(
    sendMessageUpdate,
    (request: SendRequest) => {
      state.last_seq += 1;
      const message = { seq: state.last_seq, from: request.from, text: request.text, sent_at: new Date().toISOString() };
      state.messages.push(message);
      state.bytes += messageBytes(message);
      historyBytes += messageBytes(message) + UPDATE_OVERHEAD_BYTES;
      return { seq: message.seq };
    },
    {
      // Checked here too, not only by the clients: anyone who reaches Temporal can send an update.
      validator: (request: SendRequest) => {
        if (typeof request?.text !== 'string' || typeof request.from !== 'string') refuse('a message needs text and from, both strings');
        if (request.text.trim() === '') refuse('text is empty: say something');
        const bytes = utf8Bytes(request.text);
        if (bytes > MAX_MESSAGE_BYTES)
          refuse(`text is ${formatBytes(bytes)} bytes, over the limit of ${formatBytes(MAX_MESSAGE_BYTES)} bytes: send a shorter text, or put it in a file and send its path`);
        if (request.from === '' || utf8Bytes(request.from) > MAX_FROM_BYTES) refuse(`from must be 1-${MAX_FROM_BYTES} bytes`);
        const full = inboxFullProblem(state, request);
        if (full) refuse(full);
      },
    },
  );
  setHandler(
    ackMessagesUpdate,
    (afterSeq: number) => {
      const kept = state.messages.filter((m) => m.seq > afterSeq);
      state.messages = kept;
      state.bytes = kept.reduce((sum, m) => sum + messageBytes(m), 0);
      historyBytes += UPDATE_OVERHEAD_BYTES;
      return inboxView(state);
    },
    {
      validator: (afterSeq: number) => {
        if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) refuse('after_seq must be a whole number, 0 or more');
        if (afterSeq > state.last_seq) refuse(`after_seq ${afterSeq} is past the last message of "${state.name}" (seq ${state.last_seq}): pass the last seq you read`);
      },
    },
  );
  setHandler(
    claimNameUpdate,
    (request: ClaimRequest) => {
      historyBytes += UPDATE_OVERHEAD_BYTES;
      if (state.holder === request.holder) return { claimed: true, holder: state.holder, held_since: state.held_since ?? null };
      if (state.holder === request.if_holder) {
        state.holder = request.holder;
        state.held_since = new Date().toISOString();
        return { claimed: true, holder: state.holder, held_since: state.held_since };
      }
      return { claimed: false, holder: state.holder, held_since: state.held_since ?? null };
    },
    {
      validator: (request: ClaimRequest) => {
        if (typeof request?.holder !== 'string' || request.holder === '') refuse('a claim needs a holder');
        const problem = agentNameProblem(state.name, 'name');
        if (problem) refuse(problem);
      },
    },
  );

  await condition(() => historyBytes >= HISTORY_BYTES || workflowInfo().historyLength >= HISTORY_EVENTS || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  return continueAsNew<typeof agentInbox>({ name: state.name, carried: state });
}
