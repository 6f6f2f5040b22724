// The claude_code backend: `claude -p --output-format stream-json --verbose`, prompt on stdin.
// Options are the ones the real CLI accepts (test/fixtures/claude/help-*.txt is its --help).
import { agentInstructions } from '../../domain/agent-inbox.js';
import { randomUUID } from 'node:crypto';
import type { ClaudeCodeConfig } from '../../domain/run-spec.js';
import { sessionIdProblem } from '../../domain/session-ids.js';
import { LaunchError } from '../launch-error.js';
import { ClaudeStreamParser } from './claude-stream.js';
import { renderMessageAsText } from './render-message.js';
import { resolveBinary } from './resolve-binary.js';
import { resumePrompt, type BackendAdapter, type LaunchPlan, type LaunchRequest } from './types.js';

export const claudeCodeBackend: BackendAdapter = {
  async plan(request: LaunchRequest): Promise<LaunchPlan> {
    const { spec } = request;
    const file = await resolveBinary(
      {
        backend: 'claude_code',
        name: 'claude',
        envVar: 'BATON_CLAUDE_BIN',
        install: 'Install Claude Code (npm install -g @anthropic-ai/claude-code)',
      },
      request.env,
    );
    const config = spec.backend_config as ClaudeCodeConfig;
    const session = chooseSession(request, config);
    // Every value a caller chose goes in `--option=value` form: glued to its option, it can never
    // be read as an option of its own (`--resume` takes an optional value).
    const args = ['-p', '--output-format', 'stream-json', '--verbose', ...session.args];
    if (spec.model) args.push(`--model=${spec.model}`);
    if (spec.permission_mode) args.push(`--permission-mode=${spec.permission_mode}`);
    if (spec.max_turns !== null) args.push(`--max-turns=${spec.max_turns}`);
    if (spec.max_budget_usd !== null) args.push(`--max-budget-usd=${spec.max_budget_usd}`);
    // Tool lists are variadic options: one comma-separated argument keeps them from swallowing
    // whatever follows.
    if (config.allowed_tools.length > 0) args.push(`--allowedTools=${config.allowed_tools.join(',')}`);
    if (config.disallowed_tools.length > 0) args.push(`--disallowedTools=${config.disallowed_tools.join(',')}`);
    const instructions = agentInstructions(spec);
    if (instructions) args.push(`--append-system-prompt=${instructions}`);
    if (spec.output_schema) args.push(`--json-schema=${JSON.stringify(spec.output_schema)}`);
    return {
      file,
      args,
      env: config.env,
      input: request.mode === 'resume' ? resumePrompt(renderMessageAsText(request.input)) : renderMessageAsText(request.input),
      session_id: session.id,
    };
  },
  parser: () => new ClaudeStreamParser(),
};

/**
 * A new session gets its id from Baton (--session-id), so the id is known before the first
 * line and a lost agent can be resumed even if it printed nothing.
 */
function chooseSession({ spec, mode, session_id }: LaunchRequest, config: ClaudeCodeConfig): { id: string; args: string[] } {
  // A run resumed after a lost worker continues the session it already had (never a second
  // --session-id with the same id: Claude Code refuses an id that is in use).
  if (mode === 'resume' && session_id) return { id: session_id, args: [resumeArg(session_id)] };
  if (spec.session_mode === 'resume' && spec.session_id) {
    if (!config.fork_session) return { id: spec.session_id, args: [resumeArg(spec.session_id)] };
    // The fork gets an id of Baton's choosing, so it is known before the first line.
    const forkId = randomUUID();
    return { id: forkId, args: [resumeArg(spec.session_id), '--fork-session', `--session-id=${forkId}`] };
  }
  const id = randomUUID();
  return { id, args: [`--session-id=${id}`] };
}

/** The worker does not trust the spec it is handed: the id is checked again, and glued to --resume. */
function resumeArg(id: string): string {
  const problem = sessionIdProblem('claude_code', id);
  if (problem) throw new LaunchError(`claude_code: cannot resume session ${problem}`);
  return `--resume=${id}`;
}
