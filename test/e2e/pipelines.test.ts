// Pipelines through a real MCP client: planner -> workers -> reviewer as child runs, two rounds,
// the approval gate, cancel, git worktrees merged back (and a conflict), and clear failures.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineView } from '../../src/domain/pipeline.js';
import type { RunView } from '../../src/domain/run-view.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { processesOf } from '../helpers/temporal.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait.js';
import { teamRole } from '../helpers/team.js';

let env: TestEnv;
let mcp: McpSession;

beforeAll(async () => {
  env = await makeTestEnv({ BATON_ALLOW_PRIVATE_WEBHOOKS: '1' });
  mcp = await connectStdio(env);
});

afterAll(async () => {
  await mcp?.close();
  await env?.cleanup();
});

const role = teamRole;

function gitRepo(name: string): string {
  const dir = path.join(env.workDir, name);
  mkdirSync(dir);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir });
  git('init', '-q', '-b', 'main');
  git('commit', '-q', '--allow-empty', '-m', 'start');
  return dir;
}

async function finished(pipelineId: string): Promise<PipelineView> {
  return waitFor(
    async () => {
      const view = await callOk<PipelineView>(mcp.client, 'get_pipeline', { pipeline_id: pipelineId, wait_seconds: 20 });
      return ['completed', 'failed', 'cancelled', 'rejected'].includes(view.status) ? view : null;
    },
    { timeoutMs: 90_000, what: 'the pipeline to finish' },
  );
}

describe('spawn_pipeline', () => {
  it('plans, works and reviews in rounds until the reviewer approves, every step a child run', async () => {
    const cwd = path.join(env.workDir, 'two-rounds');
    mkdirSync(cwd);
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Write the two step files',
      cwd,
      planner: role('plan', '--steps', '2'),
      worker: role('work'),
      reviewer: role('review', '--approve-from-round', '2'),
      parallelism: 2,
    });
    const view = await finished(pipeline_id);
    expect(view.status).toBe('completed');
    // Workers of a round may start in either order; get_pipeline lists the steps in plan order.
    expect(view.steps.map((s) => s.name)).toEqual(['plan', 'r1.work-1', 'r1.work-2', 'r1.review', 'r2.work-1', 'r2.work-2', 'r2.review']);
    expect(view.steps.map((s) => s.label)).toEqual([
      'plan: Write the two step files',
      'r1 work-1: Step 1',
      'r1 work-2: Step 2',
      'r1 review: Write the two step files',
      'r2 work-1: Step 1',
      'r2 work-2: Step 2',
      'r2 review: Write the two step files',
    ]);
    expect(view.steps.every((s) => s.status === 'completed' && s.run_id === `${pipeline_id}.${s.name}`)).toBe(true);
    expect(view.verdict).toEqual({ verdict: 'approve', findings: [] });
    expect(view.totals.runs).toBe(7);
    expect(existsSync(path.join(cwd, 'step-1.txt')) && existsSync(path.join(cwd, 'step-2.txt'))).toBe(true);
    const worker2 = await callOk<RunView>(mcp.client, 'get_run', { run_id: `${pipeline_id}.r2.work-1` });
    expect(worker2.result!.output).toContain('findings: round 1: step 1 needs a test');
    const children = await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { parent: pipeline_id, limit: 20 });
    expect(children.runs).toHaveLength(7);
  });

  it('notifies when it ends, like a run', async () => {
    const receiver = await startReceiver();
    try {
      const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
        goal: 'One step',
        cwd: env.workDir,
        planner: role('plan', '--steps', '1'),
        worker: role('work'),
        reviewer: role('review'),
        notify_url: `${receiver.url}/hook`,
        notify_on: ['any'],
      });
      expect((await finished(pipeline_id)).status).toBe('completed');
      const request = await waitFor(() => receiver.requests[0], { what: 'the notification' });
      expect(JSON.parse(request.body)).toMatchObject({ event: 'pipeline.completed', run_id: pipeline_id, status: 'completed', ok: true });
    } finally {
      await receiver.close();
    }
  });

  it("fails when rounds run out, with the reviewer's last findings", async () => {
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Never good enough',
      cwd: env.workDir,
      planner: role('plan', '--steps', '1'),
      worker: role('work'),
      reviewer: role('review', '--approve-from-round', '9'),
      max_rounds: 2,
    });
    const view = await finished(pipeline_id);
    expect(view.status).toBe('failed');
    expect(view.error).toContain('after 2 round(s)');
    expect(view.error).toContain('round 2: step 1 needs a test');
  });

  it('waits for approve_plan, which can edit the plan; a rejected plan ends the pipeline', async () => {
    const args = { goal: 'Gate', cwd: env.workDir, planner: role('plan', '--steps', '3'), worker: role('work'), reviewer: role('review'), require_plan_approval: true };
    const gated = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', args);
    await waitFor(async () => (await callOk<PipelineView>(mcp.client, 'get_pipeline', { pipeline_id: gated.pipeline_id })).status === 'awaiting_approval', {
      what: 'awaiting_approval',
    });
    // A pipeline's id where a run's is expected, open and then finished: the error names its tool.
    const asRun = async () => {
      for (const [tool, args] of [
        ['get_run', { run_id: gated.pipeline_id }],
        ['wait_run', { run_id: gated.pipeline_id, max_wait_seconds: 1 }],
        ['wait_any', { run_ids: [gated.pipeline_id], max_wait_seconds: 1 }],
      ] as const) {
        expect(await callError(mcp.client, tool, args)).toContain(`${gated.pipeline_id} is a pipeline, not a run: get_pipeline reads it`);
      }
    };
    await asRun();
    await callOk(mcp.client, 'approve_plan', { pipeline_id: gated.pipeline_id, decision: 'approve', steps: [{ title: 'Only step', instructions: 'Write one file' }] });
    const view = await finished(gated.pipeline_id);
    await asRun();
    expect(view.status).toBe('completed');
    expect(view.plan).toEqual([{ title: 'Only step', instructions: 'Write one file' }]);
    expect(view.steps.filter((s) => s.role === 'worker')).toHaveLength(1);
    expect(await callError(mcp.client, 'approve_plan', { pipeline_id: gated.pipeline_id, decision: 'approve' })).toContain('is not waiting for plan approval');

    const rejected = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', args);
    await waitFor(async () => (await callOk<PipelineView>(mcp.client, 'get_pipeline', { pipeline_id: rejected.pipeline_id })).status === 'awaiting_approval', {
      what: 'awaiting_approval',
    });
    await callOk(mcp.client, 'approve_plan', { pipeline_id: rejected.pipeline_id, decision: 'reject', reason: 'too big' });
    expect(await finished(rejected.pipeline_id)).toMatchObject({ status: 'rejected', error: 'the plan was rejected: too big' });
  });

  it('cancel_run on a pipeline stops every step and leaves no process', async () => {
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Slow work',
      cwd: env.workDir,
      planner: role('plan', '--steps', '2'),
      worker: role('work', '--sleep-ms', '120000'),
      reviewer: role('review'),
      parallelism: 2,
    });
    await waitFor(
      async () => {
        const view = await callOk<PipelineView>(mcp.client, 'get_pipeline', { pipeline_id });
        return view.steps.filter((s) => s.role === 'worker' && s.status === 'running').length === 2;
      },
      { what: 'two workers running' },
    );
    const cancelled = await callOk<{ status: string }>(mcp.client, 'cancel_run', { run_id: pipeline_id, wait_seconds: 30 });
    expect(cancelled.status).toBe('cancelled');
    const view = await callOk<PipelineView>(mcp.client, 'get_pipeline', { pipeline_id });
    expect(view.status).toBe('cancelled');
    for (const step of view.steps) expect(await processesOf(step.run_id)).toEqual([]);
    expect(view.steps.filter((s) => s.role === 'worker').every((s) => s.status === 'cancelled')).toBe(true);
  });

  it('ends with an error that names the step when the planner or reviewer answers wrong', async () => {
    const badPlan = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', { goal: 'x', cwd: env.workDir, planner: role('plan', '--invalid'), worker: role('work') });
    expect((await finished(badPlan.pipeline_id)).error).toMatch(new RegExp(`the planner \\(${badPlan.pipeline_id}\\.plan\\) failed: .*does not match output_schema`));
    const empty = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', { goal: 'x', cwd: env.workDir, planner: role('plan', '--empty'), worker: role('work') });
    expect((await finished(empty.pipeline_id)).error).toMatch(/the planner .* failed: .*\/steps must NOT have fewer than 1 items/);
    const noVerdict = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'x',
      cwd: env.workDir,
      planner: role('plan', '--steps', '1'),
      worker: role('work'),
      reviewer: role('review', '--no-verdict'),
    });
    expect((await finished(noVerdict.pipeline_id)).error).toContain(`the reviewer (${noVerdict.pipeline_id}.r1.review) gave no verdict`);
  });

  it('refuses bad input, naming the role, and a dirty repository for worktrees', async () => {
    expect(await callError(mcp.client, 'spawn_pipeline', { goal: 'x', cwd: env.workDir, worker: { backend: 'command' } })).toContain('worker.backend_config.command');
    expect(await callError(mcp.client, 'spawn_pipeline', { goal: 'x', cwd: env.workDir, worker: role('work'), isolation: 'worktree' })).toContain('inside a git repository');
  });
});

