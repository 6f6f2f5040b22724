// Agent output line -> visible in poll_events. Agents print stamped lines at pseudo-random gaps
// (50 ms to 2 s: both bursts inside Baton's one-signal-a-second window and lines after a quiet
// spell); a live poller per run long-polls poll_events (wait_seconds) and notes when each line's
// event arrives. Same machine, same clock. The event's own ts (when the activity parsed the line)
// splits the time into "agent -> activity read it" and "activity -> visible to the client".
import { call } from '../lib/mcp.mjs';
import { EventPoller } from '../lib/poller.mjs';
import { summary } from '../lib/stats.mjs';

export async function outputLatency(ctx, { runs, lines, gap }) {
  const total = [];
  const toActivity = [];
  const toClient = [];
  const problems = [];
  await Promise.all(
    Array.from({ length: runs }, async (_, k) => {
      const command = ctx.agent('--lines', String(lines), '--gap-ms', gap, '--seed', String(k + 1));
      const { run_id } = await call(ctx.dev.mcp, 'spawn_run', ctx.commandRun(command));
      const poller = new EventPoller(ctx.dev.mcp, run_id, {
        waitSeconds: 20,
        expectLines: lines,
        onEvent: (event, visibleAt) => {
          const match = /^b i=\d+ t=(\d+)$/.exec(event.type === 'agent_message' ? event.data.text : '');
          if (!match) return;
          const written = Number(match[1]);
          const parsed = Date.parse(event.ts);
          total.push(visibleAt - written);
          toActivity.push(parsed - written);
          toClient.push(visibleAt - parsed);
        },
      });
      await poller.follow();
      if (poller.messages !== lines) problems.push(`${run_id}: ${poller.messages} of ${lines} lines seen`);
      problems.push(...poller.problems.map((p) => `${run_id}: ${p}`));
    }),
  );
  const s = summary(total);
  return {
    id: 'output_latency',
    figure: 'agent output line → visible in poll_events',
    target: 'p50 ≤ 400 ms, p99 ≤ 2 s',
    measured: `p50 ${s.p50} ms, p99 ${s.p99} ms (${s.n} lines)`,
    baseline: '—',
    pass: s.n > 0 && s.p50 <= 400 && s.p99 <= 2000 && problems.length === 0,
    details: {
      runs,
      lines_per_run: lines,
      gap_ms: gap,
      line_to_visible_ms: s,
      line_to_activity_read_ms: summary(toActivity),
      activity_read_to_visible_ms: summary(toClient),
      problems: problems.slice(0, 20),
    },
  };
}
