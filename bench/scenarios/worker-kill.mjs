// Worker SIGKILL -> the run re-attached and producing events again. A `baton worker` process
// (heartbeat timeout 5 s) runs an agent that prints a stamped line every 100 ms; a live poller
// follows it through a worker-less MCP server. Mid-run the worker gets kill -9 and a new one is
// started at once; the bench notes when the `reattached` event and the next agent line become
// visible, then checks that every seq and every line arrived (poller and transcript).
import { timelineAfter } from '../lib/history.mjs';
import { call } from '../lib/mcp.mjs';
import { EventPoller, checkAgainstTranscript, readTranscript } from '../lib/poller.mjs';
import { round, summary, sleep } from '../lib/stats.mjs';

export const KILL_HEARTBEAT_SECONDS = 5;

export async function workerKill(ctx, { trials, lines, afterLines }) {
  const solo = await ctx.solo();
  let worker = await ctx.stack.startWorker('solo', solo.env);
  const outcomes = [];
  try {
    for (let k = 0; k < trials; k++) {
      const command = ctx.agent('--lines', String(lines), '--gap-ms', '100');
      const { run_id } = await call(solo.mcp, 'spawn_run', ctx.commandRun(command));
      let killedAt = null;
      let reattachedAt = null;
      let nextLineAt = null;
      const poller = new EventPoller(solo.mcp, run_id, {
        waitSeconds: 5,
        expectLines: lines,
        onEvent: (event, visibleAt) => {
          if (killedAt === null) return;
          if (event.type === 'reattached' && reattachedAt === null) reattachedAt = visibleAt;
          else if (event.type === 'agent_message' && reattachedAt !== null && nextLineAt === null) nextLineAt = visibleAt;
        },
      });
      const following = poller.follow();
      while (poller.messages < afterLines && poller.status !== 'completed') await sleep(20);
      killedAt = Date.now();
      worker.child.kill('SIGKILL');
      await worker.exited;
      const restartStarted = Date.now();
      worker = await ctx.stack.startWorker('solo', solo.env);
      const workerReadyMs = Date.now() - restartStarted;
      await following;
      const transcript = await readTranscript(solo.mcp, run_id);
      const problems = checkAgainstTranscript(poller, transcript, lines);
      if (poller.missed > 0) problems.push(`${poller.missed} events were missed by the live poller`);
      if (reattachedAt === null) problems.push('no reattached event after the kill');
      outcomes.push({
        run_id,
        killed_after_lines: afterLines,
        new_worker_ready_ms: workerReadyMs,
        reattached_visible_ms: reattachedAt && reattachedAt - killedAt,
        next_line_visible_ms: nextLineAt && nextLineAt - killedAt,
        events: poller.events,
        lines_seen_live: poller.messages,
        history_after_kill: await timelineAfter(ctx.temporal, run_id, killedAt).catch((err) => [{ error: err.message }]),
        problems,
      });
    }
  } finally {
    await worker.stop();
  }
  const recovery = outcomes.map((o) => o.next_line_visible_ms).filter((v) => v !== null);
  const limitMs = (KILL_HEARTBEAT_SECONDS + 3) * 1000;
  const worst = recovery.length ? Math.max(...recovery) : null;
  const lost = outcomes.reduce((n, o) => n + (lines - o.lines_seen_live), 0);
  const allProblems = outcomes.flatMap((o) => o.problems.map((p) => `${o.run_id}: ${p}`));
  return {
    id: 'worker_kill',
    figure: 'worker SIGKILL → run re-attached, producing events again',
    target: `≤ heartbeat timeout + 3 s (${limitMs / 1000} s), 0 events lost`,
    measured: `worst ${round(worst / 1000, 2)} s (${outcomes.length} kills); ${lost} lines lost`,
    baseline: `heartbeat timeout ${KILL_HEARTBEAT_SECONDS} s`,
    pass: recovery.length === trials && worst <= limitMs && allProblems.length === 0,
    details: {
      heartbeat_timeout_s: KILL_HEARTBEAT_SECONDS,
      kill_to_next_line_ms: summary(recovery),
      kill_to_reattached_ms: summary(outcomes.map((o) => o.reattached_visible_ms).filter((v) => v !== null)),
      trials: outcomes,
      problems: allProblems.slice(0, 20),
    },
  };
}
