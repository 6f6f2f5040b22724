// An upgrade of Baton carries the work in flight to completion. The oldest release Baton still
// upgrades from (test/fixtures/histories/<version>/release.json) is built from its commit, and its
// processes, `baton mcp` and `baton worker`, start the work: a run in the middle of its output, a
// channel between two turns, a pipeline waiting for plan approval. Then the upgrade, as a person
// does it: the old worker gets SIGTERM (its agents go on), the old MCP server is closed, and the
// current build's worker and MCP server start with the same settings (task queue, data dir, host
// id, secret key). The current build must finish all three, as a user would expect.
//
// Why: a workflow that is running when the worker is upgraded is replayed from its history by
// the new workflow code, and every step the old code took must come out the same; the new
// activities must take over what the old ones left (the agent's files, the run's offsets); the
// new MCP server must read what the old one started. A change that breaks any of these breaks
// every user who upgrades with runs in flight, and no test that runs one build alone sees it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client as TemporalClient } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelWorkflowId } from '../../src/domain/channel.js';
import { ORIGIN_MEMO_KEY } from '../../src/domain/memo.js';
import { FINAL_PIPELINE_STATUSES, type PipelineView } from '../../src/domain/pipeline.js';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { isFinalStatus, type RunStatus } from '../../src/domain/vocabulary.js';
import { installTemporalRuntime } from '../../src/log.js';
import { pushSessionId } from '../../src/mcp/push-session.js';
import { makeTestEnv, ROOT, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, startWorkerProcess, type McpSession, type WorkerProcess } from '../helpers/mcp.js';
import { buildRelease, type ReleaseBuild } from '../helpers/release-build.js';
import { oldestRelease } from '../helpers/releases.js';
import { processesOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const TEAM = path.join(ROOT, 'test', 'fixtures', 'bin', 'fake-team.mjs');

/**
 * A command agent that prints `line 1` .. `line <before>`, waits until the gate file exists, then
 * prints the next <after> lines, one every 20 ms, and exits 0: its output straddles the upgrade.
 */
const GATED_AGENT = `
const fs = require('node:fs');
const [gate, before, after] = process.argv.slice(1).map((a, i) => (i === 0 ? a : Number(a)));
for (let i = 1; i <= before; i++) console.log('line ' + i);
let next = before + 1;
let open = false;
const tick = setInterval(() => {
  open ||= fs.existsSync(gate);
  if (!open) return;
  console.log('line ' + next++);
  if (next > before + after) clearInterval(tick);
}, 20);
`;
const LINES_BEFORE_UPGRADE = 10;
const LINES_AFTER_UPGRADE = 10;

let release: ReleaseBuild;
let env: TestEnv;
let temporalApi: TemporalClient;
let oldMcp: McpSession | null = null;
let oldWorker: WorkerProcess | null = null;
let newMcp: McpSession | null = null;
let newWorker: WorkerProcess | null = null;
let gateFile: string;
let gatedRunId: string | null = null;

// ---- the upgrade, once every scenario has its work in flight ----------------------------------

const SCENARIOS = 3;
let ready = 0;
let upgraded!: { resolve(): void; reject(err: unknown): void };
const upgrade = new Promise<void>((resolve, reject) => (upgraded = { resolve, reject }));
upgrade.catch(() => undefined);

/** SIGTERM to the old worker (graceful: agents go on), close the old MCP server, start the new ones. */
async function upgradeBaton(): Promise<void> {
  expect(await oldWorker!.stop(), `the ${release.version} worker did not stop cleanly on SIGTERM:\n${oldWorker!.output()}`).toBe(0);
  await oldMcp!.close();
  [newMcp, newWorker] = await Promise.all([connectStdio(env, ['--no-worker']), startWorkerProcess(env)]);
}

/**
 * Sets a scenario's work up under the old build and waits for the upgrade, which comes once every
 * scenario is ready. A scenario that fails here lets the others go on without it.
 */
async function underOldBuild<T>(work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } finally {
    if (++ready === SCENARIOS) upgradeBaton().then(upgraded.resolve, upgraded.reject);
  }
  await upgrade;
  return result;
}

// ---- what the Web UI shows of a workflow that lived through the upgrade ------------------------

const { EventType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

/**
 * Workflow tasks the workflow code failed: a replay that came out different (non-determinism), or
 * an error the code threw (say, on an input the old build wrote). Temporal retries them forever.
 */
const CODE_FAILURES = new Set([
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
]);

async function failedWorkflowTasks(workflowId: string): Promise<string[]> {
  const history = await temporalApi.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)
    .map((e) => e.workflowTaskFailedEventAttributes!)
    .filter((a) => CODE_FAILURES.has(a.cause!))
    .map((a) => `${WorkflowTaskFailedCause[a.cause!]}: ${a.failure?.message ?? '(no message)'}`);
}

