// Worker memory: a `baton worker` process's VmRSS when idle (after a few warm-up runs, so code and
// the workflow bundle are loaded) and while it watches N long-running agents that sleep and print
// a line every 20 s. Growth per running agent = (loaded - idle) / N.
import { call } from '../lib/mcp.mjs';
import { rssKb } from '../lib/procs.mjs';
import { pool, quantile, round, sleep } from '../lib/stats.mjs';

const SLEEPER = ['/bin/sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 20; done'];

export async function workerMemory(ctx, { agents, settleMs }) {
  const solo = await ctx.solo();
  const worker = await ctx.stack.startWorker('solo', solo.env);
  const started = [];
  try {
    const freshKb = rssKb(worker.pid);
    for (let i = 0; i < 5; i++) {
      const { run_id } = await call(solo.mcp, 'spawn_run', ctx.commandRun(['/bin/echo', 'warm-up']));
      await call(solo.mcp, 'wait_run', { run_id, max_wait_seconds: 50 });
    }
    await sleep(2000);
    const idleKb = await sampleRss(worker.pid, 5, 1000);

    await pool(agents, 10, async () => {
      const { run_id } = await call(solo.mcp, 'spawn_run', ctx.commandRun(SLEEPER));
      started.push(run_id);
    });
    const waitedMs = await untilAllRunning(solo.mcp, started);
    await sleep(settleMs);
    const loadedKb = await sampleRss(worker.pid, 10, 1000);

    await pool(started.length, 10, (i) => call(solo.mcp, 'cancel_run', { run_id: started[i], reason: 'bench done', wait_seconds: 30 }));
    await sleep(2000);
    const afterKb = await sampleRss(worker.pid, 3, 1000);

    const perAgentMb = (loadedKb.median - idleKb.median) / 1024 / agents;
    return {
      id: 'worker_memory',
      figure: `worker memory at ${agents} concurrent long-running agents`,
      target: '≤ 1 MB per running agent over idle RSS',
      measured: `${round(loadedKb.median / 1024)} MB loaded, ${round(perAgentMb, 2)} MB/agent`,
      baseline: `idle worker ${round(idleKb.median / 1024)} MB`,
      pass: perAgentMb <= 1,
      details: {
        agents,
        worker_pid: worker.pid,
        fresh_rss_mb: round(freshKb / 1024),
        idle_rss_mb: mb(idleKb),
        loaded_rss_mb: mb(loadedKb),
        after_cancel_rss_mb: mb(afterKb),
        growth_mb_per_agent: round(perAgentMb, 3),
        all_running_after_ms: waitedMs,
      },
    };
  } finally {
    await worker.stop();
  }
}

export async function sampleRss(pid, count, everyMs) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(everyMs);
    samples.push(rssKb(pid));
  }
  return { median: quantile(samples, 0.5), max: Math.max(...samples), min: Math.min(...samples) };
}

export function mb(s) {
  return { median: round(s.median / 1024), min: round(s.min / 1024), max: round(s.max / 1024) };
}

/** Until every run is running and its agent has printed its first line. */
export async function untilAllRunning(client, runIds) {
  const started = Date.now();
  let pending = [...runIds];
  while (pending.length > 0) {
    if (Date.now() - started > 300_000) throw new Error(`${pending.length} runs still not running after 5 minutes`);
    const still = [];
    await pool(pending.length, 10, async (i) => {
      const view = await call(client, 'get_run', { run_id: pending[i] });
      if (view.status !== 'running' || view.last_message === null) still.push(pending[i]);
    });
    pending = still;
    if (pending.length > 0) await sleep(1000);
  }
  return Date.now() - started;
}
