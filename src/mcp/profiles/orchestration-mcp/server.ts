// The orchestration-mcp profile (docs/orchestration-mcp.md): orchestration-mcp's 10 tools as a thin
// layer over Baton's runs. Where a name is one of Baton's tools, it is Baton's tool itself (same
// schema, same client call): get_run, poll_events, cancel_run and list_runs. The agent tools take
// orchestration-mcp's own arguments and results over Baton's inboxes (./agent-tools.ts).
// spawn_run and continue_run also take input_message parts keyed by `type`; those are turned into
// Baton's `kind` and then checked by Baton's own schemas and client calls (sizes in bytes, allowed
// roots, the launch MAC), so nothing skips a check. spawn_run labels its runs in their metadata
// (baton_profile: orchestration-mcp), as the claude-bridge profile does. get_event_artifact is new
// (./artifact.ts).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { continueRun } from '../../../client/continue-run.js';
import { InputError } from '../../../client/errors.js';
import { channelAgentName } from '../../../domain/agent-inbox.js';
import { PROFILE_KEY } from '../../../domain/claude-bridge.js';
import { spawnRunInputSchema, spawnRunShape, strictObject } from '../../../domain/spawn-input.js';
import { BACKENDS, ROLES, RUN_STATUSES } from '../../../domain/vocabulary.js';
import { CheckedMcpServer } from '../../checked-server.js';
import type { ToolContext } from '../../context.js';
import { describeIssues } from '../../input-issues.js';
import { guarded, structured } from '../../tool-result.js';
import { registerCancelTools } from '../../tools/cancel-tools.js';
import { registerListTools } from '../../tools/list-tools.js';
import { registerReadTools } from '../../tools/read-tools.js';
import { continueInput, continueRunOutput, continueShape } from '../../tools/session-tools.js';
import { READ_ONLY, runIdArg } from '../../tools/shared.js';
import { registerOrchestrationAgentTools } from './agent-tools.js';
import { findCutValue, MAX_ARTIFACT_PAGE, pageOf } from './artifact.js';

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
  'Event fields over 4 KiB are cut with "…[truncated, original N bytes]": get_event_artifact (seq, field_path) returns the whole value in pages.',
  'Named agents (spawn_run nickname) message each other: list_agents, send_agent_message, fetch_agent_messages.',
].join('\n');

const partSchema = z
  .record(z.string(), z.unknown())
  .describe('A part: {"type": "text", "text": "..."}, {"type": "data", "data": {...}} or {"type": "file", "file": {"uri": "..."}}; Baton\'s "kind" is taken in place of "type".');

const inputMessageSchema = z
  .object({ role: z.string().optional(), parts: z.array(partSchema).min(1, 'input_message needs at least one part').max(100) })
  .strict()
  .describe('The input as a message of parts, instead of prompt: {"parts": [{"type": "text", "text": "..."}]}. Parts are keyed by "type" (or Baton\'s "kind"). At most 512 KiB of UTF-8 JSON in all.');

/** Parts keyed by `type` become Baton's `kind`; both given must agree. */
export function normalizeMessage(message: unknown, field = 'input_message'): unknown {
  if (message === undefined || message === null || typeof message !== 'object') return message;
  const { parts, ...rest } = message as { parts?: unknown };
  if (!Array.isArray(parts)) return message;
  return {
    ...rest,
    parts: parts.map((part: unknown, i) => {
      if (part === null || typeof part !== 'object' || Array.isArray(part)) return part;
      const { type, ...others } = part as Record<string, unknown>;
      if (type === undefined) return part;
      if (others.kind !== undefined && others.kind !== type) throw new InputError(`${field}.parts.${i}: type "${String(type)}" and kind "${String(others.kind)}" differ: give one of them`);
      return { ...others, kind: type };
    }),
  };
}

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
  const own = metadata as Record<string, unknown>;
  if (PROFILE_KEY in own) {
    if (own[PROFILE_KEY] !== PROFILE_LABEL) {
      throw new InputError(`metadata.${PROFILE_KEY} is set by this profile to "${PROFILE_LABEL}": leave it out (or give "${PROFILE_LABEL}")`);
    }
    return own;
  }
  if (Object.keys(own).length >= METADATA_KEYS) {
    throw new InputError(`metadata holds at most ${METADATA_KEYS - 1} keys of your own here: this profile adds ${PROFILE_KEY}; remove ${Object.keys(own).length - METADATA_KEYS + 1}`);
  }
  return { ...own, [PROFILE_KEY]: PROFILE_LABEL };
}

