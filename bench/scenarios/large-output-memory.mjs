// Worker memory under large output: N agents at once, each printing lines of 5 KiB and, every Kth
// line, one of 1 MiB. The small-output figure (worker-memory.mjs) says what watching an agent
// costs; this one says what an agent's *output* can cost, the part a hostile or careless agent
// controls: the worker reads each line whole (up to 16 MiB) before it cuts the event. The agents
// wait for a file before they print, and the bench creates it once all N run, so every agent's
// 1 MiB lines arrive at the same moment and the worker holds them all at once: the worst case.
// Measured: the `baton worker` process's peak RSS (VmHWM, the kernel's high-water mark, so no
// peak falls between samples) over its idle RSS; every run must complete.
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { call } from '../lib/mcp.mjs';
import { peakRssKb, rssKb } from '../lib/procs.mjs';
import { pool, round, sleep } from '../lib/stats.mjs';
import { mb, sampleRss, untilAllRunning } from './worker-memory.mjs';

/**
 * A user runs up to BATON_MAX_CONCURRENT_AGENTS (100) agents on one worker, often on a laptop or
 * a small VM next to the agents themselves; a worker that stays under 1 GiB while every agent
 * dumps megabytes at once leaves that machine its memory (and is far from Node's heap limit).
 */
const TARGET_PEAK_MB = 1024;

export async function largeOutputMemory(ctx, { agents, lines, lineBytes, bigEvery, bigBytes, gapMs }) {
  const solo = await ctx.solo();
  const worker = await ctx.stack.startWorker('solo', solo.env);
  const go = path.join(ctx.stack.workDir, `go-large-${ctx.stamp}`);
  const started = [];
  const samples = [];
  let sampler = null;
  let finished = false;
  try {
    for (let i = 0; i < 5; i++) {
      const { run_id } = await call(solo.mcp, 'spawn_run', ctx.commandRun(['/bin/echo', 'warm-up']));
      await call(solo.mcp, 'wait_run', { run_id, max_wait_seconds: 50 });
    }
    await sleep(2000);
    const idleKb = await sampleRss(worker.pid, 5, 1000);
    const idlePeakKb = peakRssKb(worker.pid);

    const agent = ctx.agent(
      '--pid',
      '--wait-file',
      go,
      '--lines',
      String(lines),
      '--gap-ms',
      String(gapMs),
      '--line-bytes',
      String(lineBytes),
      '--big-every',
      String(bigEvery),
      '--big-bytes',
      String(bigBytes),
    );
    await pool(agents, 10, async () => {
      const { run_id } = await call(solo.mcp, 'spawn_run', ctx.commandRun(agent));
      started.push(run_id);
    });
    const waitedMs = await untilAllRunning(solo.mcp, started);

    // VmHWM catches the peak; the samples show when it came (and the RSS it settles at).
    sampler = setInterval(() => samples.push(rssKb(worker.pid)), 250);
    const t = performance.now();
    await writeFile(go, '');
    const statuses = [];
    await pool(started.length, 10, async (i) => {
      for (;;) {
        const waited = await call(solo.mcp, 'wait_run', { run_id: started[i], max_wait_seconds: 50 });
        if (waited.finished) return void statuses.push(waited.run.status);
      }
    });
    const printMs = performance.now() - t;
    finished = true;
    clearInterval(sampler);
    const peakKb = peakRssKb(worker.pid);
    await sleep(2000);
    const afterKb = await sampleRss(worker.pid, 3, 1000);

    const completed = statuses.filter((s) => s === 'completed').length;
    const peakMb = peakKb / 1024;
    const perAgentMb = (peakKb - idleKb.median) / 1024 / agents;
    const bigPerAgent = bigEvery > 0 ? Math.floor(lines / bigEvery) : 0;
    const writtenMb = (agents * ((lines - bigPerAgent) * lineBytes + bigPerAgent * bigBytes)) / 1024 / 1024;
    return {
      id: 'large_output_memory',
      figure: `worker peak memory, ${agents} concurrent agents printing ${kib(lineBytes)} lines and ${kib(bigBytes)} lines at once`,
      target: `peak RSS < ${TARGET_PEAK_MB} MB; every run completed`,
      measured: `peak ${round(peakMb)} MB, ${round(perAgentMb, 2)} MB/agent over idle; ${completed}/${agents} completed`,
      baseline: `idle worker ${round(idleKb.median / 1024)} MB`,
      pass: peakMb < TARGET_PEAK_MB && completed === agents,
      details: {
        agents,
        worker_pid: worker.pid,
        idle_rss_mb: mb(idleKb),
        idle_peak_rss_mb: round(idlePeakKb / 1024),
        peak_rss_mb: round(peakMb),
        sampled_max_rss_mb: samples.length > 0 ? round(Math.max(...samples) / 1024) : null,
        after_rss_mb: mb(afterKb),
        growth_mb_per_agent: round(perAgentMb, 3),
        lines_per_agent: lines,
        big_lines_per_agent: bigPerAgent,
        written_mb: round(writtenMb),
        print_to_all_finished_ms: Math.round(printMs),
        all_running_after_ms: waitedMs,
        statuses: countBy(statuses),
      },
    };
  } finally {
    if (sampler) clearInterval(sampler);
    // A run left running (an error above) must not print on into the next scenario.
    if (!finished) await pool(started.length, 10, (i) => call(solo.mcp, 'cancel_run', { run_id: started[i], reason: 'bench stopped', wait_seconds: 30 }).catch(() => undefined));
    await rm(go, { force: true });
    await worker.stop();
  }
}

const kib = (bytes) => (bytes >= 1 << 20 ? `${round(bytes / (1 << 20))} MiB` : `${round(bytes / 1024)} KiB`);

function countBy(values) {
  const counts = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
