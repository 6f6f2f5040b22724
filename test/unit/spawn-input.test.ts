import { describe, expect, it } from 'vitest';
import { spawnRunInputSchema, toRunSpec } from '../../src/domain/spawn-input.js';

const valid = { prompt: 'fix the tests', backend: 'claude_code', cwd: '/work/project' };

function errorOf(args: Record<string, unknown>): string {
  const parsed = spawnRunInputSchema.safeParse(args);
  expect(parsed.success).toBe(false);
  return parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
}

describe('spawn_run arguments', () => {
  it('fill in defaults', () => {
    const args = spawnRunInputSchema.parse(valid);
    expect(args).toMatchObject({ role: 'worker', session_mode: 'new', on_worker_loss: 'resume' });
    expect(toRunSpec(args, { cwd: '/work/project' })).toMatchObject({ backend: 'claude_code', model: null, backend_config: { env: {} } });
  });

  it('refuse an unknown field by name and list the accepted ones', () => {
    expect(errorOf({ ...valid, promt: 'typo' })).toMatch(/spawn_run has no field "promt": remove it\. Accepted fields: prompt, input_message, backend, cwd/);
  });

  it('refuse an unknown backend, role or permission mode, naming the choices', () => {
    expect(errorOf({ ...valid, backend: 'gpt' })).toContain('backend must be one of claude_code, codex, remote_a2a, command (got "gpt")');
    expect(errorOf({ ...valid, role: 'boss' })).toContain('role must be one of worker, planner, reviewer');
    expect(errorOf({ ...valid, permission_mode: 'yolo' })).toContain('permission_mode must be one of default, acceptEdits');
  });

  it('refuse an empty prompt and a missing backend', () => {
    expect(errorOf({ ...valid, prompt: ' \n ' })).toContain('prompt is empty');
    expect(errorOf({ prompt: 'x', cwd: '/w' })).toContain('backend is required');
  });

  it('need session_id to resume', () => {
    expect(errorOf({ ...valid, session_mode: 'resume' })).toContain('session_id: session_mode "resume" needs session_id');
  });

  it('need backend_config.command for the command backend, and refuse claude-only options there', () => {
    expect(errorOf({ ...valid, backend: 'command' })).toContain('backend_config.command');
    expect(errorOf({ ...valid, backend: 'command', backend_config: { command: ['ls'] }, model: 'sonnet' })).toContain('model: model does not apply to the command backend');
    expect(errorOf({ ...valid, backend: 'command', backend_config: { command: ['ls'], shell: true } })).toContain('has no field "shell"');
  });

  it('take exactly one of prompt and input_message', () => {
    const message = {
      parts: [
        { kind: 'text', text: 'hi' },
        { kind: 'data', data: { n: 1 } },
      ],
    };
    expect(spawnRunInputSchema.parse({ backend: 'claude_code', cwd: '/w', input_message: message }).input_message!.role).toBe('user');
    expect(errorOf({ ...valid, input_message: message })).toContain('give exactly one of prompt (text) and input_message (parts)');
    expect(errorOf({ backend: 'claude_code', cwd: '/w' })).toContain('give exactly one of prompt');
    expect(errorOf({ backend: 'claude_code', cwd: '/w', input_message: { parts: [{ kind: 'file', file: { name: 'x' } }] } })).toContain(
      'a file part needs exactly one of uri and bytes',
    );
  });

  it('refuse options the chosen backend does not take', () => {
    expect(errorOf({ ...valid, backend: 'remote_a2a', backend_config: { agent_url: 'https://a.example' }, model: 'x' })).toContain(
      'model does not apply to the remote_a2a backend (only claude_code, codex)',
    );
    expect(errorOf({ ...valid, profile: 'be brief', backend: 'command', backend_config: { command: ['ls'] } })).toContain('profile does not apply to the command backend');
    expect(errorOf({ ...valid, backend_config: { fork_session: true } })).toContain('fork_session forks the session being resumed');
    expect(errorOf({ ...valid, backend: 'remote_a2a', backend_config: { agent_url: 'ftp://x' } })).toContain('agent_url must be an http(s) URL');
  });

  it('bound numbers', () => {
    expect(errorOf({ ...valid, timeout_seconds: 0 })).toContain('timeout_seconds');
    expect(errorOf({ ...valid, max_turns: 1.5 })).toContain('max_turns');
  });
});
