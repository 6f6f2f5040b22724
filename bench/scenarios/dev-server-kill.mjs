// Dev server SIGKILL -> back (issue 10). A `baton dev` of its own (no TEMPORAL_ADDRESS: it starts
// and supervises its own dev server) runs an agent that prints a stamped line every 100 ms. Mid-run
// the `temporal` process gets kill -9, as from the OOM killer, `trials` times. Measured per kill:
// kill -> the gRPC port accepts again, kill -> a tool call (get_run) succeeds again, and the lines
// `baton dev` printed about the outage. Then the run must complete with gapless seqs and every line.
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { connectHttp } from '../lib/mcp.mjs';
import { freePort } from '../lib/stack.mjs';
import { round, summary, sleep } from '../lib/stats.mjs';

const LIMIT_MS = 5000;

const portOpen = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** The `temporal server start-dev` under the UI guard that the data dir records. */
function temporalPid(dataDir) {
  const guard = JSON.parse(readFileSync(path.join(dataDir, 'temporal', 'dev-server.json'), 'utf8')).pid;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === guard) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no dev server under pid ${guard}`);
}

export async function devServerKill(ctx, { trials, lines }) {
  const grpc = await freePort();
  const env = ctx.stack.batonEnv('supervised', {
    BATON_HTTP_PORT: '0',
    BATON_TEMPORAL_PORT: String(grpc),
    BATON_TEMPORAL_UI_PORT: String(await freePort()),
    BATON_LOG_LEVEL: 'INFO',
  });
  delete env.TEMPORAL_ADDRESS;
  delete env.TEMPORAL_NAMESPACE;
  const dev = ctx.stack.spawnBaton('supervised-dev', ['dev'], env);
  const outcomes = [];
  let mcp = null;
  try {
    while (!/Press Ctrl-C/.test(dev.output())) {
      if (dev.child.exitCode !== null) throw new Error(`baton dev exited:\n${dev.output().slice(-2000)}`);
      await sleep(50);
    }
    mcp = await connectHttp(/MCP endpoint \(Streamable HTTP\): (\S+)/.exec(dev.output())[1]);
    const callOk = async (name, args) => {
      const result = await mcp.callTool({ name, arguments: args });
      return result.isError ? null : result.structuredContent;
    };
    const { run_id } = await callOk('spawn_run', ctx.commandRun(ctx.agent('--lines', String(lines), '--gap-ms', '100')));
    for (let k = 0; k < trials; k++) {
      while (((await callOk('get_run', { run_id }))?.last_seq ?? 0) < 20 * (k + 1)) await sleep(50);
      const before = dev.output().length;
      const killedAt = Date.now();
      process.kill(temporalPid(env.BATON_DATA_DIR), 'SIGKILL');
      while (await portOpen(grpc)) await sleep(5);
      while (!(await portOpen(grpc))) await sleep(10);
      const portMs = Date.now() - killedAt;
      while ((await callOk('get_run', { run_id })) === null) await sleep(20);
      const toolMs = Date.now() - killedAt;
      // Let the retries that were in flight report, then count what the outage printed.
      await sleep(5000);
      const printed = dev
        .output()
        .slice(before)
        .split('\n')
        .filter((l) => l.trim() !== '');
      outcomes.push({ port_back_ms: portMs, tool_call_back_ms: toolMs, lines_printed: printed.length, printed });
    }
    let view;
    while ((view = await callOk('wait_run', { run_id, max_wait_seconds: 20 }))?.finished !== true) await sleep(100);
    const events = (await callOk('poll_events', { run_id, limit: 1000 })).events;
    const gapless = events.every((e, i) => e.seq === i + 1);
    const agentLines = events.filter((e) => e.type === 'agent_message').length;
    const problems = [];
    if (view.run.status !== 'completed') problems.push(`the run ended ${view.run.status}`);
    if (!gapless) problems.push('the event seqs have a gap');
    if (agentLines !== lines) problems.push(`${agentLines} agent lines of ${lines}`);
    const worst = Math.max(...outcomes.map((o) => o.tool_call_back_ms));
    const mostLines = Math.max(...outcomes.map((o) => o.lines_printed));
    return {
      id: 'dev_server_kill',
      figure: 'dev server SIGKILL → back, tool calls answered again',
      target: `≤ ${LIMIT_MS / 1000} s, gapless, ≤ 6 lines printed`,
      measured: `worst ${round(worst / 1000, 2)} s (${trials} kills); ≤ ${mostLines} lines each`,
      baseline: 'before 0.3: never (a person restarts npm start)',
      pass: worst <= LIMIT_MS && mostLines <= 6 && problems.length === 0,
      details: {
        port_back_ms: summary(outcomes.map((o) => o.port_back_ms)),
        tool_call_back_ms: summary(outcomes.map((o) => o.tool_call_back_ms)),
        trials: outcomes,
        problems,
      },
    };
  } finally {
    await mcp?.close().catch(() => undefined);
    await ctx.stack.stopChild(dev, 'SIGINT');
  }
}
