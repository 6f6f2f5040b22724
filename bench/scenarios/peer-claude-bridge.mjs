// Baton beside claude-bridge, the bridge that keeps nothing: the same client code (claude-bridge's
// tools) and the same agent (the fake `claude`, which answers at once) against the real
// claude-bridge-mcp 0.1.0 over stdio and against Baton's claude-bridge profile over Streamable HTTP
// (a `baton dev` of its own: worker and MCP endpoint, on the bench's Temporal server). Each figure
// is a ratio Baton / claude-bridge (lower is better): idle start (dispatch_async answered), a quick
// job end to end (a sync dispatch), N concurrent quick jobs to done, and CPU seconds per job (Baton's
// process and the Temporal server against claude-bridge's process; the agents apart). A third side,
// the Temporal floor, runs each job as the least a Temporal workflow can be (the baseline's one
// activity spawning the same fake claude, driven by a raw Temporal client, no MCP and no channel):
// what any design that makes each job a workflow on this server and machine cannot go under.
import { BASELINE_QUEUE } from '../baseline/worker.mjs';
import { bridgeCall, startClaudeBridge } from '../lib/claude-bridge.mjs';
import { cpuAccount } from '../lib/cpu.mjs';
import { timelineAfter } from '../lib/history.mjs';
import { round, sleep, summary } from '../lib/stats.mjs';

/** Targets of issue 14 (docs/PERFORMANCE.md), Baton / claude-bridge. */
export const PEER_TARGETS = { start: 1.3, dispatch: 1.5, concurrent: 1.5 };
const PROMPT = 'What is 2+2?';

export async function peerClaudeBridge(ctx, { samples, warmup, jobs }) {
  const bridge = await startClaudeBridge(ctx.stack.batonRoot, ctx.stack.workDir);
  let peer = null;
  try {
    // The fake keeps its sessions where claude-bridge's does (its agents inherit Baton's environment).
    peer = await ctx.stack.startDev(
      { BATON_TOOL_PROFILE: 'claude-bridge', BATON_CLAUDE_BIN: bridge.fakeClaude, CLAUDE_BRIDGE_CWD: ctx.stack.workDir, FAKE_CLAUDE_STATE_DIR: bridge.fakeClaudeState },
      'peer',
    );
    const sides = {
      baton: { ops: bridgeOps(peer.mcp), pids: () => ({ 'baton dev (claude-bridge profile)': peer.pid, ...temporalPids(ctx.stack) }) },
      'claude-bridge': { ops: bridgeOps(bridge.client), pids: () => ({ 'claude-bridge': bridge.pid }) },
      temporal_floor: { ops: floorOps(ctx, bridge), pids: () => ({ 'bench (baseline worker)': process.pid, ...temporalPids(ctx.stack) }) },
    };
    const figures = {};
    for (const [name, side] of Object.entries(sides)) figures[name] = await measureSide(side, { samples, warmup, jobs, channel: `${name}-${ctx.stamp}` });
    const b = figures.baton;
    const f = figures.temporal_floor;
    // Where a quick job's time goes in Baton: its channel's and its run's histories from the call on.
    if (b.last_dispatch?.job_id) {
      const since = b.last_dispatch.called_at_ms;
      b.last_dispatch.channel_timeline = await timelineAfter(ctx.temporal, `channel_${b.last_dispatch.channel}`, since).catch((err) => String(err));
      b.last_dispatch.run_timeline = await timelineAfter(ctx.temporal, b.last_dispatch.job_id, since).catch((err) => String(err));
    }
    const c = figures['claude-bridge'];
    const ratios = ratiosTo(b, c);
    // The same ratios for the floor: how near claude-bridge a job that is a workflow can come here.
    const floor = ratiosTo(f, c);
    const pass = ratios.start <= PEER_TARGETS.start && ratios.dispatch <= PEER_TARGETS.dispatch && ratios.concurrent <= PEER_TARGETS.concurrent && b.failed === 0;
    return {
      id: 'peer_claude_bridge',
      figure: `Baton / claude-bridge: idle start, dispatch of a quick job, ${jobs} concurrent quick jobs`,
      target: `≤ ${PEER_TARGETS.start}×, ≤ ${PEER_TARGETS.dispatch}×, ≤ ${PEER_TARGETS.concurrent}×`,
      measured: ratioText(ratios, b),
      baseline: `claude-bridge ${c.start_ms.p50} ms, ${c.dispatch_ms.p50} ms, ${round(c.concurrent_wall_ms / 1000, 2)} s; CPU/job ${c.cpu_s_per_job} s. Temporal floor ${ratioText(floor, f)}`,
      pass,
      details: { ratios, floor_ratios: floor, targets: PEER_TARGETS, baton: b, claude_bridge: c, temporal_floor: f },
    };
  } finally {
    await bridge.close();
    if (peer) {
      await peer.mcp.close().catch(() => undefined);
      await peer.stop();
    }
  }
}

/** A side's figures as ratios to claude-bridge's (p50s; lower is better). */
function ratiosTo(side, c) {
  const ratio = (x, y) => (x !== null && y ? round(x / y, 2) : null);
  return {
    start: ratio(side.start_ms.p50, c.start_ms.p50),
    dispatch: ratio(side.dispatch_ms.p50, c.dispatch_ms.p50),
    concurrent: ratio(side.concurrent_wall_ms, c.concurrent_wall_ms),
    cpu_per_job: ratio(side.cpu_s_per_job, c.cpu_s_per_job),
  };
}

