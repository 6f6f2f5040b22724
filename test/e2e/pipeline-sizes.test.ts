// Pipeline steps' prompts within the run input budget, through a real MCP client and a real dev
// server: a goal near its limit, a plan near its limit (edited through approve_plan) and large
// step reports. Before the prompts were fitted, the reviewer's prompt (goal + every title + every
// report) went over 512 KiB, its launch was refused, and the pipeline failed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineView } from '../../src/domain/pipeline.js';
import type { RunView } from '../../src/domain/run-view.js';
import { jsonBytes, PIPELINE_GOAL_BYTES, RUN_INPUT_BYTES, STRUCTURED_OUTPUT_BYTES, utf8Bytes } from '../../src/domain/sizes.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { pipelineIn, teamRole } from '../helpers/team.js';

let env: TestEnv;
let mcp: McpSession;

beforeAll(async () => {
  env = await makeTestEnv();
  mcp = await connectStdio(env);
});

afterAll(async () => {
  await mcp?.close();
  await env?.cleanup();
});

const role = teamRole;

describe('pipeline step prompts', () => {
  it('a goal near its limit, a plan near its limit and large reports: every step starts, the pipeline completes', async () => {
    const cwd = path.join(env.workDir, 'big-pipeline');
    mkdirSync(cwd);
    const goal = `Big goal ${'é'.repeat(130_900)}`;
    expect(utf8Bytes(goal)).toBeLessThanOrEqual(PIPELINE_GOAL_BYTES);
    expect(utf8Bytes(goal)).toBeGreaterThan(PIPELINE_GOAL_BYTES - 1024);
    // 32 steps with long titles: the reviewer's prompt quoted every title whole.
    const steps = Array.from({ length: 32 }, (_, i) => ({ title: `Step ${i + 1} ${'T'.repeat(3800)}`, instructions: `Write step-${i + 1}.txt` }));
    expect(jsonBytes({ steps })).toBeLessThanOrEqual(STRUCTURED_OUTPUT_BYTES);
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal,
      cwd,
      planner: role('plan', '--steps', '1'),
      // Each worker reports 1,800 control characters (6 bytes each as JSON) besides its lines.
      worker: role('work', '--noise', '600'),
      reviewer: role('review', '--say-prompt'),
      parallelism: 10,
      require_plan_approval: true,
    });
    await pipelineIn(mcp.client, pipeline_id, ['awaiting_approval'], 60_000);
    await callOk(mcp.client, 'approve_plan', { pipeline_id, decision: 'approve', steps });
    const view = await pipelineIn(mcp.client, pipeline_id, ['completed', 'failed', 'cancelled', 'rejected'], 840_000);
    expect(view.status, view.error ?? '').toBe('completed');
    expect(view.error).toBeNull();
    expect(view.steps.filter((s) => s.role === 'worker' && s.status === 'completed')).toHaveLength(32);

    // The reviewer saw the whole goal, within the budget, with each cut saying where the rest is.
    const review = await callOk<RunView>(mcp.client, 'get_run', { run_id: `${pipeline_id}.r1.review` });
    const said = JSON.parse(review.result!.output.split('\n').find((l) => l.startsWith('{"prompt_json_bytes"'))!) as {
      prompt_json_bytes: number;
      cuts: number;
      report_cut: string;
    };
    expect(said.prompt_json_bytes).toBeLessThanOrEqual(RUN_INPUT_BYTES);
    expect(said.prompt_json_bytes).toBeGreaterThan(jsonBytes(goal));
    expect(said.cuts).toBeGreaterThanOrEqual(32);
    expect(said.report_cut).toMatch(new RegExp(`^\\[… [\\d,]+ bytes cut; get_run and read_output on run ${pipeline_id}\\.r1\\.work-\\d+ has all of it\\]$`));
  }, 900_000);

  it("refuses an edited plan larger than a planner's, naming its size and the limit", async () => {
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Gate',
      cwd: env.workDir,
      planner: role('plan', '--steps', '1'),
      worker: role('work'),
      reviewer: role('review'),
      require_plan_approval: true,
    });
    await pipelineIn(mcp.client, pipeline_id, ['awaiting_approval'], 60_000);
    const steps = [{ title: 'Huge', instructions: 'x'.repeat(STRUCTURED_OUTPUT_BYTES) }];
    const error = await callError(mcp.client, 'approve_plan', { pipeline_id, decision: 'approve', steps });
    expect(error).toMatch(/steps is 131,\d{3} bytes of UTF-8 JSON, over the limit of 131,072 bytes/);
    expect((await callOk<PipelineView>(mcp.client, 'get_pipeline', { pipeline_id })).status).toBe('awaiting_approval');
    await callOk(mcp.client, 'cancel_run', { run_id: pipeline_id, wait_seconds: 20 });
  });
});