/** Baton's schema on the normalized arguments: its parsed value, or its refusal naming the fields. */
function checkedWith<S extends z.ZodType>(schema: S, args: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) throw new InputError(describeIssues(parsed.error.issues).join('\n'));
  return parsed.data;
}

const spawnInput = strictObject({ ...spawnRunShape, input_message: inputMessageSchema.optional() }, 'spawn_run');

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
    session_id: z.string().nullable(),
    channel: z.string().nullable(),
    created: z.boolean().describe('False when idempotency_key matched a run started earlier.'),
    created_at: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

const continueRunTool = {
  title: 'Continue a run',
  description:
    'Follow up on a run: a finished run gets a new run resuming its session (linked by parent); a run waiting for input (input_required) gets the answer. input_message parts take "type" (or "kind"). Returns the run_id to follow.',
  inputSchema: strictObject({ ...continueShape, input_message: inputMessageSchema.optional() }, 'continue_run'),
  outputSchema: continueRunOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

const artifactTool = {
  title: 'Read the whole of a cut event field',
  description:
    `Event strings over 4 KiB are cut in poll_events, ending "…[truncated, original N bytes]". This returns the whole value of one such field (seq, field_path like "data.text" or "data.input.content"), ` +
    `in pages of at most ${MAX_ARTIFACT_PAGE} bytes of UTF-8 (offset, limit; pages end on character boundaries): pass next_offset as offset until eof. Found again in the run's transcript.`,
  inputSchema: strictObject(
    {
      run_id: runIdArg,
      seq: z.number().int('seq is a whole number: the event\'s seq from poll_events').min(1, 'seq starts at 1').describe('The event\'s seq (poll_events).'),
      field_path: z.string().min(1, 'field_path is required, e.g. "data.text"').max(500).describe('The cut field, from the event: "data.text", "data.input.content", "data.items[0].text".'),
      offset: z.number().int().min(0).default(0).describe('Byte offset into the value (default 0).'),
      limit: z.number().int().min(16).max(MAX_ARTIFACT_PAGE, `limit is at most ${MAX_ARTIFACT_PAGE} bytes (256 KiB)`).default(65_536).describe(`Bytes per page (default 65536, at most ${MAX_ARTIFACT_PAGE}).`),
    },
    'get_event_artifact',
  ),
  outputSchema: z.object({
    run_id: z.string(),
    seq: z.number(),
    event_type: z.string(),
    field_path: z.string(),
    offset: z.number(),
    next_offset: z.number().describe('Pass as offset for the next page.'),
    total_bytes: z.number().describe('Bytes of UTF-8 of the whole value.'),
    eof: z.boolean(),
    text: z.string(),
  }),
  annotations: READ_ONLY,
};

/** A view of the server that registers only the named tools: Baton's own tools, unchanged. */
function only(server: McpServer, names: readonly string[]): McpServer {
  const keep = new Set(names);
  return new Proxy(server, {
    get(target, prop, receiver) {
      if (prop === 'registerTool') {
        return (name: string, ...rest: unknown[]) => (keep.has(name) ? (target.registerTool as (...a: unknown[]) => unknown).call(target, name, ...rest) : undefined);
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

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
      const { run_id, created, view } = await runs.spawn(spawnArgs);
      return structured({
        run_id,
        status: view.status,
        backend: view.backend,
        role: view.role,
        nickname: spawnArgs.nickname ?? (view.channel ? channelAgentName(view.channel) : null),
        session_id: view.session_id,
        channel: view.channel,
        created,
        created_at: view.created_at,
      });
    }),
  );

  registerReadTools(only(server, ['get_run', 'poll_events']), ctx);
  registerCancelTools(only(server, ['cancel_run']), ctx);

  server.registerTool('continue_run', continueRunTool, (args) =>
    guarded('continue_run', async () => {
      const checked = checkedWith(continueInput, { ...args, ...(args.input_message ? { input_message: normalizeMessage(args.input_message) } : {}) });
      const continued = await continueRun(await ctx.runs(), checked);
      return structured({ run_id: continued.run_id, parent_run_id: continued.parent_run_id, how: continued.how, status: continued.view.status, run: continued.view });
    }),
  );

  registerListTools(only(server, ['list_runs']), ctx);
  registerOrchestrationAgentTools(server, ctx);

  server.registerTool('get_event_artifact', artifactTool, ({ run_id, seq, field_path, offset, limit }) =>
    guarded('get_event_artifact', async () => {
      const runs = await ctx.runs();
      const { event, value } = await findCutValue(ctx, runs, { run_id, seq, field_path });
      const page = pageOf(value, offset, limit, field_path);
      return structured({ run_id, seq, event_type: event.type, field_path, offset, ...page });
    }),
  );

  return server;
}
