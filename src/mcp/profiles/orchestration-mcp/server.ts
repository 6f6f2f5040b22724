// The orchestration-mcp profile (docs/orchestration-mcp.md): orchestration-mcp's 10 tools, with its
// argument names and result keys (read from its source's schemas), as a thin layer over Baton's
// runs. Each answer has orchestration-mcp's keys and Baton's beside them. Every start and
// follow-up goes through Baton's own schemas and client calls (sizes in bytes, allowed roots, the
// launch MAC), so nothing skips a check; spawn_run labels its runs (baton_profile:
// orchestration-mcp). The run tools are in ./run-tools.ts, get_event_artifact's search in
// ./artifact.ts, the agent tools (orchestration-mcp's messages over Baton's inboxes) in
// ./agent-tools.ts, the shapes in ./shapes.ts.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { InputError } from '../../../client/errors.js';
import { PROFILE_KEY } from '../../../domain/claude-bridge.js';
import { spawnRunInputSchema, spawnRunShape, strictObject } from '../../../domain/spawn-input.js';
import { BACKENDS, ROLES, RUN_STATUSES } from '../../../domain/vocabulary.js';
import { CheckedMcpServer } from '../../checked-server.js';
import type { ToolContext } from '../../context.js';
import { describeIssues } from '../../input-issues.js';
import { guarded, structured } from '../../tool-result.js';
import { spawnAnswer } from '../../tools/start-tools.js';
import { registerOrchestrationAgentTools } from './agent-tools.js';
import { registerOrchestrationRunTools } from './run-tools.js';
import { agentNameOf, inputMessageArg, normalizeMessage } from './shapes.js';

export const ORCHESTRATION_SERVER_NAME = 'orchestration-mcp';

/** The 10 tools, in orchestration-mcp's order. */
export const ORCHESTRATION_TOOLS = [
  'spawn_run',
  'get_run',
  'poll_events',
  'cancel_run',
  'continue_run',
  'list_runs',
  'list_agents',
  'send_agent_message',
  'fetch_agent_messages',
  'get_event_artifact',
] as const;

const INSTRUCTIONS = [
  "Baton, offering orchestration-mcp's tools: each run is a durable Baton run (it survives restarts of this server and of its worker).",
  'spawn_run returns status "queued" at once; follow the run with poll_events (after_seq, next_after_seq) or get_run; cancel_run stops it; continue_run follows up.',
  'Event fields over 4 KiB are cut with "…[truncated, original N bytes]" and listed in the event\'s data.artifact_refs: get_event_artifact (seq, field_path) returns the whole value in pages.',
  'get_run, poll_events, cancel_run, continue_run and get_event_artifact take run_id or agent_name.',
  'Named agents (spawn_run nickname) message each other: list_agents, send_agent_message, fetch_agent_messages.',
].join('\n');

/** The label in the metadata of each run spawn_run starts here. */
export const PROFILE_LABEL = 'orchestration-mcp';
/** Keys spawn_run's metadata holds in all (spawnRunShape.metadata). */
const METADATA_KEYS = 32;

/**
 * The caller's metadata with this profile's label. The label is the profile's: a caller's
 * baton_profile of another value is refused rather than overwritten, and the label takes one of
 * the 32 keys.
 */
export function labelledMetadata(metadata: unknown): unknown {
  if (metadata === undefined) return { [PROFILE_KEY]: PROFILE_LABEL };
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return metadata;
  // orchestration-mcp's metadata values are any JSON; Baton's labels are strings: others are kept as their JSON text.
  const own = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  if (PROFILE_KEY in own) {
    if (own[PROFILE_KEY] !== PROFILE_LABEL) {
      throw new InputError(`metadata.${PROFILE_KEY} is set by this profile to "${PROFILE_LABEL}": leave it out (or give "${PROFILE_LABEL}")`);
    }
    return own;
  }
  if (Object.keys(own).length >= METADATA_KEYS) {
    throw new InputError(
      `metadata holds at most ${METADATA_KEYS - 1} keys of your own here: this profile adds ${PROFILE_KEY}; remove ${Object.keys(own).length - METADATA_KEYS + 1}`,
    );
  }
  return { ...own, [PROFILE_KEY]: PROFILE_LABEL };
}

/** Baton's schema on the normalized arguments: its parsed value, or its refusal naming the fields. */
function checkedWith<S extends z.ZodType>(schema: S, args: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new InputError(describeIssues(parsed.error.issues).join('\n'));
  return parsed.data;
}

const spawnInput = strictObject(
  {
    ...spawnRunShape,
    input_message: inputMessageArg.optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Your labels (at most 31 keys): strings, or any JSON value, kept as its JSON text. Checked by Baton's spawn_run (sizes in bytes)."),
  },
  'spawn_run',
);

const spawnRunTool = {
  title: 'Start an agent run',
  description:
    'Start a coding agent (backend codex, claude_code, remote_a2a, or Baton\'s command) on a task in a directory, durably. Returns at once with status "queued" and the run_id; ' +
    'follow it with poll_events or get_run, stop it with cancel_run. nickname names the agent for send_agent_message. input_message parts take "type" (or "kind"). ' +
    'The run\'s metadata gets baton_profile: "orchestration-mcp" besides your own labels.',
  inputSchema: spawnInput,
  outputSchema: z.object({
    run_id: z.string(),
    status: z.enum(RUN_STATUSES),
    backend: z.enum(BACKENDS),
    role: z.enum(ROLES),
    nickname: z.string().nullable(),
    agent_name: z.string().describe("The nickname, the channel's name, or else the run id: any of them is a valid agent_name."),
    session_id: z.string().describe('The backend session; "" until the agent has started one.'),
    channel: z.string().nullable(),
    created: z.boolean().describe('False when idempotency_key matched a run started earlier.'),
    created_at: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

export function createOrchestrationServer(ctx: ToolContext, version: string): McpServer {
  const server = new CheckedMcpServer({ name: ORCHESTRATION_SERVER_NAME, version }, { instructions: INSTRUCTIONS, capabilities: { logging: {} } });

  server.registerTool('spawn_run', spawnRunTool, (args) =>
    guarded('spawn_run', async () => {
      const spawnArgs = checkedWith(spawnRunInputSchema, {
        ...args,
        ...(args.input_message ? { input_message: normalizeMessage(args.input_message) } : {}),
        metadata: labelledMetadata(args.metadata),
      });
      const runs = await ctx.runs();
      const started = await runs.spawn(spawnArgs);
      return structured({
        ...spawnAnswer(started, spawnArgs.nickname),
        agent_name: agentNameOf({ ...started.view, nickname: spawnArgs.nickname ?? null }),
        session_id: started.view.session_id ?? '',
      });
    }),
  );

  registerOrchestrationRunTools(server, ctx);
  registerOrchestrationAgentTools(server, ctx);

  return server;
}