/** "5.55× (58.8 ms), 0.07× (225.3 ms), 3.33× (8.08 s); CPU/job 5.06×" */
function ratioText(r, side) {
  return `${r.start}× (${side.start_ms.p50} ms), ${r.dispatch}× (${side.dispatch_ms.p50} ms), ${r.concurrent}× (${round(side.concurrent_wall_ms / 1000, 2)} s); CPU/job ${r.cpu_per_job}×`;
}

/** A side driven by claude-bridge's own tools over an MCP client. */
function bridgeOps(client) {
  return {
    start: async (channel) => (await bridgeCall(client, 'dispatch_async', { prompt: PROMPT, channel })).job_id,
    untilDone: (jobId) => untilDone(client, jobId),
    dispatch: async (channel) => {
      const done = await bridgeCall(client, 'dispatch', { prompt: PROMPT, channel });
      return { ok: done.ok === true, job_id: done.job_id ?? null };
    },
  };
}

/**
 * The Temporal floor: each job one `spawnOnce` workflow (bench/baseline) whose one activity runs
 * the fake claude as claude-bridge does (`-p`, JSON out), started and awaited by a raw client.
 * Its start is answered once the workflow is recorded; its stdin is closed, so the fake does not
 * wait for it.
 */
function floorOps(ctx, bridge) {
  const command = [process.execPath, bridge.fakeClaude, '-p', PROMPT, '--output-format', 'json'];
  // The same work directory and fake-claude state directory as claude-bridge's side.
  const where = { cwd: ctx.stack.workDir, env: { FAKE_CLAUDE_STATE_DIR: bridge.fakeClaudeState } };
  let n = 0;
  const start = async (channel) => {
    const handle = await ctx.temporal.workflow.start('spawnOnce', { taskQueue: BASELINE_QUEUE, workflowId: `floor-${channel}-${n++}`, args: [command, where] });
    return handle.workflowId;
  };
  // A failed job counts as failed, as on the other sides; it does not end the scenario.
  const untilDone = async (workflowId) => {
    const result = await ctx.temporal.workflow
      .getHandle(workflowId)
      .result()
      .catch(() => null);
    return { ok: result?.exit_code === 0 };
  };
  return { start, untilDone, dispatch: async (channel) => ({ ...(await untilDone(await start(channel))), job_id: null }) };
}

/** One side, sequential then concurrent, by its own calls (ops). */
async function measureSide(side, { samples, warmup, jobs, channel }) {
  const { ops } = side;
  const start = [];
  const dispatch = [];
  let failed = 0;
  /** The last sync dispatch: where its time went (Baton's side: the run's and its channel's histories). */
  let last = null;
  for (let i = 0; i < warmup + samples; i++) {
    const record = i >= warmup;
    // Idle start: the answer to dispatch_async, with nothing else running; then its job is awaited.
    let t = performance.now();
    const jobId = await ops.start(`${channel}-a${i}`);
    if (record) start.push(performance.now() - t);
    await ops.untilDone(jobId);
    // A quick job end to end: the sync dispatch, result in the caller's hands.
    t = performance.now();
    const wallStart = Date.now();
    const done = await ops.dispatch(`${channel}-d${i}`);
    if (record) dispatch.push(performance.now() - t);
    if (!done.ok) failed++;
    last = { job_id: done.job_id ?? null, channel: `${channel}-d${i}`, called_at_ms: wallStart, answered_after_ms: Date.now() - wallStart };
  }
  // N quick jobs at once, each on its own channel, all followed to done.
  const cpu = cpuAccount(side.pids);
  const t = performance.now();
  const ids = await Promise.all(Array.from({ length: jobs }, (_, i) => ops.start(`${channel}-c${i}`)));
  const ends = await Promise.all(ids.map((id) => ops.untilDone(id)));
  const wall = performance.now() - t;
  const used = cpu.finish();
  failed += ends.filter((e) => e.ok !== true).length;
  // The orchestrator's own CPU (Baton's process and the Temporal server; claude-bridge's process),
  // apart from the agents it started (its reaped children), which are the same program on both sides.
  const entries = Object.entries(used.by_process_cpu_s);
  const sum = (list) => list.reduce((a, [, v]) => a + v, 0);
  const own = sum(entries.filter(([name]) => !name.endsWith('(reaped children)')));
  const agents = sum(entries.filter(([name]) => name.endsWith('(reaped children)')));
  return {
    start_ms: summary(start),
    dispatch_ms: summary(dispatch),
    concurrent_wall_ms: round(wall),
    cpu_s_per_job: round(own / jobs, 3),
    agents_cpu_s_per_job: round(agents / jobs, 3),
    cpu_by_process_s: used.by_process_cpu_s,
    failed,
    last_dispatch: last,
  };
}

/** wait_dispatch until the job is no longer running (its own long poll). */
async function untilDone(client, jobId) {
  for (;;) {
    const state = await bridgeCall(client, 'wait_dispatch', { job_id: jobId, max_wait_seconds: 30 });
    if (state.status !== 'running') return state;
    await sleep(0);
  }
}

/** The Temporal server's processes (its guard and the server itself), from the stack's list. */
function temporalPids(stack) {
  return Object.fromEntries(Object.entries(stack.pids()).filter(([name]) => name.startsWith('temporal dev server')));
}
