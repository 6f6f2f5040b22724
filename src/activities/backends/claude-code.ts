// The claude_code backend: `claude -p --output-format stream-json --verbose`, prompt on stdin.
// Options are the ones the real CLI accepts (test/fixtures/claude/help-*.txt is its --help).
import { randomUUID } from 'node:crypto';
import type { ClaudeCodeConfig } from '../../domain/run-spec.js';
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
    const session = chooseSession(request);
    const args = ['-p', '--output-format', 'stream-json', '--verbose', ...session.args];
    if (spec.model) args.push('--model', spec.model);
    if (spec.permission_mode) args.push('--permission-mode', spec.permission_mode);
    if (spec.max_turns !== null) args.push('--max-turns', String(spec.max_turns));
    if (spec.max_budget_usd !== null) args.push('--max-budget-usd', String(spec.max_budget_usd));
    return {
      file,
      args,
      env: (spec.backend_config as ClaudeCodeConfig).env,
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
function chooseSession({ spec, mode, session_id }: LaunchRequest): { id: string; args: string[] } {
  if (mode === 'resume' && session_id) return { id: session_id, args: ['--resume', session_id] };
  if (spec.session_mode === 'resume' && spec.session_id) return { id: spec.session_id, args: ['--resume', spec.session_id] };
  const id = randomUUID();
  return { id, args: ['--session-id', id] };
}
