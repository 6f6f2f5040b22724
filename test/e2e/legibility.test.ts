// What a person reads about Baton's work, through real MCP clients and a raw Temporal client (as
// the Web UI and `temporal workflow describe` read it): a running run's elapsed time moves, every
// run and pipeline step says what it is, and a run's failure or cancellation reads plainly.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineView } from '../../src/domain/pipeline.js';
import type { RunView } from '../../src/domain/run-view.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { historyText, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { teamRole } from '../helpers/team.js';

const role = teamRole;
let env: TestEnv;
let mcp: McpSession;
let temporal: Client;

beforeAll(async () => {
  env = await makeTestEnv();
  mcp = await connectStdio(env);
  temporal = await temporalClient(env);
});

afterAll(async () => {
  await mcp?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

describe('a running run', () => {
  it('reports its true elapsed time while its agent is silent, and says who does what', async () => {
    const pidFile = path.join(env.workDir, 'silent.pid');
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: 'Refactor the parser\nand more',
      cwd: env.workDir,
      backend: 'command',
      backend_config: fakeAgent('--pid-file', pidFile, '--sleep-ms', '120000'),
    });
    await waitFor(() => existsSync(pidFile), { what: 'the agent to start' });
    const first = await waitFor(
      async () => {
        const v = await callOk<RunView>(mcp.client, 'get_run', { run_id });
        return v.status === 'running' && v.elapsed_ms !== null ? v : null;
      },
      { what: 'the run to be running' },
    );
    // No event arrives (the agent sleeps), yet the elapsed time goes on.
    const later = await waitFor(
      async () => {
        const v = await callOk<RunView>(mcp.client, 'get_run', { run_id });
        return v.elapsed_ms! >= first.elapsed_ms! + 1500 ? v : null;
      },
      { timeoutMs: 20_000, what: 'elapsed_ms to move' },
    );
    expect(later.last_seq).toBe(first.last_seq);
    expect(later.status).toBe('running');
    const described = await temporal.workflow.getHandle(run_id).describe();
    expect(await described.staticSummary()).toBe('worker · command · Refactor the parser');
    // The memo (list_runs, the Web UI) says which attempt runs where, not `attempt 0, host null`.
    expect(described.memo?.view).toMatchObject({ status: 'running', attempt: 1, host: env.config.hostId });
    await callOk(mcp.client, 'cancel_run', { run_id, reason: 'the plan changed', wait_seconds: 20 });
    // Why it was cancelled: in get_run, and in what Temporal keeps (memo, the Canceled event).
    expect((await callOk<RunView>(mcp.client, 'get_run', { run_id })).error).toBe('the plan changed');
    const closed = await temporal.workflow.getHandle(run_id).describe();
    expect(closed.status.name).toBe('CANCELLED');
    expect(closed.memo?.view).toMatchObject({ status: 'cancelled', error: 'the plan changed' });
    expect(await historyText(temporal, run_id)).toContain('the plan changed');
  });

  it('that fails ends with its plain reason as the workflow failure, with no stack trace', async () => {
    const { run } = await callOk<{ run: RunView }>(mcp.client, 'dispatch', {
      prompt: 'fail',
      cwd: env.workDir,
      backend: 'command',
      backend_config: fakeAgent('--exit-code', '3'),
      max_wait_seconds: 30,
    });
    expect(run.status).toBe('failed');
    const err = await temporal.workflow
      .getHandle(run.run_id)
      .result()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.message).toBe(run.error);
    expect(cause.message).toMatch(/code 3/);
    expect(cause.nonRetryable).toBe(true);
    expect(cause.type).toMatch(/^Baton/);
    expect(cause.stack ?? '').not.toMatch(/\n\s+at /);
  });
});

describe('a pipeline', () => {
  it('labels each step by what it is, in list_runs, get_pipeline (plan order) and describe()', async () => {
    const cwd = path.join(env.workDir, 'labels');
    mkdirSync(cwd);
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Write the step files',
      cwd,
      planner: role('plan', '--steps', '2'),
      worker: role('work'),
      reviewer: role('review'),
      parallelism: 2,
    });
    const view = await waitFor(
      async () => {
        const v = await callOk<PipelineView>(mcp.client, 'get_pipeline', { pipeline_id, wait_seconds: 20 });
        return ['completed', 'failed', 'cancelled'].includes(v.status) ? v : null;
      },
      { timeoutMs: 90_000, what: 'the pipeline to finish' },
    );
    expect(view.status).toBe('completed');
    expect(view.steps.map((s) => [s.name, s.label])).toEqual([
      ['plan', 'plan: Write the step files'],
      ['r1.work-1', 'r1 work-1: Step 1'],
      ['r1.work-2', 'r1 work-2: Step 2'],
      ['r1.review', 'r1 review: Write the step files'],
    ]);
    const listed = await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { parent: pipeline_id, limit: 20 });
    expect(listed.runs.map((r) => r.prompt_preview).sort()).toEqual(view.steps.map((s) => s.label).sort());
    for (const step of view.steps) {
      const described = await temporal.workflow.getHandle(step.run_id).describe();
      expect(await described.staticSummary()).toBe(step.label);
    }
  });
});
