// The arguments of spawn_run and dispatch: strict, described for the agents that call them, and
// turned into a RunSpec. File-system checks (cwd) live in src/client/cwd.ts; this file is pure.
import { z } from 'zod';
import type { BackendConfig, RunSpec } from './run-spec.js';
import {
  BACKENDS,
  PERMISSION_MODES,
  ROLES,
  SESSION_MODES,
  WORKER_LOSS_POLICIES,
  type Backend,
} from './vocabulary.js';

/** Refuses unknown fields by name, and lists the fields that are accepted. */
export function strictObject<T extends z.ZodRawShape>(shape: T, what: string) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${what} has no field ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove it. Accepted fields: ${Object.keys(shape).join(', ')}`
        : undefined,
  });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, field: string) {
  return z.enum(values, {
    error: (issue) =>
      issue.input === undefined ? `${field} is required: one of ${values.join(', ')}` : `${field} must be one of ${values.join(', ')} (got ${JSON.stringify(issue.input)})`,
  });
}

const envSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and _'), z.string())
  .describe('Extra environment variables for the agent process.');

export const commandConfigSchema = strictObject(
  {
    command: z
      .array(z.string().min(1))
      .min(1, 'backend_config.command needs at least the program, e.g. ["npm", "test"]')
      .describe('The program and its arguments, e.g. ["npm", "test"]. Run without a shell; the prompt arrives on stdin.'),
    env: envSchema.optional(),
  },
  'backend_config for the command backend',
);

export const claudeCodeConfigSchema = strictObject(
  {
    env: envSchema.optional(),
  },
  'backend_config for the claude_code backend',
);

const backendConfigSchemas: Record<Backend, z.ZodType> = {
  command: commandConfigSchema,
  claude_code: claudeCodeConfigSchema,
};

export const spawnRunShape = {
  prompt: z
    .string()
    .max(1_000_000, 'prompt is over 1,000,000 characters: put the material in a file under cwd and refer to it')
    .refine((p) => p.trim() !== '', 'prompt is empty: say what the agent should do')
    .describe('What the agent should do. Sent on the agent\'s stdin, never on its command line.'),
  backend: oneOf(BACKENDS, 'backend').describe(
    'Which agent runs: "claude_code" (the `claude` CLI) or "command" (any program, given in backend_config.command).',
  ),
  cwd: z
    .string()
    .min(1, 'cwd is required: an absolute path to an existing directory')
    .describe('Absolute path of the directory the agent works in. Must exist and lie under one of BATON_ALLOWED_ROOTS.'),
  role: oneOf(ROLES, 'role').default('worker').describe('The run\'s part in a larger job: worker (default), planner or reviewer. Used for filtering.'),
  session_mode: oneOf(SESSION_MODES, 'session_mode')
    .default('new')
    .describe('"new" (default) starts a fresh backend session; "resume" continues session_id.'),
  session_id: z.string().min(1).optional().describe('The backend session to resume; required with session_mode "resume".'),
  model: z.string().min(1).max(200).optional().describe('Model name or alias passed to the agent, e.g. "sonnet".'),
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
      'Backend options. command: {"command": ["prog", "arg", ...], "env": {...}} (command is required). claude_code: {"env": {...}}.',
    ),
  idempotency_key: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Calls with the same key get the same run (safe to retry). Reusing a key with other arguments is an error.'),
};

/** Checks across fields: session rules, options that only some backends take, backend_config. */
export function checkSpawnArgs(args: z.infer<ReturnType<typeof spawnRunObject>>, ctx: z.RefinementCtx): void {
  if (args.session_mode === 'resume' && !args.session_id) {
    ctx.addIssue({ code: 'custom', path: ['session_id'], message: 'session_mode "resume" needs session_id: the session to continue' });
  }
  if (args.backend === 'command') {
    for (const field of ['session_id', 'model', 'permission_mode', 'max_turns', 'max_budget_usd'] as const) {
      if (args[field] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} does not apply to the command backend: remove it` });
      }
    }
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

/** Turns validated arguments into the workflow's RunSpec (defaults filled, absent fields null). */
export function toRunSpec(args: SpawnRunArgs, cwd: string): RunSpec {
  const config = backendConfigSchemas[args.backend].parse(args.backend_config ?? {}) as Record<string, unknown>;
  const backendConfig = { ...config, env: (config.env as Record<string, string> | undefined) ?? {} } as BackendConfig;
  return {
    backend: args.backend,
    role: args.role,
    prompt: args.prompt,
    cwd,
    session_mode: args.session_mode,
    session_id: args.session_id ?? null,
    model: args.model ?? null,
    permission_mode: args.permission_mode ?? null,
    max_turns: args.max_turns ?? null,
    max_budget_usd: args.max_budget_usd ?? null,
    timeout_seconds: args.timeout_seconds ?? null,
    on_worker_loss: args.on_worker_loss,
    metadata: args.metadata ?? {},
    backend_config: backendConfig,
  };
}
