// The `baton` command for people, as the real binary: cancel, approve and continue (with `baton mcp`
// starting pipelines and schedules), and what it draws on a terminal.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeAgent } from '../helpers/env.js';
import type { PipelineView } from '../../src/domain/pipeline.js';
import { startTestAgent, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { callOk } from '../helpers/mcp.js';
import { agentArgv, baton, cli, ok, onTerminal, role, setUpPeopleCli, showRun } from '../helpers/people-cli.js';
import { waitFor } from '../helpers/wait.js';

setUpPeopleCli();

describe('baton cancel, approve, continue', () => {
  it('cancel --reason stops a run; show then says cancelled, and why', async () => {
    const runId = (await ok(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--', ...agentArgv('--lines', '1', '--sleep-ms', '60000')])).trim();
    await waitFor(async () => (await showRun(runId)).status === 'running', { what: 'the run to start' });
    expect(await ok(['cancel', runId, '--reason', 'not needed any more'])).toContain(`${runId} cancelled`);
    const view = await showRun(runId);
    expect(view.status).toBe('cancelled');
    expect(view.error).toContain('not needed any more');
    expect(await ok(['cancel', runId])).toContain('had already finished');
  });

  const gated = async (): Promise<string> => {
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(cli.mcp.client, 'spawn_pipeline', {
      goal: 'Gate',
      cwd: cli.env.workDir,
      planner: role('plan', '--steps', '1'),
      worker: role('work'),
      reviewer: role('review'),
      require_plan_approval: true,
    });
    await waitFor(async () => (JSON.parse(await ok(['show', pipeline_id, '--json'])) as PipelineView).status === 'awaiting_approval', {
      timeoutMs: 60_000,
      what: 'awaiting_approval',
    });
    return pipeline_id;
  };

  it('show of a pipeline awaiting approval, approve, then show of the finished pipeline with its steps', async () => {
    const pipelineId = await gated();
    const waiting = await ok(['show', pipelineId]);
    expect(waiting).toContain('awaiting_approval');
    expect(waiting).toContain(`baton approve ${pipelineId}`);
    expect(await ok(['approve', pipelineId])).toContain(`${pipelineId} plan approved`);
    const done = await waitFor(
      async () => {
        const view = JSON.parse(await ok(['show', pipelineId, '--json'])) as PipelineView;
        return ['completed', 'failed'].includes(view.status) ? view : null;
      },
      { timeoutMs: 90_000, what: 'the pipeline to finish' },
    );
    expect(done.status).toBe('completed');
    const text = await ok(['show', pipelineId]);
    for (const step of done.steps) expect(text).toContain(step.run_id);
  });

  it('approve --reject --reason ends a pipeline as rejected', async () => {
    const pipelineId = await gated();
    expect(await ok(['approve', pipelineId, '--reject', '--reason', 'wrong plan'])).toContain(`${pipelineId} plan rejected`);
    const view = await waitFor(
      async () => {
        const v = JSON.parse(await ok(['show', pipelineId, '--json'])) as PipelineView;
        return v.status === 'rejected' ? v : null;
      },
      { what: 'the pipeline to end rejected' },
    );
    expect(view.error).toContain('wrong plan');
    const again = await baton(['approve', pipelineId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('not waiting for plan approval');
  });

  it('approve --steps @file runs the edited plan; --steps with --reject, or steps that are no plan, are refused', async () => {
    const pipelineId = await gated(); // the planner planned one step
    const steps = [
      { title: 'Alpha', instructions: 'Write the alpha file' },
      { title: 'Beta', instructions: 'Write the beta file' },
    ];
    const both = await baton(['approve', pipelineId, '--reject', '--steps', JSON.stringify(steps)]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("option '--steps <json|@file>' cannot be used with option '--reject'");
    const notAPlan = await baton(['approve', pipelineId, '--steps', '{"title": "Alpha"}']);
    expect(notAPlan.code).toBe(2);
    expect(notAPlan.stderr).toContain('--steps takes a JSON array of {"title", "instructions"}');
    const noInstructions = await baton(['approve', pipelineId, '--steps', '[{"title": "Alpha"}]']);
    expect(noInstructions.code).toBe(1);
    expect(noInstructions.stderr).toContain('baton: --steps (0.instructions): "instructions" is missing: add it (a string)');
    // None of that decided anything: the pipeline still waits.
    expect((JSON.parse(await ok(['show', pipelineId, '--json'])) as PipelineView).status).toBe('awaiting_approval');

    // The file as a planner writes its plan ({"steps": [...]}); the refusals above gave the bare array.
    await writeFile(path.join(cli.env.workDir, 'steps.json'), JSON.stringify({ steps }, null, 2));
    expect(await ok(['approve', pipelineId, '--steps', '@steps.json'])).toContain(`${pipelineId} plan approved with your 2 steps`);
    const done = await waitFor(
      async () => {
        const view = JSON.parse(await ok(['show', pipelineId, '--json'])) as PipelineView;
        return ['completed', 'failed'].includes(view.status) ? view : null;
      },
      { timeoutMs: 90_000, what: 'the pipeline to finish' },
    );
    expect(done.status, done.error ?? '').toBe('completed');
    expect(done.plan).toEqual(steps);
    const workers = done.steps.filter((s) => s.role === 'worker');
    expect(workers).toHaveLength(2);
    // Each worker was given its edited step (the fake worker says which it works on).
    const outputs = await Promise.all(workers.map(async (w) => (await showRun(w.run_id)).result!.output));
    expect(outputs.find((o) => o.includes('working on step 1 (Alpha)'))).toBeDefined();
    expect(outputs.find((o) => o.includes('working on step 2 (Beta)'))).toBeDefined();
  });

  it('show of a schedule, and cancel deletes it', async () => {
    const made = await callOk<{ schedule_id: string }>(cli.mcp.client, 'schedule_run', {
      prompt: 'tick',
      backend: 'command',
      cwd: cli.env.workDir,
      backend_config: fakeAgent('--lines', '1'),
      cron: '0 4 * * *',
    });
    const text = await ok(['show', made.schedule_id]);
    expect(text).toContain(made.schedule_id);
    expect(text).toContain('cron 0 4 * * *');
    const json = JSON.parse(await ok(['show', made.schedule_id, '--json'])) as { schedule: { schedule_id: string; state: string } };
    expect(json.schedule).toMatchObject({ schedule_id: made.schedule_id, state: 'active' });
    expect(await ok(['cancel', made.schedule_id])).toContain(`${made.schedule_id} deleted`);
  });

  it('continue answers a remote agent that is input_required, and the same run completes', async () => {
    let agent: TestAgent | undefined;
    try {
      agent = await startTestAgent();
      const config = JSON.stringify({ agent_url: agent.url });
      const runId = (await ok(['spawn', '--backend', 'remote_a2a', '--cwd', cli.env.workDir, '--backend-config', config, '--', 'Paint the button [a2a scenario=input]'])).trim();
      await waitFor(async () => (await showRun(runId)).status === 'input_required', { timeoutMs: 30_000, what: 'input_required' });
      expect(await ok(['continue', runId, 'blue'])).toContain(`${runId}`);
      const tail = await baton(['tail', '-f', runId]);
      expect(tail.code, tail.stdout).toBe(0);
      expect((await showRun(runId)).result!.output).toContain('Painted the button blue');
    } finally {
      await agent?.close();
    }
  });
});

// util-linux `script` gives the command a pseudo-terminal (Debian's essential bsdutils has it).
describe('on a terminal', () => {
  it('spawn --wait draws a live progress line while it waits', async () => {
    const ran = await onTerminal(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--wait', '--', ...agentArgv('--lines', '3', '--delay-ms', '400')]);
    expect(ran.code, ran.stdout).toBe(0);
    expect(ran.stdout).toMatch(/\r\x1b\[2K\S* run_\S+ (queued|running) /);
    expect(ran.stdout).toContain('line 3');
  });

  // After the spawn above: the table has a run in it, whichever tests ran before.
  it('colours the table unless NO_COLOR is set', async () => {
    // An empty NO_COLOR counts as unset (no-color.org), whatever the test runner's own setting.
    expect((await onTerminal(['runs', '--limit', '3'], { NO_COLOR: '' })).stdout).toMatch(/\x1b\[/);
    expect((await onTerminal(['runs', '--limit', '3'], { NO_COLOR: '1' })).stdout).not.toMatch(/\x1b\[/);
  });
});
