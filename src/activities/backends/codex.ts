// The codex backend: `codex exec --json [options] [resume <thread id>] -`, prompt on stdin.
// Options are the ones the real CLI accepts (test/fixtures/codex/help-exec-*.txt is its --help;
// test/contract/codex-cli.test.ts runs these argument lists against the real binary).
import { agentInstructions } from '../../domain/agent-inbox.js';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CodexConfig, CodexConfigValue } from '../../domain/backend-configs/codex.js';
import { UUID } from '../../domain/session-ids.js';
import { LaunchError } from '../launch-error.js';
import { CodexStreamParser } from './codex-stream.js';
import { renderMessageAsText } from './render-message.js';
import { resolveBinary } from './resolve-binary.js';
import { resumePrompt, type BackendAdapter, type LaunchPlan, type LaunchRequest } from './types.js';

/** Codex names threads by UUID (v7). */
const THREAD_ID = UUID;

export const codexBackend: BackendAdapter = {
  async plan(request: LaunchRequest): Promise<LaunchPlan> {
    const { spec } = request;
    const file = await resolveBinary({ backend: 'codex', name: 'codex', envVar: 'BATON_CODEX_BIN', install: 'Install the Codex CLI (npm install -g @openai/codex)' }, request.env);
    const config = spec.backend_config as CodexConfig;
    const thread = chooseThread(request);
    // Every option goes before `resume`: `codex exec resume` accepts only some of them after its
    // name, while those given to `exec` apply to the resumed thread too.
    const args = ['exec', '--json'];
    if (config.skip_git_repo_check) args.push('--skip-git-repo-check');
    // Values a caller chose go in `--option=value` form, so that none can be read as an option.
    if (spec.model) args.push(`--model=${spec.model}`);
    if (config.sandbox) args.push('--sandbox', config.sandbox);
    if (config.approve_for_me) args.push('--approve-for-me');
    if (config.dangerously_bypass_approvals_and_sandbox) args.push('--dangerously-bypass-approvals-and-sandbox');
    for (const dir of config.add_dirs) args.push('--add-dir', dir);
    if (config.profile) args.push(`--profile=${config.profile}`);
    if (config.ignore_user_config) args.push('--ignore-user-config');
    for (const [key, value] of Object.entries(config.config)) args.push('-c', `${key}=${tomlValue(value)}`);
    // codex has no system-prompt flag; developer_instructions is its equivalent setting.
    const instructions = agentInstructions(spec);
    if (instructions) args.push('-c', `developer_instructions=${tomlValue(instructions)}`);
    if (spec.output_schema) args.push('--output-schema', await writeOutputSchema(request.runDir, spec.output_schema));
    if (thread) args.push('resume', thread);
    // "-": the prompt is all of stdin, verbatim (with no argument codex also reads stdin, but says
    // so on stderr).
    args.push('-');
    const prompt = renderMessageAsText(request.input);
    return {
      file,
      args,
      env: config.env,
      input: request.mode === 'resume' ? resumePrompt(prompt) : prompt,
      // A new thread's id is known only from its thread.started line.
      session_id: thread,
    };
  },
  parser: () => new CodexStreamParser(),
};

/**
 * The thread to resume, if any: after a lost worker the run's own thread, else the one the spec
 * names. Only a UUID: `codex exec resume` of a name it does not know starts a new thread without
 * a word, which would look like a successful resume.
 */
function chooseThread({ spec, mode, session_id }: LaunchRequest): string | null {
  const id = mode === 'resume' && session_id ? session_id : spec.session_mode === 'resume' ? spec.session_id : null;
  if (id === null) return null;
  if (!THREAD_ID.test(id)) {
    throw new LaunchError(
      `codex: session_id "${id}" is not a codex thread id (a UUID, as in the thread.started line or a run's session_id). codex exec resume would start a new thread instead of continuing it.`,
    );
  }
  return id;
}

/** The schema as a file in the run's directory: codex reads it from --output-schema <file>. */
async function writeOutputSchema(runDir: string, schema: Record<string, unknown>): Promise<string> {
  await mkdir(runDir, { recursive: true });
  const file = path.join(runDir, 'output-schema.json');
  await writeFile(file, JSON.stringify(schema, null, 2) + '\n', { mode: 0o600 });
  return file;
}

/** A value as TOML, which is how codex reads the value part of `-c key=value`. */
export function tomlValue(value: CodexConfigValue): string {
  if (Array.isArray(value)) return `[${value.map((v) => tomlValue(v)).join(', ')}]`;
  if (typeof value === 'string') return tomlString(value);
  return String(value);
}

/** A TOML basic string: quotes, backslashes and control characters escaped. */
function tomlString(s: string): string {
  const escapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };
  // (a lone surrogate cannot be written as TOML: it becomes U+FFFD)
  const body = s
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/["\\\u0000-\u001f\u007f]/g, (c) => escapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${body}"`;
}
