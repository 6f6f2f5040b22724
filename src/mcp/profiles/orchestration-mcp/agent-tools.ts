// orchestration-mcp's three agent tools (list_agents, send_agent_message, fetch_agent_messages)
// in its argument names and result keys, over Baton's agent inboxes (src/client/agents.ts).
// Differences, and why, are in docs/orchestration-mcp.md ("Agent messages"): names are global in
// Baton (orchestration-mcp scopes them per cwd), messages are stored as text (./agent-message.ts),
// and fetch_agent_messages' after_seq acknowledges what it passes, as Baton's does.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { agentHolder, fetchAgentMessages, listAgents, sendAgentMessage, type AgentListing } from '../../../client/agents.js';
import { checkCwd } from '../../../client/cwd.js';
import { InputError } from '../../../client/errors.js';
import type { RunsClient } from '../../../client/runs.js';
import { channelWorkflowId } from '../../../domain/channel.js';
import { MAX_FETCH, MAX_MESSAGE_BYTES } from '../../../domain/agent-inbox.js';
import type { RunView } from '../../../domain/run-view.js';
import { formatBytes } from '../../../domain/sizes.js';
import { strictObject } from '../../../domain/strict.js';
import { BACKENDS, ROLES } from '../../../domain/vocabulary.js';
import type { ToolContext } from '../../context.js';
import { MAX_WAIT_SECONDS } from '../../context.js';
import { RUN_STATUSES } from '../../../domain/vocabulary.js';
import { guarded, structured } from '../../tool-result.js';
import { agentName, CALLER_NAME } from '../../tools/agent-tools.js';
import { progressNotifier, READ_ONLY } from '../../tools/shared.js';
import { bodyOfInboxText, bodyOutputSchema, inboxText, inboxTextProblem, messageInputSchema, typedPart, type AgentMessageBody } from './agent-message.js';

/** orchestration-mcp's agentDirectoryStatusSchema: a run's status (Baton's, so timed_out too), or idle for a name no run holds. */
export const AGENT_STATUSES = [...RUN_STATUSES, 'idle'] as const;
type AgentStatus = (typeof AGENT_STATUSES)[number];

const cwdArg = z
  .string()
  .min(1, 'cwd is empty: give an absolute directory, or leave it out')
  .optional()
  .describe(
    "Accepted for orchestration-mcp's sake and checked (an absolute directory under BATON_ALLOWED_ROOTS), but Baton's agent names are global: it does not pick among agents.",
  );

import { objectValue } from './shapes.js';

