// backend_config for the codex backend: the options of `codex exec` (Codex CLI 0.169.0, see
// test/fixtures/codex/help-exec-*.txt) that a run needs. The model and the output schema are
// top-level spawn_run fields; the prompt always goes on stdin.
import { z } from 'zod';
import { envSchema, strictObject } from '../strict.js';

export const CODEX_SANDBOX_MODES = ['read-only', 'workspace-write', 'danger-full-access'] as const;

/** A value codex reads from `-c key=value` as TOML. */
const tomlScalar = z.union([z.string(), z.number().finite(), z.boolean()]);
export type CodexConfigValue = z.infer<typeof tomlScalar> | Array<z.infer<typeof tomlScalar>>;

/** Keys Baton sets from its own fields: one place to say each thing. */
const OWNED_KEYS: Record<string, string> = {
  model: 'the top-level "model" field',
  sandbox_mode: 'backend_config.sandbox',
};

const CONFIG_KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

// (keys are checked here rather than by the record's key schema, whose message zod drops)
const configOverrides = z.record(z.string(), z.union([tomlScalar, z.array(tomlScalar).max(100)])).superRefine((config, ctx) => {
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEY.test(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a config key: use a dotted path of letters, digits, "_" and "-", e.g. "mcp_servers.docs.command"` });
    } else if (OWNED_KEYS[key]) {
      ctx.addIssue({ code: 'custom', path: [key], message: `set ${key} with ${OWNED_KEYS[key]}, not backend_config.config` });
    }
  }
});

export const codexConfigSchema = strictObject(
  {
    sandbox: z
      .enum(CODEX_SANDBOX_MODES)
      .optional()
      .describe(
        'Where the commands codex runs may write (--sandbox). "read-only": nowhere, so codex cannot edit files; "workspace-write": cwd and add_dirs; "danger-full-access": no sandbox. ' +
          'Default: the codex config\'s sandbox_mode, which is read-only unless the host\'s config.toml says otherwise. Set "workspace-write" for a worker that edits code.',
      ),
    approve_for_me: z
      .boolean()
      .default(false)
      .describe(
        "Send approval requests (a command that needs more than the sandbox allows) to codex's automatic reviewer, a model call, instead of refusing them (--approve-for-me; implies the workspace-write sandbox). " +
          'codex exec never asks a person: without this, such requests are refused and the model is told so.',
      ),
    dangerously_bypass_approvals_and_sandbox: z
      .boolean()
      .default(false)
      .describe('Run every command without a sandbox and without approval (--dangerously-bypass-approvals-and-sandbox). Only for hosts that are sandboxed from outside.'),
    add_dirs: z
      .array(z.string().startsWith('/', 'add_dirs entries are absolute paths'))
      .max(50)
      .default([])
      .describe('More directories the workspace-write sandbox lets codex write, besides cwd (--add-dir, once each).'),
    skip_git_repo_check: z
      .boolean()
      .default(true)
      .describe(
        'Let codex run in a cwd that is not inside a git repository (--skip-git-repo-check). Default true: Baton already limits cwd to its allowed roots. ' +
          'false makes codex refuse ("Not inside a trusted directory") any cwd that is not a git repository or a project trusted in its config.',
      ),
    profile: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'profile is a name (letters, digits, ".", "_", "-"): codex reads $CODEX_HOME/<name>.config.toml')
      .optional()
      .describe('A codex config profile: $CODEX_HOME/<profile>.config.toml is layered over config.toml (--profile). A missing file is silently ignored by codex.'),
    ignore_user_config: z.boolean().default(false).describe("Do not load the host's $CODEX_HOME/config.toml; login still comes from CODEX_HOME (--ignore-user-config)."),
    config: configOverrides
      .default({})
      .describe(
        'Codex config.toml settings for this run, one `-c key=value` each; values are written as TOML. ' +
          'E.g. {"model_reasoning_effort": "high", "mcp_servers.docs.default_tools_approval_mode": "approve", "tools.update_plan.enabled": true}. ' +
          'codex exec refuses MCP tool calls that need approval unless the server sets default_tools_approval_mode = "approve". Unknown keys are ignored by codex (it reports them as warnings).',
      ),
    env: envSchema.default({}),
  },
  'backend_config for the codex backend',
).refine((c) => !(c.approve_for_me && c.dangerously_bypass_approvals_and_sandbox), {
  message: 'backend_config: approve_for_me and dangerously_bypass_approvals_and_sandbox cannot be used together (codex refuses the pair); choose one',
});
export type CodexConfig = z.infer<typeof codexConfigSchema>;
