// Runs completed per second: N runs of a trivial command agent, C at a time, each started with
// spawn_run and followed with wait_run until it finished. The ceiling is the same server running a
// minimal workflow whose one activity spawns the same command with execa; the floor under both is
// a bare execa loop with the same concurrency.
import { execa } from 'execa';
import { BASELINE_QUEUE } from '../baseline/worker.mjs';
import { call } from '../lib/mcp.mjs';
import { pool, round, summary } from '../lib/stats.mjs';

/** Issue 14's target: Baton's runs per second against the one-activity workflow on the same server. */
const CEILING_TARGET_PERCENT = 80;

const COMMAND = ['/bin/echo', 'ok'];

export async function throughput(ctx, { runs, concurrency }) {
  const execaLoop = await measure(ctx, runs, concurrency, async () => {
    const r = await execa(COMMAND[0], COMMAND.slice(1), { reject: false, stdin: 'ignore' });
    if (r.exitCode !== 0) throw new Error(`${COMMAND.join(' ')} exited ${r.exitCode}`);
  });
  const ceiling = await measure(ctx, runs, concurrency, async (i) => {
    await ctx.temporal.workflow.execute('spawnOnce', { taskQueue: BASELINE_QUEUE, workflowId: `ceiling-${ctx.stamp}-${i}`, args: [COMMAND] });
  });
  const failures = [];
  const baton = await measure(ctx, runs, concurrency, async () => {
    const { run_id } = await call(ctx.dev.mcp, 'spawn_run', ctx.commandRun(COMMAND));
    for (;;) {
      const waited = await call(ctx.dev.mcp, 'wait_run', { run_id, max_wait_seconds: 50 });
      if (!waited.finished) continue;
      if (waited.run.status !== 'completed') failures.push(`${run_id} ended ${waited.run.status}: ${waited.run.error}`);
      return;
    }
  });
  const ratio = round((baton.runs_per_s / ceiling.runs_per_s) * 100);
  const overheadPerRun = round(baton.wall_ms / runs - execaLoop.wall_ms / runs, 2);
  return {
    id: 'throughput',
    figure: `runs completed per second, ${runs} runs at concurrency ${concurrency}`,
    target: `≥ ${CEILING_TARGET_PERCENT}% of the ceiling (one-activity workflow)`,
    measured: `${baton.runs_per_s} runs/s (${ratio}% of ceiling); +${overheadPerRun} ms wall/run over execa`,
    baseline: `ceiling ${ceiling.runs_per_s} runs/s; bare execa ${execaLoop.runs_per_s} runs/s`,
    pass: ratio >= CEILING_TARGET_PERCENT && failures.length === 0,
    details: {
      command: COMMAND,
      baton,
      ceiling,
      execa: execaLoop,
      percent_of_ceiling: ratio,
      overhead_wall_ms_per_run_over_execa: overheadPerRun,
      overhead_wall_ms_per_run_over_ceiling: round(baton.wall_ms / runs - ceiling.wall_ms / runs, 2),
      failures: failures.slice(0, 10),
      failed_runs: failures.length,
    },
  };
}

async function measure(ctx, runs, concurrency, one) {
  const latencies = [];
  const cpu = ctx.cpu();
  const started = performance.now();
  await pool(runs, concurrency, async (i) => {
    const t = performance.now();
    await one(i);
    latencies.push(performance.now() - t);
  });
  const wall = performance.now() - started;
  return { wall_ms: round(wall), runs_per_s: round((runs / wall) * 1000, 2), run_latency_ms: summary(latencies), cpu: cpu.finish() };
}