const sendTool = {
  title: 'Send a message to a named agent',
  description:
    "Puts a message ({role, parts}) in the inbox of an agent name (a run's nickname or a channel's name; names are global, not per cwd). The agent reads it with `baton peer inbox` or `baton peer wait`, " +
    'or anyone with fetch_agent_messages; a name nobody holds yet keeps it for whoever takes the name. Parts are keyed by "type" (or Baton\'s "kind"). A message of text parts only and no metadata ' +
    `reaches the agent as plain text (the texts joined by newlines, the role not kept); others as a JSON envelope. At most ${formatBytes(MAX_MESSAGE_BYTES)} bytes as stored.`,
  inputSchema: strictObject(
    {
      to_agent_name: agentName('to_agent_name').describe('The agent name to send to.'),
      from_agent_name: agentName('from_agent_name')
        .optional()
        .describe(
          `Who the message is from, as the recipient sees it (an agent name it can answer to). Default "${CALLER_NAME}": read answers with fetch_agent_messages agent_name "${CALLER_NAME}". Not checked.`,
        ),
      cwd: cwdArg,
      message: messageInputSchema,
      metadata: objectValue.optional().describe("Kept beside the message: fetch_agent_messages returns it as the message's metadata."),
    },
    'send_agent_message',
  ),
  outputSchema: z.object({
    message_id: z.string().describe('<to_agent_name>:<seq>.'),
    to_agent_name: z.string(),
    to_session_id: z.string().describe('The backend session of the run that holds the name; "" when nobody holds it or it has none yet.'),
    seq: z.number(),
    created_at: z.string(),
    holder: z.string().nullable().describe('Baton: who holds the name now (a run id or channel_<name>); null: nobody yet.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
};

const inboxMessageSchema = z.object({
  message_id: z.string(),
  seq: z.number(),
  from_agent_name: z.string().nullable(),
  from_session_id: z.string().nullable(),
  to_agent_name: z.string(),
  to_session_id: z.string(),
  created_at: z.string(),
  body: bodyOutputSchema,
  metadata: objectValue,
});

const fetchTool = {
  title: "Read a named agent's inbox",
  description:
    'The messages in the inbox of an agent name after after_seq, oldest first. As in Baton, messages at or before after_seq count as read and are dropped for good: pass next_after_seq to go on. ' +
    `At most ${MAX_FETCH} messages a call whatever limit says (more: how many wait after them). A message sent as plain text (by \`baton peer send\`, say) comes back as one text part with role "agent". ` +
    `With wait_seconds (Baton's, at most ${MAX_WAIT_SECONDS}), waits until at least one message is there.`,
  inputSchema: strictObject(
    {
      agent_name: agentName('agent_name').describe(`The agent name whose inbox to read ("${CALLER_NAME}" for answers to messages sent without from_agent_name).`),
      cwd: cwdArg,
      after_seq: z.number().int('after_seq must be a whole number: the seq of the last message you read').min(0, 'after_seq must be 0 or more').default(0),
      limit: z
        .number()
        .int()
        .min(1, 'limit is at least 1')
        .max(1000, 'limit is at most 1000')
        .default(100)
        .describe(`Messages at most (1-1000, default 100); Baton returns at most ${MAX_FETCH} a call.`),
      wait_seconds: z
        .number()
        .min(0)
        .max(MAX_WAIT_SECONDS, `wait_seconds is at most ${MAX_WAIT_SECONDS}, under MCP clients' 60 s request limit; call again to wait longer`)
        .default(0),
    },
    'fetch_agent_messages',
  ),
  outputSchema: z.object({
    agent_name: z.string(),
    session_id: z.string().describe('The backend session of the run that holds the name; "" when unknown.'),
    messages: z.array(inboxMessageSchema),
    next_after_seq: z.number().describe('Pass as after_seq next time (it marks these messages read).'),
    last_seq: z.number().describe('Baton: the seq of the last message the inbox has taken.'),
    more: z.number().describe('Baton: unread messages after these.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
};

const listTool = {
  title: 'List named agents',
  description:
    'The agent names of this Baton: each run spawned with a nickname, each channel, each name someone sent a message to. Per name: the run that holds it (last_run_id) with its role, session, cwd and ' +
    "status (idle when no run holds the name), and Baton's holder, live and unread. Filters: cwd (the run's directory), backend, status.",
  inputSchema: strictObject(
    {
      cwd: cwdArg.describe('Only agents whose run works in this directory (absolute, under BATON_ALLOWED_ROOTS).'),
      backend: z.enum(BACKENDS).optional(),
      status: z.enum(AGENT_STATUSES).optional(),
    },
    'list_agents',
  ),
  outputSchema: z.object({
    agents: z.array(
      z.object({
        agent_name: z.string(),
        role: z.enum(ROLES).nullable(),
        session_id: z.string(),
        status: z.enum(AGENT_STATUSES),
        cwd: z.string(),
        last_run_id: z.string().nullable(),
        updated_at: z.string(),
        backend: z.enum(BACKENDS).nullable(),
        holder: z.string().nullable(),
        holder_status: z.string().nullable(),
        live: z.boolean(),
        unread: z.number(),
        last_seq: z.number(),
      }),
    ),
  }),
  annotations: READ_ONLY,
};

/** The RunView of a name's holder when the holder is a run Baton can read; null for a channel, nobody, or a run gone. */
async function holderRun(runs: RunsClient, holder: string | null): Promise<RunView | null> {
  if (!holder || holder.startsWith(channelWorkflowId(''))) return null;
  // A holder that is no run Baton can read (gone, or not a run) holds no run; any other failure is real.
  return runs.get(holder).catch((err: unknown) => {
    if (err instanceof InputError) return null;
    throw err;
  });
}

/** The holder run's status (Baton's, as every tool of this profile says it: timed_out too), idle without one. */
function agentStatus(listing: AgentListing, run: RunView | null): AgentStatus {
  if (run) return run.status;
  return listing.live ? 'running' : 'idle';
}

function directoryEntry(listing: AgentListing, run: RunView | null) {
  return {
    agent_name: listing.name,
    role: run?.role ?? null,
    session_id: run?.session_id ?? '',
    status: agentStatus(listing, run),
    cwd: run?.cwd ?? '',
    last_run_id: run?.run_id ?? null,
    updated_at: run ? (run.finished_at ?? run.started_at ?? run.created_at) : '',
    backend: run?.backend ?? null,
    holder: listing.holder,
    holder_status: listing.holder_status,
    live: listing.live,
    unread: listing.unread,
    last_seq: listing.last_seq,
  };
}

export function registerOrchestrationAgentTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool('list_agents', listTool, ({ cwd, backend, status }) =>
    guarded('list_agents', async () => {
      const runs = await ctx.runs();
      const dirs = cwd === undefined ? null : [cwd, await checkCwd(cwd, runs.options.allowedRoots)];
      const listings = await listAgents(runs.client, runs.options.taskQueue);
      const entries = await Promise.all(listings.map(async (l) => directoryEntry(l, await holderRun(runs, l.holder))));
      const kept = entries.filter((e) => (!status || e.status === status) && (!backend || e.backend === backend) && (!dirs || dirs.includes(e.cwd)));
      // orchestration-mcp lists the most recently active first.
      kept.sort((a, b) => b.updated_at.localeCompare(a.updated_at) || a.agent_name.localeCompare(b.agent_name));
      return structured({ agents: kept });
    }),
  );

  server.registerTool('send_agent_message', sendTool, ({ to_agent_name, from_agent_name, cwd, message, metadata }) =>
    guarded('send_agent_message', async () => {
      const runs = await ctx.runs();
      if (cwd !== undefined) await checkCwd(cwd, runs.options.allowedRoots);
      const body: AgentMessageBody = { role: message.role, parts: message.parts.map(typedPart), ...(message.metadata ? { metadata: message.metadata } : {}) };
      const stored = inboxText(body, metadata);
      const problem = inboxTextProblem(stored.text, stored.plain);
      if (problem) throw new InputError(problem);
      const sent = await sendAgentMessage(runs.client, runs.options.taskQueue, to_agent_name, from_agent_name ?? CALLER_NAME, stored.text);
      const run = await holderRun(runs, sent.holder);
      return structured({
        message_id: `${to_agent_name}:${sent.seq}`,
        to_agent_name,
        to_session_id: run?.session_id ?? '',
        seq: sent.seq,
        // The inbox stamps its own time too (fetch's created_at): they differ by the round trip.
        created_at: new Date().toISOString(),
        holder: sent.holder,
      });
    }),
  );

  server.registerTool('fetch_agent_messages', fetchTool, ({ agent_name, cwd, after_seq, limit, wait_seconds }, extra) =>
    guarded('fetch_agent_messages', async () => {
      const runs = await ctx.runs();
      if (cwd !== undefined) await checkCwd(cwd, runs.options.allowedRoots);
      progressNotifier(extra)?.(`waiting for messages to "${agent_name}"`);
      const page = await fetchAgentMessages(runs.client, agent_name, after_seq, { limit: Math.min(limit, MAX_FETCH), waitMs: wait_seconds * 1000, signal: extra.signal });
      const session = (await holderRun(runs, await agentHolder(runs.client, agent_name)))?.session_id ?? '';
      const messages = page.messages.map((m) => ({
        message_id: `${agent_name}:${m.seq}`,
        seq: m.seq,
        from_agent_name: m.from,
        from_session_id: null,
        to_agent_name: agent_name,
        to_session_id: session,
        created_at: m.sent_at,
        ...bodyOfInboxText(m.text),
      }));
      return structured({ agent_name, session_id: session, messages, next_after_seq: page.messages.at(-1)?.seq ?? after_seq, last_seq: page.last_seq, more: page.more });
    }),
  );
}
