// The arguments of spawn_run and dispatch: strict, described for the agents that call them, and
// turned into a RunSpec. File-system checks (cwd, profile) live in src/client; this file is pure.
import { z } from 'zod';
import { backendConfigSchemas, type BackendConfig } from './backend-configs/index.js';
import { messageFromPrompt, type InputMessage } from './input-message.js';
import type { RunSpec } from './run-spec.js';
import { sessionIdProblem } from './session-ids.js';
import { AGENT_NAME_PATTERN, AGENT_NAME_RULE } from './agent-inbox.js';
import { utf8Bytes } from './sizes.js';
import { messageSizeProblem, promptSizeProblem, specSizeProblems } from './start-sizes.js';
import { headerValue, oneOf, strictObject } from './strict.js';
import { BACKEND_OPTIONS, backendsTaking, capabilitiesOf } from './backends.js';
import { NOTIFY_ON, type NotifySpec } from './notify.js';
import { BACKENDS, PERMISSION_MODES, ROLES, SESSION_MODES, WORKER_LOSS_POLICIES } from './vocabulary.js';

export { strictObject } from './strict.js';

const promptSchema = z
  .string()
  .refine((p) => p.trim() !== '', 'prompt is empty: say what the agent should do')
  .superRefine((p, ctx) => {
    const problem = promptSizeProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const partSchema = z.discriminatedUnion(
  'kind',
  [
    strictObject({ kind: z.literal('text'), text: z.string().min(1, 'a text part needs text') }, 'a text part'),
    strictObject({ kind: z.literal('data'), data: z.record(z.string(), z.unknown()) }, 'a data part'),
    strictObject(
      {
        kind: z.literal('file'),
        file: strictObject(
          {
            uri: z.string().min(1).optional(),
            bytes: z.string().optional(),
            name: z.string().max(500).optional(),
            mimeType: z.string().max(200).optional(),
          },
          "a file part's file",
        ).refine((f) => (f.uri === undefined) !== (f.bytes === undefined), 'a file part needs exactly one of uri and bytes (base64)'),
      },
      'a file part',
    ),
  ],
  { error: 'each part needs kind "text" (with text), "data" (with data) or "file" (with file)' },
);

export const inputMessageSchema = strictObject(
  {
    role: z.literal('user', 'input_message.role must be "user"').default('user'),
    parts: z.array(partSchema).min(1, 'input_message needs at least one part').max(100),
  },
  'input_message',
)
  .superRefine((message, ctx) => {
    const problem = messageSizeProblem(message);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(
    'The input as a message of parts, instead of prompt: {"parts": [{"kind": "text", "text": "..."}, {"kind": "data", "data": {...}}, {"kind": "file", "file": {"uri": "..."}}]}. At most 512 KiB of UTF-8 JSON in all: send large files by uri.',
  );

export const spawnRunShape = {
  prompt: promptSchema
    .optional()
    .describe(
      "What the agent should do. Sent on the agent's stdin, never on its command line. Give prompt or input_message. At most 512 KiB of UTF-8: put more in a file under cwd and refer to it.",
    ),
  input_message: inputMessageSchema.optional(),
  backend: oneOf(BACKENDS, 'backend').describe(
    'Which agent runs: "claude_code" (the claude CLI), "codex" (the codex CLI), "remote_a2a" (a remote A2A agent at backend_config.agent_url) or "command" (any program, given in backend_config.command).',
  ),
  cwd: z
    .string()
    .min(1, 'cwd is required: an absolute path to an existing directory')
    .describe('Absolute path of the directory the agent works in. Must exist and lie under one of BATON_ALLOWED_ROOTS.'),
  role: oneOf(ROLES, 'role').default('worker').describe("The run's part in a larger job: worker (default), planner or reviewer. Used for filtering."),
  session_mode: oneOf(SESSION_MODES, 'session_mode').default('new').describe('"new" (default) starts a fresh backend session; "resume" continues session_id.'),
  session_id: z.string().min(1).max(500).optional().describe('The backend session to resume (from an earlier run\'s session_id); required with session_mode "resume".'),
  channel: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'channel names are 1-100 letters, digits, ".", "_" or "-"')
    .optional()
    .describe('Run as a turn of this channel: turns run one at a time on one backend session, which the channel keeps between turns.'),
  nickname: z
    .string()
    .refine((n) => utf8Bytes(n) <= 64 && AGENT_NAME_PATTERN.test(n), `nickname must be ${AGENT_NAME_RULE} (at most 64 bytes)`)
    .optional()
    .describe(
      'A name for the agent, unique among live runs: other agents send it messages by this name (send_agent_message, `baton peer send`), and the agent reads them with `baton peer inbox`. ' +
        "Refused while a live run holds the name. A channel's turns go by the channel's name instead.",
    ),
  profile: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Extra instructions for the agent (Claude Code: appended to its system prompt; Codex: its developer instructions): inline text, or the absolute path of a file under an allowed root; at most 128 KiB of UTF-8. claude_code and codex.',
    ),
  output_schema: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'A JSON Schema the final output must match. The run fails, showing the validation errors, when it does not; the value is in result.structured_output. ' +
        'An answer over 128 KiB of JSON fails the run too, saying so (result.structured_output_omitted has its bytes and the limit); read_output has it whole.',
    ),
  model: z.string().min(1).max(200).optional().describe('Model name or alias passed to the agent, e.g. "sonnet" or "gpt-5-codex". claude_code and codex.'),
  permission_mode: oneOf(PERMISSION_MODES, 'permission_mode')
    .optional()
    .describe('Claude Code permission mode; "acceptEdits" lets it edit files without asking. claude_code only.'),
  max_turns: z.number().int().min(1).max(10_000).optional().describe('Stop the agent after this many turns. claude_code only.'),
  max_budget_usd: z.number().positive().max(10_000).optional().describe('Stop the agent when it has spent this many US dollars. claude_code only.'),
  timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 3600)
    .optional()
    .describe('End the run as timed_out after this many seconds (the agent is stopped). Default: no limit.'),
  on_worker_loss: oneOf(WORKER_LOSS_POLICIES, 'on_worker_loss')
    .default('resume')
    .describe('If the agent dies with its worker: "resume" its session (default), "restart" it, or "fail" the run.'),
  metadata: z
    .record(z.string().max(100), z.string().max(1000))
    .refine((m) => Object.keys(m).length <= 32, 'metadata holds at most 32 keys')
    .optional()
    .describe('Your own string labels, returned with the run.'),
  backend_config: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'Backend options. command: {"command": ["prog", "arg"], "env": {}} (command required). claude_code: {"allowed_tools": [], "disallowed_tools": [], "fork_session": false, "env": {}}. ' +
        'codex: {"sandbox": "workspace-write", "approve_for_me": false, "add_dirs": [], "profile": "name", "config": {"model_reasoning_effort": "high"}, "env": {}}. remote_a2a: {"agent_url": "https://...", "headers": {}, "bearer_token": "..."} (agent_url required). See help.',
    ),
  notify_url: z
    .url({ protocol: /^https?$/, error: 'notify_url must be an http(s) URL' })
    .max(2000)
    .optional()
    .describe('Baton POSTs a JSON notification here when the run ends (retried for hours if the receiver is down; signed when BATON_WEBHOOK_SECRET is set).'),
  notify_on: z
    .array(oneOf(NOTIFY_ON, 'notify_on'))
    .min(1)
    .optional()
    .describe('Which endings notify: "done" (completed, the default), "error" (failed or timed out), "cancelled", "abandoned" (lost with its worker), "any".'),
  notify_headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and -'), headerValue().max(8000))
    .optional()
    .describe('Headers sent with the notification (e.g. a token). Secret: sealed before they enter workflow history, never shown.'),
  idempotency_key: z.string().min(1).max(200).optional().describe('Calls with the same key get the same run (safe to retry). Reusing a key with other arguments is an error.'),
};