/** The identity of the worker that completed the workflow's last workflow task. */
async function lastWorkflowTaskCompletedBy(workflowId: string): Promise<string | null> {
  const history = await temporalApi.workflow.getHandle(workflowId).fetchHistory();
  const completed = (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  return completed.at(-1)?.workflowTaskCompletedEventAttributes?.identity ?? null;
}

/**
 * Waits for a workflow that lived through the upgrade, failing at once, with Temporal's own
 * message, when the new build's workflow code fails on it (instead of timing out much later).
 */
async function finishedUnderNewBuild<T>(workflowId: string, what: string, probe: () => Promise<T | null>): Promise<T> {
  return waitFor(
    async () => {
      const failures = await failedWorkflowTasks(workflowId);
      if (failures.length > 0) throw new Error(`the current build cannot go on with ${workflowId} (${what}), started by ${release.version}:\n${failures.join('\n')}`);
      return probe();
    },
    { timeoutMs: 90_000, intervalMs: 200, what },
  );
}

async function expectFinishedByNewWorker(workflowId: string): Promise<void> {
  expect(await lastWorkflowTaskCompletedBy(workflowId)).toMatch(new RegExp(`^${newWorker!.pid}@`));
}

// ---- setup ----------------------------------------------------------------------------------

beforeAll(async () => {
  const started = performance.now();
  release = await buildRelease(oldestRelease());
  const took = ((performance.now() - started) / 1000).toFixed(1);
  const steps = release.steps.map((s) => `${s.step} ${(s.ms / 1000).toFixed(1)} s`).join(', ');
  console.info(
    `Baton ${release.version} (${release.commit.slice(0, 12)}): ${release.reused ? 'reused the build in' : 'built in'} ${release.dir} (${took} s${steps ? `: ${steps}` : ''})`,
  );

  env = await makeTestEnv();
  gateFile = path.join(env.dataDir, 'open-the-gate');
  temporalApi = await temporalClient(env);
  [oldMcp, oldWorker] = await Promise.all([connectStdio(env, ['--no-worker'], {}, release.cli), startWorkerProcess(env, {}, release.cli)]);
}, 240_000);

afterAll(async () => {
  try {
    // The gated agent ends even when its test failed before it opened the gate.
    if (gatedRunId) {
      await writeFile(gateFile, '');
      await waitFor(async () => (await processesOf(gatedRunId!)).length === 0, { what: 'the gated agent to exit' });
    }
  } finally {
    await newWorker?.stop();
    await newMcp?.close();
    await oldWorker?.stop();
    await oldMcp?.close().catch(() => undefined);
    await temporalApi?.connection.close();
    await env?.cleanup();
  }
});

// ---- the scenarios --------------------------------------------------------------------------

interface EventsPage {
  events: RunEvent[];
  next_after_seq: number;
  has_more: boolean;
  status: RunStatus;
  missed: number;
}

interface Waited {
  finished: boolean;
  run: RunView;
}

const fakeTeam = (...args: string[]) => ({ backend: 'command', backend_config: { command: [process.execPath, TEAM, ...args] } });

describe.concurrent('work in flight when Baton is upgraded from the oldest kept release', { timeout: 180_000 }, () => {
  it('a run in the middle of its output goes on under the new worker, with every event once and in order', async () => {
    const { runId, seenBefore, cursor } = await underOldBuild(async () => {
      const { run_id } = await callOk<{ run_id: string }>(oldMcp!.client, 'spawn_run', {
        prompt: 'print, wait for the gate, print more',
        backend: 'command',
        cwd: env.workDir,
        backend_config: { command: [process.execPath, '-e', GATED_AGENT, gateFile, String(LINES_BEFORE_UPGRADE), String(LINES_AFTER_UPGRADE)] },
      });
      gatedRunId = run_id;
      // Read, as a client of the old server does, up to the last line before the gate.
      const seen: RunEvent[] = [];
      let after = 0;
      await waitFor(
        async () => {
          const page = await callOk<EventsPage>(oldMcp!.client, 'poll_events', { run_id, after_seq: after, limit: 1000, wait_seconds: 5 });
          seen.push(...page.events);
          after = page.next_after_seq;
          return seen.some((e) => e.type === 'agent_message' && e.data.text === `line ${LINES_BEFORE_UPGRADE}`);
        },
        { what: `the ${release.version} build to report line ${LINES_BEFORE_UPGRADE}` },
      );
      return { runId: run_id, seenBefore: seen, cursor: after };
    });

    // The client goes on from its cursor, now against the new server. The agent prints the rest
    // of its lines once the new worker has taken it over, so that worker reads them as they come.
    const seenAfter: RunEvent[] = [];
    let after = cursor;
    const status = await finishedUnderNewBuild(runId, 'the run to finish', async () => {
      const page = await callOk<EventsPage>(newMcp!.client, 'poll_events', { run_id: runId, after_seq: after, limit: 1000, wait_seconds: 5 });
      expect(page.missed).toBe(0);
      seenAfter.push(...page.events);
      after = page.next_after_seq;
      if (page.events.some((e) => e.type === 'reattached')) await writeFile(gateFile, '');
      return isFinalStatus(page.status) && !page.has_more ? page.status : null;
    });

    expect(status).toBe('completed');
    const events = [...seenBefore, ...seenAfter];
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const lines = Array.from({ length: LINES_BEFORE_UPGRADE + LINES_AFTER_UPGRADE }, (_, i) => `line ${i + 1}`);
    expect(events.filter((e) => e.type === 'agent_message').map((e) => e.data.text)).toEqual(lines);
    // The new worker took over the agent the old one left running; it started none of its own.
    expect(events.filter((e) => e.type === 'reattached').map((e) => e.data.alive)).toEqual([true]);
    expect(events.filter((e) => e.type === 'resumed')).toEqual([]);
    const view = await callOk<RunView>(newMcp!.client, 'get_run', { run_id: runId });
    expect(view).toMatchObject({ status: 'completed', result: { exit_code: 0, error: null } });
    expect(view.result!.output.split('\n')).toEqual(lines);
    await expectFinishedByNewWorker(runId);
  });

  it('a channel between turns takes its next turn under the new worker, on the same session', async () => {
    const channel = `upgrade-${Date.now()}`;
    const first = await underOldBuild(async () => {
      const { run_id } = await callOk<{ run_id: string }>(oldMcp!.client, 'spawn_run', { prompt: 'Remember the number 7.', backend: 'claude_code', cwd: env.workDir, channel });
      const done = await callOk<Waited>(oldMcp!.client, 'wait_run', { run_id, max_wait_seconds: 50 });
      expect(done.run.status).toBe('completed');
      expect(done.run.session_id).toBeTruthy();
      return done.run;
    });

    const { run_id } = await callOk<{ run_id: string }>(newMcp!.client, 'spawn_run', { prompt: 'Which number?', backend: 'claude_code', cwd: env.workDir, channel });
    const second = await finishedUnderNewBuild(channelWorkflowId(channel), 'the second turn to finish', async () => {
      const done = await callOk<Waited>(newMcp!.client, 'wait_run', { run_id, max_wait_seconds: 5 });
      return done.finished ? done.run : null;
    });
    expect(second).toMatchObject({ status: 'completed', error: null, channel, session_id: first.session_id });
    const listed = await waitFor(
      async () => {
        const { channels } = await callOk<{ channels: { channel: string; session_id: string; turns_done: number }[] }>(newMcp!.client, 'list_channels');
        const mine = channels.find((c) => c.channel === channel);
        return mine?.turns_done === 2 ? mine : null;
      },
      { what: 'the channel to count two turns' },
    );
    expect(listed).toMatchObject({ session_id: first.session_id, active_run_id: null, queued_run_ids: [] });
    await expectFinishedByNewWorker(channelWorkflowId(channel));
    // The turn the new MCP server enqueued names its session in its memo, so push finds it (the
    // channel took the patched path live); the old build's turn has none.
    const memoOf = async (runId: string) => (await temporalApi.workflow.getHandle(runId).describe()).memo ?? {};
    expect((await memoOf(run_id))[ORIGIN_MEMO_KEY]).toBe(pushSessionId(null, env.workDir));
    expect((await memoOf(first.run_id))[ORIGIN_MEMO_KEY]).toBeUndefined();
    // A new worker that replays the channel from its start (a restart, the cache evicted) takes
    // the old turn's path and the new one's as they were taken.
    installTemporalRuntime('WARN');
    const history = await temporalApi.workflow.getHandle(channelWorkflowId(channel)).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: path.join(ROOT, 'dist', 'workflow-bundle.js') }, replayName: 'upgraded-channel' }, history);
  });

  it('a pipeline awaiting plan approval is approved through the new MCP server and completes', async () => {
    const pipelineId = await underOldBuild(async () => {
      const { pipeline_id } = await callOk<{ pipeline_id: string }>(oldMcp!.client, 'spawn_pipeline', {
        goal: 'Two step files, approved first',
        cwd: env.workDir,
        planner: fakeTeam('plan', '--steps', '2'),
        worker: fakeTeam('work'),
        reviewer: fakeTeam('review'),
        parallelism: 2,
        require_plan_approval: true,
      });
      await waitFor(async () => (await callOk<PipelineView>(oldMcp!.client, 'get_pipeline', { pipeline_id })).status === 'awaiting_approval', {
        what: `the ${release.version} build to await approval`,
      });
      return pipeline_id;
    });

    await callOk(newMcp!.client, 'approve_plan', { pipeline_id: pipelineId, decision: 'approve' });
    const view = await finishedUnderNewBuild(pipelineId, 'the pipeline to finish', async () => {
      const current = await callOk<PipelineView>(newMcp!.client, 'get_pipeline', { pipeline_id: pipelineId, wait_seconds: 5 });
      return FINAL_PIPELINE_STATUSES.includes(current.status) ? current : null;
    });
    expect(view).toMatchObject({ status: 'completed', error: null, verdict: { verdict: 'approve', findings: [] } });
    expect(view.plan).toEqual([
      { title: 'Step 1', instructions: 'Write step-1.txt' },
      { title: 'Step 2', instructions: 'Write step-2.txt' },
    ]);
    expect(new Set(view.steps.map((s) => s.name))).toEqual(new Set(['plan', 'r1.work-1', 'r1.work-2', 'r1.review']));
    expect(view.steps.every((s) => s.status === 'completed')).toBe(true);
    await expectFinishedByNewWorker(pipelineId);
  });
});
