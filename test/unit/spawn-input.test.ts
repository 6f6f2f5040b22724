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
    expect(errorOf({ ...valid, promt: 'typo' })).toMatch(/spawn_run has no field "promt": remove it\. Accepted fields: prompt, backend, cwd/);
  });

  it('refuse an unknown backend, role or permission mode, naming the choices', () => {
    expect(errorOf({ ...valid, backend: 'gpt' })).toContain('backend must be one of claude_code, command (got "gpt")');
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
    expect(errorOf({ ...valid, backend: 'command', backend_config: { command: ['ls'] }, model: 'sonnet' })).toContain(
      'model: model does not apply to the command backend',
    );
    expect(errorOf({ ...valid, backend: 'command', backend_config: { command: ['ls'], shell: true } })).toContain('has no field "shell"');
  });

  it('bound numbers', () => {
    expect(errorOf({ ...valid, timeout_seconds: 0 })).toContain('timeout_seconds');
    expect(errorOf({ ...valid, max_turns: 1.5 })).toContain('max_turns');
  });
});
