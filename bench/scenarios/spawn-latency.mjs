// spawn_run latency, warm and sequential, against a bare client.workflow.start of a minimal
// workflow. Each pair (one spawn_run through MCP, one bare start) runs on a quiet system: the
// bench waits for both workflows to finish before the next pair, so no run in the background
// loads the 2 cores while a start is timed.
import { randomBytes } from 'node:crypto';
import { BASELINE_QUEUE } from '../baseline/worker.mjs';
import { call } from '../lib/mcp.mjs';
import { round, summary } from '../lib/stats.mjs';

export async function spawnLatency(ctx, { samples, warmup }) {
  const baton = [];
  const bare = [];
  const mcpOnly = [];
  for (let i = 0; i < warmup + samples; i++) {
    const record = i >= warmup;
    // Alternate which goes first, so neither always follows the other's cleanup.
    const order = i % 2 === 0 ? ['baton', 'bare'] : ['bare', 'baton'];
    const ids = {};
    for (const which of order) {
      const started = performance.now();
      if (which === 'baton') {
        const out = await call(ctx.dev.mcp, 'spawn_run', ctx.commandRun(['/bin/echo', 'ok']));
        ids.baton = out.run_id;
      } else {
        ids.bare = `bare-${randomBytes(8).toString('hex')}`;
        await ctx.temporal.workflow.start('minimal', { taskQueue: BASELINE_QUEUE, workflowId: ids.bare, args: [] });
      }
      if (record) (which === 'baton' ? baton : bare).push(performance.now() - started);
    }
    // The MCP layer alone: a tool that touches no Temporal (help), over the same HTTP endpoint.
    const helpStarted = performance.now();
    await call(ctx.dev.mcp, 'help', {});
    if (record) mcpOnly.push(performance.now() - helpStarted);
    await Promise.all([ctx.settle(ids.baton), ctx.settle(ids.bare)]);
  }
  const b = summary(baton);
  const w = summary(bare);
  const overhead = round(b.p50 - w.p50);
  return {
    id: 'spawn_latency',
    figure: 'spawn_run latency, warm, sequential',
    target: 'overhead over bare start ≤ 5 ms at p50',
    measured: `p50 ${b.p50} ms, p99 ${b.p99} ms (overhead p50 ${overhead} ms)`,
    baseline: `bare workflow.start p50 ${w.p50} ms, p99 ${w.p99} ms`,
    pass: overhead <= 5,
    details: { spawn_run_ms: b, bare_start_ms: w, overhead_p50_ms: overhead, overhead_p99_ms: round(b.p99 - w.p99), mcp_help_roundtrip_ms: summary(mcpOnly) },
  };
}