describe('isolation: worktree', () => {
  it('runs each worker in its own worktree and branch and merges them back', async () => {
    const repo = gitRepo('merge-ok');
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Two files',
      cwd: repo,
      planner: role('plan', '--steps', '2'),
      worker: role('work'),
      reviewer: role('review'),
      parallelism: 2,
      isolation: 'worktree',
    });
    const view = await finished(pipeline_id);
    expect(view.status).toBe('completed');
    expect(existsSync(path.join(repo, 'step-1.txt')) && existsSync(path.join(repo, 'step-2.txt'))).toBe(true);
    const log = execFileSync('git', ['log', '--oneline'], { cwd: repo }).toString();
    expect(log).toContain('baton: Step 1');
    expect(log).toContain('baton: Step 2');
    const worktrees = execFileSync('git', ['worktree', 'list'], { cwd: repo }).toString().trim().split('\n');
    expect(worktrees).toHaveLength(1);
  });

  it('a merge conflict fails that step with a clear error and keeps its branch', async () => {
    const repo = gitRepo('merge-conflict');
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Both write shared.txt',
      cwd: repo,
      planner: role('plan', '--steps', '2'),
      worker: role('work', '--conflict'),
      reviewer: role('review'),
      parallelism: 2,
      isolation: 'worktree',
    });
    const view = await finished(pipeline_id);
    const second = view.steps.find((s) => s.name === 'r1.work-2')!;
    expect(second.status).toBe('failed');
    expect(second.error).toContain('merge conflict in shared.txt');
    expect(second.error).toContain(`branch baton/${pipeline_id}/r1-work-2 is kept`);
    expect(execFileSync('git', ['branch', '--list'], { cwd: repo }).toString()).toContain(`baton/${pipeline_id}/r1-work-2`);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: repo }).toString()).toBe('');
  });
});
