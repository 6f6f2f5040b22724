// cancel_run -> the agent's process group is gone, for a cooperative agent (one that exits on
// SIGTERM). The agent prints its pid first; the bench takes its group from /proc, calls
// cancel_run, and watches the group's processes every 2 ms until none is running.
import { readdirSync } from 'node:fs';
import { call } from '../lib/mcp.mjs';
import { EventPoller } from '../lib/poller.mjs';
import { isGone, procStat } from '../lib/procs.mjs';
import { summary, sleep } from '../lib/stats.mjs';

export async function cancelLatency(ctx, { samples }) {
  const gone = [];
  const returned = [];
  const problems = [];
  for (let k = 0; k < samples; k++) {
    const command = ctx.agent('--pid', '--lines', '100000', '--gap-ms', '1000');
    const { run_id } = await call(ctx.dev.mcp, 'spawn_run', ctx.commandRun(command));
    const pid = await firstPid(ctx, run_id);
    const pgid = procStat(pid)?.pgrp;
    if (!pgid) {
      problems.push(`${run_id}: agent ${pid} was gone before the cancel`);
      continue;
    }
    const started = performance.now();
    const cancelled = call(ctx.dev.mcp, 'cancel_run', { run_id, reason: 'bench', wait_seconds: 20 }).then((out) => {
      returned.push(performance.now() - started);
      return out;
    });
    while (!(isGone(pid) && isGone(pgid))) {
      if (performance.now() - started > 30_000) break;
      await sleep(2);
    }
    const elapsed = performance.now() - started;
    const survivors = groupMembers(pgid);
    if (survivors.length > 0) problems.push(`${run_id}: group ${pgid} still has ${survivors.join(', ')} after ${Math.round(elapsed)} ms`);
    else gone.push(elapsed);
    const out = await cancelled;
    if (out.status !== 'cancelled') problems.push(`${run_id}: cancel_run reported ${out.status}`);
  }
  const s = summary(gone);
  return {
    id: 'cancel_latency',
    figure: 'cancel_run → agent process group gone (cooperative agent)',
    target: 'p50 ≤ 500 ms',
    measured: `p50 ${s.p50} ms, p99 ${s.p99} ms (${s.n} cancels)`,
    baseline: '—',
    pass: s.n > 0 && s.p50 <= 500 && problems.length === 0,
    details: { cancel_to_group_gone_ms: s, cancel_run_returned_ms: summary(returned), problems },
  };
}

/** The agent's pid, from its first line as poll_events shows it. */
async function firstPid(ctx, runId) {
  const poller = new EventPoller(ctx.dev.mcp, runId, { waitSeconds: 10 });
  let pid = null;
  poller.onEvent = (event) => {
    const match = /^b pid=(\d+)$/.exec(event.type === 'agent_message' ? event.data.text : '');
    if (match) {
      pid = Number(match[1]);
      poller.stop();
    }
  };
  await poller.follow();
  if (pid === null) throw new Error(`${runId} ended (${poller.status}) before its agent printed its pid`);
  return pid;
}

function groupMembers(pgid) {
  const members = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat && stat.pgrp === pgid && !isGone(Number(name))) members.push(Number(name));
  }
  return members;
}