type SpawnObject = z.infer<ReturnType<typeof spawnRunObject>>;

/** Checks across fields: one input, session rules, options that only some backends take, backend_config. */
export function checkSpawnArgs(args: SpawnObject, ctx: z.RefinementCtx): void {
  if (args.notify_url === undefined && (args.notify_on !== undefined || args.notify_headers !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['notify_url'], message: 'notify_on and notify_headers need notify_url: where to send the notification' });
  }
  if ((args.prompt === undefined) === (args.input_message === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'give exactly one of prompt (text) and input_message (parts)' });
  }
  if (args.nickname !== undefined && args.channel !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['nickname'], message: `a channel's turns go by the channel's name ("${args.channel}"): remove nickname` });
  }
  if (args.session_mode === 'resume' && !args.session_id) {
    ctx.addIssue({ code: 'custom', path: ['session_id'], message: 'session_mode "resume" needs session_id: the session to continue' });
  }
  if (args.session_id && args.session_mode === 'new') {
    ctx.addIssue({ code: 'custom', path: ['session_id'], message: 'session_id is only used with session_mode "resume": add session_mode "resume" or remove session_id' });
  }
  if (!capabilitiesOf(args.backend).resumable && args.session_mode === 'resume') {
    ctx.addIssue({ code: 'custom', path: ['session_mode'], message: `the ${args.backend} backend has no sessions: remove session_mode and session_id` });
  } else if (args.session_id !== undefined) {
    const problem = sessionIdProblem(args.backend, args.session_id);
    if (problem) ctx.addIssue({ code: 'custom', path: ['session_id'], message: `session_id ${problem}` });
  }
  for (const field of BACKEND_OPTIONS) {
    const backends = backendsTaking(field);
    if ((args as Record<string, unknown>)[field] !== undefined && !backends.includes(args.backend)) {
      ctx.addIssue({ code: 'custom', path: [field], message: `${field} does not apply to the ${args.backend} backend (only ${backends.join(', ')}): remove it` });
    }
  }
  if (args.backend === 'claude_code' && (args.backend_config as { fork_session?: unknown } | undefined)?.fork_session === true && args.session_mode !== 'resume') {
    ctx.addIssue({ code: 'custom', path: ['backend_config', 'fork_session'], message: 'fork_session forks the session being resumed: add session_mode "resume" and session_id' });
  }
  const inline = args.profile !== undefined && !(args.profile.startsWith('/') && !args.profile.includes('\n')) ? args.profile : null;
  for (const message of specSizeProblems({
    profile_text: inline,
    output_schema: args.output_schema ?? null,
    backend_config: args.backend_config ?? null,
    metadata: args.metadata ?? {},
  })) {
    ctx.addIssue({ code: 'custom', path: [message.slice(0, message.indexOf(' '))], message });
  }
  const config = backendConfigSchemas[args.backend].safeParse(args.backend_config ?? {});
  if (!config.success) {
    for (const issue of config.error.issues) {
      ctx.addIssue({ code: 'custom', path: ['backend_config', ...issue.path.map(String)], message: issue.message });
    }
  }
}

