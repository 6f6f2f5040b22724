// The remote_a2a adapter's launch plan: the bridge under this Node, secrets only in the
// environment, and the A2A context and task chosen by the launch mode.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridgePath, remoteA2aBackend } from '../../src/activities/backends/a2a.js';
import type { LaunchRequest } from '../../src/activities/backends/types.js';
import { spawnRunInputSchema, toRunSpec } from '../../src/domain/spawn-input.js';
import { ROOT } from '../helpers/env.js';

const AGENT = 'https://agents.example.test/reviewer';

async function request(config: Record<string, unknown>, extra: Partial<LaunchRequest> = {}, specArgs: Record<string, unknown> = {}): Promise<LaunchRequest> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'baton-a2a-'));
  const spec = toRunSpec(spawnRunInputSchema.parse({ prompt: 'review this', backend: 'remote_a2a', cwd, backend_config: { agent_url: AGENT, ...config }, ...specArgs }), { cwd });
  return { run_id: 'run_x', spec, mode: 'launch', session_id: null, input: spec.input, task_id: null, runDir: cwd, openSecret: (v) => v, env: process.env, ...extra };
}

describe('remote_a2a launch plan', () => {
  it('runs the compiled bridge under this Node with the message on stdin and the headers in the environment only', async () => {
    const plan = await remoteA2aBackend.plan(await request({ headers: { 'X-Api-Key': 'k-123' }, bearer_token: 'tok-456' }));
    expect(plan.file).toBe(process.execPath);
    expect(bridgePath()).toBe(path.join(ROOT, 'dist', 'a2a', 'bridge.js'));
    expect(plan.args).toEqual([bridgePath(), `--agent-url=${AGENT}`]);
    expect(JSON.parse(plan.env.BATON_A2A_HEADERS)).toEqual({ 'X-Api-Key': 'k-123', Authorization: 'Bearer tok-456' });
    expect(plan.args.join(' ')).not.toMatch(/k-123|tok-456/);
    expect(JSON.parse(plan.input)).toEqual({ role: 'user', parts: [{ kind: 'text', text: 'review this' }] });
    expect(plan.session_id).toBeNull();
  });

  it('bearer_token replaces an Authorization header given in headers', async () => {
    const plan = await remoteA2aBackend.plan(await request({ headers: { authorization: 'Basic old' }, bearer_token: 'new' }));
    expect(JSON.parse(plan.env.BATON_A2A_HEADERS)).toEqual({ Authorization: 'Bearer new' });
  });

  it('a run that resumes a session continues its A2A context', async () => {
    const plan = await remoteA2aBackend.plan(await request({}, {}, { session_mode: 'resume', session_id: 'ctx-1' }));
    expect(plan.args.slice(-1)).toEqual(['--context-id=ctx-1']);
    expect(plan.session_id).toBe('ctx-1');
  });

  it("an answer goes to the run's task, in its context", async () => {
    const plan = await remoteA2aBackend.plan(
      await request({}, { mode: 'answer', session_id: 'ctx-2', task_id: 'task-2', input: { role: 'user', parts: [{ kind: 'text', text: 'blue' }] } }),
    );
    expect(plan.args.slice(2)).toEqual(['--task-id=task-2', '--context-id=ctx-2']);
    expect(JSON.parse(plan.input)).toEqual({ role: 'user', parts: [{ kind: 'text', text: 'blue' }] });
  });

  it("after a lost worker, follows the run's task without sending anything", async () => {
    const plan = await remoteA2aBackend.plan(await request({}, { mode: 'resume', session_id: 'ctx-3', task_id: 'task-3' }));
    expect(plan.args.slice(2)).toEqual(['--resume-task=task-3', '--context-id=ctx-3']);
    expect(plan.input).toBe('');
  });

  it("resume before any task was known sends the message again in the run's context; restart starts over", async () => {
    const resumed = await remoteA2aBackend.plan(await request({}, { mode: 'resume', session_id: 'ctx-4' }));
    expect(resumed.args.slice(2)).toEqual(['--context-id=ctx-4']);
    expect(JSON.parse(resumed.input).parts[0].text).toBe('review this');
    const restarted = await remoteA2aBackend.plan(await request({}, { mode: 'restart', session_id: 'ctx-4', task_id: 'task-4' }));
    expect(restarted.args.slice(3)).toEqual([]);
  });
});
