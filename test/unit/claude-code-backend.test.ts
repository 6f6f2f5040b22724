// The claude_code adapter's command line, run through the fake CLI, which accepts exactly what the
// real Claude Code 2.1.330 accepts (its options come from the recorded --help).
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeCodeBackend } from '../../src/activities/backends/claude-code.js';
import type { LaunchRequest } from '../../src/activities/backends/types.js';
import { spawnRunInputSchema, toRunSpec } from '../../src/domain/spawn-input.js';
import { FAKE_CLAUDE } from '../helpers/env.js';

async function request(args: Record<string, unknown>, mode: LaunchRequest['mode'] = 'launch', sessionId: string | null = null): Promise<LaunchRequest> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'baton-claude-'));
  const spec = toRunSpec(spawnRunInputSchema.parse({ prompt: 'hello', backend: 'claude_code', cwd, ...args }), { cwd });
  return {
    run_id: 'run_x',
    spec,
    mode,
    session_id: sessionId,
    input: spec.input,
    task_id: null,
    runDir: cwd,
    openSecret: (v) => v,
    env: { ...process.env, BATON_CLAUDE_BIN: FAKE_CLAUDE },
  };
}

/** Runs the plan as the wrapper would: the program, its args, the input on stdin. */
async function execute(plan: Awaited<ReturnType<typeof claudeCodeBackend.plan>>, cwd: string, stateDir: string) {
  const child = execFile(plan.file, plan.args, { cwd, env: { ...process.env, FAKE_CLAUDE_STATE_DIR: stateDir } });
  child.stdin!.end(plan.input);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('claude_code command line', () => {
  it('uses stream-json with every option Baton passes, and the real CLI accepts them all', async () => {
    const req = await request({ model: 'sonnet', permission_mode: 'acceptEdits', max_turns: 5, max_budget_usd: 1.5 });
    const plan = await claudeCodeBackend.plan(req);
    expect(plan.file).toBe(FAKE_CLAUDE);
    expect(plan.args.slice(0, 4)).toEqual(['-p', '--output-format', 'stream-json', '--verbose']);
    expect(plan.args).toEqual(expect.arrayContaining(['--model=sonnet', '--permission-mode=acceptEdits', '--max-turns=5', '--max-budget-usd=1.5']));
    expect(plan.args).not.toContain('hello');
    const out = await execute(plan, req.spec.cwd, path.join(req.spec.cwd, 'state'));
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { type: string; session_id: string };
    expect(result).toMatchObject({ type: 'result', session_id: plan.session_id });
  });

  it('gives a new session its id up front, and resumes an earlier one by id', async () => {
    const first = await claudeCodeBackend.plan(await request({}));
    expect(first.args).toContain(`--session-id=${first.session_id}`);
    expect(first.session_id).toMatch(/^[0-9a-f-]{36}$/);
    const resumed = await claudeCodeBackend.plan(await request({ session_mode: 'resume', session_id: first.session_id }));
    expect(resumed.args).toContain(`--resume=${first.session_id}`);
    expect(resumed.args.some((a) => a.startsWith('--session-id'))).toBe(false);
  });

  it("after a lost worker, resumes the run's session with a prompt that says what happened", async () => {
    const plan = await claudeCodeBackend.plan(await request({}, 'resume', '0b6f4c1e-1111-4222-8333-444455556666'));
    expect(plan.args).toContain('--resume=0b6f4c1e-1111-4222-8333-444455556666');
    expect(plan.input).toMatch(/interrupted/);
    expect(plan.input).toContain('hello');
  });

  it('says where it looked when the claude binary is missing', async () => {
    const req = await request({});
    await expect(claudeCodeBackend.plan({ ...req, env: { PATH: '/nonexistent' } })).rejects.toThrow(
      /the "claude" command was not found on the worker's PATH and BATON_CLAUDE_BIN is not set/,
    );
    await expect(claudeCodeBackend.plan({ ...req, env: { BATON_CLAUDE_BIN: '/nope/claude' } })).rejects.toThrow(
      'BATON_CLAUDE_BIN is set to "/nope/claude", which is not an executable file',
    );
  });
});
