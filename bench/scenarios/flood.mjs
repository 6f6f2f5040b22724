// Many runs, many lines: R concurrent runs each printing N stamped lines (in bursts, at a set
// pace), every run followed live by a poller (poll_events with a cursor, once a second, up to
// 1000 events a call). At the end every run is checked against its transcript (read_output):
// gapless seqs, every line once and in order, seen-live lines equal to the transcript's.
// Reported: lines/s delivered end to end, and how far behind the agents the events were.
import { call } from '../lib/mcp.mjs';
import { EventPoller, checkAgainstTranscript, readTranscript } from '../lib/poller.mjs';
import { pool, round, summary } from '../lib/stats.mjs';

export async function flood(ctx, { runs, lines, burst, gapMs }) {
  const started = performance.now();
  const startedAt = Date.now();
  const pollers = [];
  const lagMs = [];
  await pool(runs, runs, async (k) => {
    const command = ctx.agent('--lines', String(lines), '--burst', String(burst), '--gap-ms', String(gapMs), '--seed', String(k + 1));
    const { run_id } = await call(ctx.dev.mcp, 'spawn_run', ctx.commandRun(command));
    let lastVisibleAt = null;
    const poller = new EventPoller(ctx.dev.mcp, run_id, {
      intervalMs: 1000,
      limit: 1000,
      expectLines: lines,
      onEvent: (event, visibleAt) => {
        if (event.type === 'agent_message') lastVisibleAt = visibleAt;
      },
    });
    pollers.push(poller);
    await poller.follow();
    const lastWritten = poller.lineTimes[lines];
    if (lastWritten && lastVisibleAt) lagMs.push(lastVisibleAt - lastWritten);
  });
  const wallMs = performance.now() - started;
  const firstLine = Math.min(...pollers.map((p) => p.lineTimes[1] || Infinity));
  const lastLine = Math.max(...pollers.map((p) => p.lineTimes[lines] || 0));

  const problems = [];
  await pool(pollers.length, 8, async (i) => {
    const p = pollers[i];
    const transcript = await readTranscript(ctx.dev.mcp, p.runId);
    for (const problem of checkAgainstTranscript(p, transcript, lines)) problems.push(`${p.runId}: ${problem}`);
  });
  // Lines that reached the workflow (seen live, or dropped from the ring before a poll): a run
  // whose agent was stopped early delivered fewer than it was asked for.
  const delivered = pollers.reduce((n, p) => n + Math.min(lines, p.messages + p.missed), 0);
  const missed = pollers.reduce((n, p) => n + p.missed, 0);
  const failedRuns = pollers.filter((p) => p.status !== 'completed');
  const linesPerS = round((delivered / wallMs) * 1000);
  const offered = lastLine > firstLine ? round((delivered / (lastLine - firstLine)) * 1000) : null;
  return {
    id: 'flood',
    figure: `${runs} concurrent runs × ${lines} lines`,
    target: 'all gapless; lines/s reported',
    measured:
      `${problems.length === 0 ? 'gapless' : `${problems.length} problems, ${failedRuns.length} runs failed`}; ${linesPerS} lines/s` +
      (missed > 0 ? `; ${missed} events only in read_output (ring overflow)` : ''),
    baseline: `agents wrote ${offered ?? '?'} lines/s`,
    pass: problems.length === 0,
    details: {
      runs,
      lines_per_run: lines,
      agent_pace: { burst, gap_ms: gapMs, lines_per_s_per_run: round((burst / gapMs) * 1000) },
      wall_ms: round(wallMs),
      started_at: new Date(startedAt).toISOString(),
      lines_delivered: delivered,
      delivered_lines_per_s: linesPerS,
      failed_runs: failedRuns.length,
      failed_run_errors: [...new Set(failedRuns.map((p) => p.error))].slice(0, 5),
      agents_wrote_lines_per_s: offered,
      agents_writing_ms: lastLine - firstLine,
      last_line_written_to_visible_ms: summary(lagMs),
      polls: pollers.reduce((n, p) => n + p.polls, 0),
      poll_events_call_ms: summary(pollers.flatMap((p) => p.pollMs)),
      most_events_arriving_between_two_polls: Math.max(...pollers.map((p) => p.maxArrivedBetweenPolls)),
      events_missed_by_live_pollers: missed,
      runs_with_missed_events: pollers.filter((p) => p.missed > 0).length,
      problems: problems.slice(0, 30),
      problem_count: problems.length,
    },
  };
}