function spawnRunObject() {
  return strictObject(spawnRunShape, 'spawn_run');
}

export const spawnRunInputSchema = spawnRunObject().superRefine(checkSpawnArgs);
export type SpawnRunArgs = z.infer<typeof spawnRunInputSchema>;

export function inputOf(args: Pick<SpawnRunArgs, 'prompt' | 'input_message'>): InputMessage {
  return args.input_message ? args.input_message : messageFromPrompt(args.prompt ?? '');
}

/** Turns validated arguments into the workflow's RunSpec (defaults filled, absent fields null). */
export function toRunSpec(
  args: SpawnRunArgs,
  resolved: { cwd: string; profileText?: string | null; parent?: string | null; sessionCostBaseline?: number | null; backendConfig?: BackendConfig },
): RunSpec {
  return {
    backend: args.backend,
    role: args.role,
    input: inputOf(args),
    cwd: resolved.cwd,
    session_mode: args.session_mode,
    session_id: args.session_id ?? null,
    model: args.model ?? null,
    permission_mode: args.permission_mode ?? null,
    max_turns: args.max_turns ?? null,
    max_budget_usd: args.max_budget_usd ?? null,
    timeout_seconds: args.timeout_seconds ?? null,
    on_worker_loss: args.on_worker_loss,
    metadata: args.metadata ?? {},
    profile_text: resolved.profileText ?? null,
    output_schema: args.output_schema ?? null,
    channel: args.channel ?? null,
    ...(args.nickname ? { nickname: args.nickname } : {}),
    parent: resolved.parent ?? null,
    session_cost_baseline_usd: resolved.sessionCostBaseline ?? null,
    backend_config: resolved.backendConfig ?? backendConfigSchemas[args.backend].parse(args.backend_config ?? {}),
  };
}

/**
 * A RunSpec back as spawn arguments, so that the worker can check a spec it is about to launch
 * with the very schema spawn_run uses (the spec's resolved profile text travels inline).
 */
export function spawnArgsOfSpec(spec: RunSpec): Record<string, unknown> {
  const optional: Record<string, unknown> = {
    session_id: spec.session_id,
    channel: spec.channel,
    nickname: spec.nickname,
    profile: spec.profile_text,
    output_schema: spec.output_schema,
    model: spec.model,
    permission_mode: spec.permission_mode,
    max_turns: spec.max_turns,
    max_budget_usd: spec.max_budget_usd,
    timeout_seconds: spec.timeout_seconds,
  };
  return {
    input_message: spec.input,
    backend: spec.backend,
    cwd: spec.cwd,
    role: spec.role,
    session_mode: spec.session_mode,
    on_worker_loss: spec.on_worker_loss,
    metadata: spec.metadata,
    backend_config: spec.backend_config,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== null && v !== undefined)),
  };
}

/** The notification a run (or pipeline) asked for, headers not yet sealed. */
export function notifyOf(args: { notify_url?: string; notify_on?: NotifySpec['on']; notify_headers?: Record<string, string> }): NotifySpec | null {
  if (!args.notify_url) return null;
  return { url: args.notify_url, on: args.notify_on ?? ['done'], headers: args.notify_headers ?? {} };
}
