// continue_run, list_channels, reset_channel: work that goes on on one backend session.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { listChannels, resetChannel } from '../../client/channels.js';
import { continueRun } from '../../client/continue-run.js';
import { runViewSchema } from '../../domain/run-view.js';
import { inputMessageSchema, spawnRunShape, strictObject } from '../../domain/spawn-input.js';
import { BACKENDS, RUN_STATUSES } from '../../domain/vocabulary.js';
import type { ToolContext } from '../context.js';
import { guarded, structured } from '../tool-result.js';
import { READ_ONLY, runIdArg } from './shared.js';

const channelViewSchema = z.object({
  channel: z.string(),
  backend: z.enum(BACKENDS).nullable(),
  session_id: z.string().nullable().describe('The session the next turn resumes; null when the next turn starts a new one.'),
  active_run_id: z.string().nullable(),
  queued_run_ids: z.array(z.string()),
  turns_done: z.number(),
});

/** continue_run's arguments (a profile may put its own input_message schema in). */
export const continueShape = {
  run_id: runIdArg,
  prompt: spawnRunShape.prompt,
  input_message: inputMessageSchema.optional(),
  timeout_seconds: spawnRunShape.timeout_seconds,
  output_schema: spawnRunShape.output_schema,
  idempotency_key: spawnRunShape.idempotency_key,
};

export const continueInput = strictObject(continueShape, 'continue_run').refine((a) => (a.prompt === undefined) !== (a.input_message === undefined), {
  message: 'give exactly one of prompt (text) and input_message (parts)',
  path: ['prompt'],
});

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
/** continue_run's answer, in every profile that offers it. */
export const continueRunOutput = z.object({
  run_id: z.string().describe('The run to follow now: the new follow-up, or the same run when it was answered.'),
  parent_run_id: z.string(),
  how: z.enum(['answered', 'follow_up', 'channel_turn']),
  status: z.enum(RUN_STATUSES),
  run: runViewSchema,
});

const continueRunTool = {
  title: 'Continue a run',
  description:
    'Follow up on a run. A finished run: starts a new run that resumes its backend session (same backend, cwd and settings; linked by parent), or the next turn of its channel. ' +
    'A run that is input_required or auth_required (a remote agent asked a question): sends your answer to it, and the same run goes on. Returns the run_id to follow.',
  inputSchema: continueInput,
  outputSchema: continueRunOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

const listChannelsTool = {
  title: 'List channels',
  description: "Open channels: each one's backend, the session its next turn resumes, the turn running now and the turns waiting.",
  inputSchema: strictObject({}, 'list_channels'),
  outputSchema: z.object({ channels: z.array(channelViewSchema) }),
  annotations: READ_ONLY,
};

const resetChannelTool = {
  title: 'Reset a channel',
  description: "Forget the channel's session: its next turn starts a new one. A turn running now finishes on the old session.",
  inputSchema: strictObject({ channel: z.string().min(1).max(100).describe("The channel's name.") }, 'reset_channel'),
  outputSchema: channelViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
};

export function registerSessionTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool('continue_run', continueRunTool, (args) =>
    guarded('continue_run', async () => {
      const continued = await continueRun(await ctx.runs(), args);
      return structured({ run_id: continued.run_id, parent_run_id: continued.parent_run_id, how: continued.how, status: continued.view.status, run: continued.view });
    }),
  );

  server.registerTool('list_channels', listChannelsTool, () => guarded('list_channels', async () => structured({ channels: await listChannels((await ctx.runs()).client) })));

  server.registerTool('reset_channel', resetChannelTool, ({ channel }) => guarded('reset_channel', async () => structured(await resetChannel((await ctx.runs()).client, channel))));
}
