// A pipeline's history is bounded: through a real MCP client, real `command` agents and a real dev
// server whose history limits are lowered (test/setup/temporal-server.ts: Temporal suggests
// continue-as-new after 500 events), a pipeline of several rounds of many steps with a large goal
// continues as new between steps and completes, and get_pipeline shows every step. Before, a
// pipeline never continued as new: its history grew with every step's start (the goal each time)
// and every view upsert (the plan and verdict each time), towards the 50 MB at which Temporal
// terminates it. A cancel after a hand-over stops the steps the current run started.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PLAN_STEPS, PIPELINE_HISTORY_BYTES } from '../../src/domain/pipeline-carry.js';
import type { PipelineView } from '../../src/domain/pipeline.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { pipelineIn, teamRole } from '../helpers/team.js';

let env: TestEnv;
let mcp: McpSession;
let temporal: Client;

beforeAll(async () => {
  env = await makeTestEnv();
  [mcp, temporal] = await Promise.all([connectStdio(env), temporalClient(env)]);
});

afterAll(async () => {
  await mcp?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

const role = teamRole;

/** The pipeline's workflow runs, oldest first: each continue-as-new adds one. */
async function runsOf(pipelineId: string): Promise<{ runId: string; status: string; historySize: number }[]> {
  const runs = [];
  for await (const wf of temporal.workflow.list({ query: `WorkflowId = '${pipelineId}'` })) {
    runs.push({ runId: wf.runId, status: wf.status.name, historySize: wf.historySize ?? 0, start: wf.startTime.getTime() });
  }
  return runs.sort((a, b) => a.start - b.start).map(({ start: _start, ...run }) => run);
}

describe('a pipeline’s history', () => {
  it('a long pipeline with a large goal continues as new between steps and completes, showing every step', async () => {
    const cwd = path.join(env.workDir, 'long');
    mkdirSync(cwd);
    const goal = `Long goal ${'g'.repeat(200_000)}`;
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal,
      cwd,
      planner: role('plan', '--steps', '16'),
      worker: role('work'),
      reviewer: role('review', '--approve-from-round', '3'),
      max_rounds: 3,
      parallelism: 4,
    });
    const view = await pipelineIn(mcp.client, pipeline_id, ['completed', 'failed', 'cancelled', 'rejected'], 600_000);
    expect(view.status, view.error ?? '').toBe('completed');
    // Every step of every run: the plan, 3 rounds of 16 workers and a review.
    const names = ['plan', ...[1, 2, 3].flatMap((r) => [...Array.from({ length: 16 }, (_, i) => `r${r}.work-${i + 1}`), `r${r}.review`])];
    expect(view.steps.map((s) => s.name).sort()).toEqual(names.sort());
    expect(view.steps.every((s) => s.status === 'completed')).toBe(true);
    expect(view.plan).toHaveLength(16);
    expect(view.verdict?.verdict).toBe('approve');

    const runs = await waitFor(
      async () => {
        const found = await runsOf(pipeline_id);
        return found.some((r) => r.status === 'COMPLETED') ? found : null;
      },
      { timeoutMs: 30_000, what: 'the pipeline’s runs in visibility' },
    );
    expect(runs.length, JSON.stringify(runs)).toBeGreaterThan(1);
    expect(runs.slice(0, -1).every((r) => r.status === 'CONTINUED_AS_NEW')).toBe(true);
    for (const run of runs) expect(run.historySize).toBeLessThan(PIPELINE_HISTORY_BYTES);
  }, 660_000);

  it('a cancel after a hand-over stops the steps the current run started, and get_pipeline still shows them all', async () => {
    const cwd = path.join(env.workDir, 'cancelled');
    mkdirSync(cwd);
    const hold = path.join(env.workDir, 'hold-cancelled-workers');
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Cancel me part way',
      cwd,
      planner: role('plan', '--steps', String(MAX_PLAN_STEPS)),
      worker: role('work', '--sleep-ms', '400', '--hold-while', hold),
      reviewer: role('review', '--approve-from-round', '3'),
      max_rounds: 3,
      parallelism: 2,
    });
    // Once the pipeline has handed over, workers hold (while the hold file exists, saying
    // "holding"): wait for a held step, so the cancel meets it running, however busy the machine.
    await waitFor(
      async () => {
        if (!existsSync(hold)) {
          if ((await runsOf(pipeline_id)).length < 2) return null;
          writeFileSync(hold, '');
        }
        const view = await callOk<PipelineView>(mcp.client, 'get_pipeline', { pipeline_id });
        for (const step of view.steps.filter((s) => s.status === 'running')) {
          const page = await callOk<{ events: { type: string; data: { text?: string } }[] }>(mcp.client, 'poll_events', { run_id: step.run_id, limit: 100 });
          if (page.events.some((e) => e.type === 'agent_message' && e.data.text === 'holding')) return view;
        }
        return null;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: `pipeline ${pipeline_id} to continue as new with a held step running` },
    );
    await callOk(mcp.client, 'cancel_run', { run_id: pipeline_id, wait_seconds: 20 });
    const view = await pipelineIn(mcp.client, pipeline_id, ['cancelled', 'completed', 'failed'], 60_000);
    expect(view.status).toBe('cancelled');
    const started = view.steps.filter((s) => s.role === 'worker');
    expect(started.length).toBeGreaterThan(2);
    // No step is left running: each one the pipeline started ended, the last ones cancelled.
    for (const step of started) {
      const run = await waitFor(
        async () => {
          const r = await callOk<{ status: string }>(mcp.client, 'get_run', { run_id: step.run_id });
          return ['completed', 'cancelled', 'failed'].includes(r.status) ? r : null;
        },
        { timeoutMs: 30_000, what: `step ${step.name} to end` },
      );
      expect(['completed', 'cancelled']).toContain(run.status);
    }
    expect(view.steps.some((s) => s.status === 'cancelled')).toBe(true);
  }, 360_000);

  it(`refuses an edited plan of more than ${MAX_PLAN_STEPS} steps, naming the limit`, async () => {
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Gate',
      cwd: env.workDir,
      planner: role('plan', '--steps', '1'),
      worker: role('work'),
      reviewer: role('review'),
      require_plan_approval: true,
    });
    await pipelineIn(mcp.client, pipeline_id, ['awaiting_approval'], 60_000);
    const steps = Array.from({ length: MAX_PLAN_STEPS + 1 }, (_, i) => ({ title: `Step ${i + 1}`, instructions: 'x' }));
    const error = await callError(mcp.client, 'approve_plan', { pipeline_id, decision: 'approve', steps });
    expect(error).toContain(`the edited plan has ${MAX_PLAN_STEPS + 1} steps, over the limit of ${MAX_PLAN_STEPS} a pipeline runs`);
    expect((await callOk<PipelineView>(mcp.client, 'get_pipeline', { pipeline_id })).status).toBe('awaiting_approval');
    await callOk(mcp.client, 'cancel_run', { run_id: pipeline_id, wait_seconds: 20 });
  });
});
