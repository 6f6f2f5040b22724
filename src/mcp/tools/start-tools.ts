// spawn_run and dispatch: start a run (and for dispatch, wait a bounded time for it).
import type { RunView } from '../../domain/run-view.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { channelAgentName } from '../../domain/agent-inbox.js';
import { runViewSchema } from '../../domain/run-view.js';
import { checkSpawnArgs, spawnRunInputSchema, spawnRunShape, strictObject } from '../../domain/spawn-input.js';
import { BACKENDS, ROLES, RUN_STATUSES } from '../../domain/vocabulary.js';
import type { ToolContext } from '../context.js';
import { guarded, structured } from '../tool-result.js';
import { maxWaitArg, progressReporter } from './shared.js';

const spawnOutput = z.object({
  run_id: z.string(),
  status: z.enum(RUN_STATUSES),
  backend: z.enum(BACKENDS),
  role: z.enum(ROLES),
  session_id: z.string().nullable(),
  channel: z.string().nullable(),
  nickname: z.string().nullable().describe("The agent's name (nickname, or the channel's name for a turn): others message it by this name."),
  created: z.boolean().describe('False when idempotency_key matched a run started earlier.'),
  created_at: z.string(),
});

const dispatchInput = strictObject({ ...spawnRunShape, max_wait_seconds: maxWaitArg }, 'dispatch').superRefine(checkSpawnArgs);
const dispatchOutput = z.object({
  run_id: z.string(),
  finished: z.boolean().describe('False when the wait ran out: call wait_run with run_id.'),
  run: runViewSchema,
});

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
const spawnRunTool = {
  title: 'Start an agent run',
  description:
    'Start a coding agent (Claude Code, or any command) on a task in a directory, durably: returns a run_id at once while the agent works. ' +
    'Follow it with wait_run, poll_events or get_run; stop it with cancel_run. Survives restarts of Baton and of the MCP client.',
  inputSchema: spawnRunInputSchema,
  outputSchema: spawnOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

const dispatchTool = {
  title: 'Run an agent and wait for it',
  description:
    'Start a run like spawn_run, then wait up to max_wait_seconds (default 50) for its result. If it is still going, returns finished=false ' +
    'and the run_id: continue with wait_run. Use spawn_run instead when you have other work to do meanwhile.',
  inputSchema: dispatchInput,
  outputSchema: dispatchOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

/** spawn_run's answer, in every profile that offers it (the orchestration-mcp profile adds its keys). */
export function spawnAnswer({ run_id, created, view }: { run_id: string; created: boolean; view: RunView }, nickname: string | undefined) {
  return {
    run_id,
    status: view.status,
    backend: view.backend,
    role: view.role,
    session_id: view.session_id,
    channel: view.channel,
    nickname: nickname ?? (view.channel ? channelAgentName(view.channel) : null),
    created,
    created_at: view.created_at,
  };
}

export function registerStartTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool('spawn_run', spawnRunTool, (args) =>
    guarded('spawn_run', async () => {
      const runs = await ctx.runs();
      return structured(spawnAnswer(await runs.spawn(args), args.nickname));
    }),
  );

  server.registerTool('dispatch', dispatchTool, (args, extra) =>
    guarded('dispatch', async () => {
      const runs = await ctx.runs();
      const { max_wait_seconds, ...spawnArgs } = args;
      const { run_id } = await runs.spawn(spawnArgs);
      const outcome = await runs.wait(run_id, {
        maxWaitMs: max_wait_seconds * 1000,
        signal: extra.signal,
        onProgress: progressReporter(extra),
      });
      return structured({ run_id, finished: outcome.finished, run: outcome.view });
    }),
  );
}
