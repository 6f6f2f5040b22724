// Agents that talk to each other: list_agents, send_agent_message, fetch_agent_messages (README,
// "Agents that talk to each other"). Agents themselves use `baton peer`, which calls the same client.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fetchAgentMessages, listAgents, sendAgentMessage } from '../../client/agents.js';
import { AGENT_NAME_PATTERN, AGENT_NAME_RULE, MAX_FETCH, MAX_FROM_BYTES, MAX_MESSAGE_BYTES } from '../../domain/agent-inbox.js';
import { formatBytes, utf8Bytes } from '../../domain/sizes.js';
import { strictObject } from '../../domain/spawn-input.js';
import type { ToolContext } from '../context.js';
import { MAX_WAIT_SECONDS } from '../context.js';
import { guarded, structured } from '../tool-result.js';
import { progressNotifier, READ_ONLY } from './shared.js';

/** `from` when the caller gives none: the MCP caller, who reads replies with fetch_agent_messages name "caller". */
export const CALLER_NAME = 'caller';

export function agentName(field: string) {
  return z.string().refine((n) => utf8Bytes(n) <= 64 && AGENT_NAME_PATTERN.test(n), `${field} must be an agent name: ${AGENT_NAME_RULE} (list_agents shows the names)`);
}

const messageSchema = z.object({ seq: z.number(), from: z.string(), text: z.string(), sent_at: z.string() });

const listAgentsTool = {
  title: 'List named agents',
  description:
    'The agent names of this Baton: each run spawned with a nickname, each channel, and each name someone sent a message to. ' +
    'Per name: the run (or channel) that holds it, its status, whether it is live, and how many messages wait unread in its inbox.',
  inputSchema: strictObject({}, 'list_agents'),
  outputSchema: z.object({
    agents: z.array(
      z.object({
        name: z.string(),
        holder: z.string().nullable().describe('The run id (or channel_<name>) that goes by the name; null: nobody has taken it yet.'),
        holder_status: z.string().nullable(),
        live: z.boolean(),
        unread: z.number(),
        last_seq: z.number(),
      }),
    ),
  }),
  annotations: READ_ONLY,
};

const sendTool = {
  title: 'Send a message to a named agent',
  description:
    "Puts a message in the inbox of an agent name (a run's nickname or a channel's name). The inbox keeps it until the agent reads it (`baton peer inbox` or `baton peer wait` inside the agent, " +
    "or fetch_agent_messages): a busy agent gets it at its next read; a name nobody holds yet keeps it for whoever takes the name. A message to a channel's name does not start a turn. " +
    `At most ${formatBytes(MAX_MESSAGE_BYTES)} bytes of text; a full inbox refuses more until it is read.`,
  inputSchema: strictObject(
    {
      to: agentName('to').describe('The agent name to send to.'),
      text: z
        .string()
        .refine((t) => t.trim() !== '', 'text is empty: say something')
        .refine(
          (t) => utf8Bytes(t) <= MAX_MESSAGE_BYTES,
          `text is over the limit of ${formatBytes(MAX_MESSAGE_BYTES)} bytes of UTF-8: send a shorter text, or put it in a file and send its path`,
        )
        .describe(`The message, at most ${formatBytes(MAX_MESSAGE_BYTES)} bytes of UTF-8.`),
      from: z
        .string()
        .min(1, 'from is empty: give a name, or leave it out')
        .refine((f) => utf8Bytes(f) <= MAX_FROM_BYTES, `from is at most ${MAX_FROM_BYTES} bytes`)
        .optional()
        .describe(
          `Who the message is from, as the recipient sees it (an agent name it can answer to). Default "${CALLER_NAME}": read answers with fetch_agent_messages name "${CALLER_NAME}". Self-declared: not checked.`,
        ),
    },
    'send_agent_message',
  ),
  outputSchema: z.object({
    to: z.string(),
    seq: z.number().describe("The message's seq in the recipient's inbox."),
    holder: z.string().nullable().describe('Who holds the name now; null: nobody yet (the message waits for them).'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
};

const fetchTool = {
  title: "Read a named agent's inbox",
  description:
    'The messages in the inbox of an agent name after after_seq, oldest first. Messages at or before after_seq count as read and are dropped: pass the last seq you have read ' +
    `(next_after_seq) to go on. With wait_seconds (at most ${MAX_WAIT_SECONDS}), waits until at least one message is there.`,
  inputSchema: strictObject(
    {
      name: agentName('name').describe(`The agent name whose inbox to read ("${CALLER_NAME}" for answers to messages you sent without from).`),
      after_seq: z
        .number()
        .int('after_seq must be a whole number: the seq of the last message you read')
        .min(0, 'after_seq must be 0 or more')
        .default(0)
        .describe('The last seq you have read (default 0: from the start). Messages at or before it are dropped.'),
      limit: z.number().int().min(1).max(MAX_FETCH, `limit is at most ${MAX_FETCH}`).default(MAX_FETCH).describe(`Messages at most (default and most ${MAX_FETCH}).`),
      wait_seconds: z
        .number()
        .min(0)
        .max(MAX_WAIT_SECONDS, `wait_seconds is at most ${MAX_WAIT_SECONDS}, under MCP clients' 60 s request limit; call again to wait longer`)
        .default(0)
        .describe(`Wait up to this long for a message (default 0, at most ${MAX_WAIT_SECONDS}).`),
    },
    'fetch_agent_messages',
  ),
  outputSchema: z.object({
    name: z.string(),
    messages: z.array(messageSchema),
    last_seq: z.number().describe('The seq of the last message the inbox has taken.'),
    more: z.number().describe('Unread messages after these: call again with next_after_seq.'),
    next_after_seq: z.number().describe('Pass as after_seq next time (it marks these messages read).'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
};

export function registerAgentTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool('list_agents', listAgentsTool, () =>
    guarded('list_agents', async () => {
      const runs = await ctx.runs();
      return structured({ agents: await listAgents(runs.client, runs.options.taskQueue) });
    }),
  );
  server.registerTool('send_agent_message', sendTool, ({ to, text, from }) =>
    guarded('send_agent_message', async () => {
      const runs = await ctx.runs();
      return structured(await sendAgentMessage(runs.client, runs.options.taskQueue, to, from ?? CALLER_NAME, text));
    }),
  );
  server.registerTool('fetch_agent_messages', fetchTool, ({ name, after_seq, limit, wait_seconds }, extra) =>
    guarded('fetch_agent_messages', async () => {
      const runs = await ctx.runs();
      const notify = progressNotifier(extra);
      notify?.(`waiting for messages to "${name}"`);
      const page = await fetchAgentMessages(runs.client, name, after_seq, { limit, waitMs: wait_seconds * 1000, signal: extra.signal });
      const last = page.messages.at(-1)?.seq ?? after_seq;
      return structured({ ...page, next_after_seq: last });
    }),
  );
}
