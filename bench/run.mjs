#!/usr/bin/env node
// `npm run bench`: Baton's figures beside their baselines, measured in one run on this machine.
// It starts its own Temporal dev server (free loopback ports, a temp SQLite file), `baton dev`
// (worker + MCP over Streamable HTTP), a baseline worker in this process, and `baton worker`
// processes where a scenario kills or weighs one; it drives Baton through a real MCP client,
// prints one table and writes bench/results/<timestamp>.json. Sizes: see lib/options.mjs and
// docs/PERFORMANCE.md (BENCH_SCALE=small for a quick pass).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startBaselineWorker } from './baseline/worker.mjs';
import { busyPercent, cpuAccount, waitForQuiet } from './lib/cpu.mjs';
import { parseOptions } from './lib/options.mjs';
import { batonRevision, describeMachine, machineLine, renderTable, writeResults } from './lib/report.mjs';
import { Stack } from './lib/stack.mjs';
import { KILL_HEARTBEAT_SECONDS } from './scenarios/worker-kill.mjs';
import { scenarios } from './scenarios/index.mjs';

const BENCH_DIR = import.meta.dirname;
const BENCH_PROCESS = 'bench (MCP client, baseline worker)';

const options = parseOptions();
const batonRoot = path.resolve(options.batonRoot ?? path.join(BENCH_DIR, '..'));
const log = (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

Runtime.install({ logger: new DefaultLogger('WARN') });
const stack = new Stack({ batonRoot, log, keep: options.keep });
let stopping = null;
const stopAll = (cleanups) =>
  (stopping ??= (async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => log(`cleanup: ${err.message}`));
    await stack.stop();
  })());
const cleanups = [];
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: stopping everything the bench started`);
    void stopAll(cleanups).finally(() => process.exit(130));
  });
}

const startedAt = new Date();
const rows = [];
let machine;
try {
  const { ensureTemporalCli } = await import(pathToFileURL(path.join(batonRoot, 'dist', 'temporal', 'ensure-cli.js')).href);
  const cli = await ensureTemporalCli({ log: () => undefined });
  machine = describeMachine(cli.version);
  machine.baton = batonRevision(batonRoot);
  log(`machine: ${machineLine(machine)}`);
  log(`scale ${options.scale}; Baton at ${batonRoot}; temp dir ${stack.root}`);
  machine.busy_before_start_percent = options.quietWait > 0 ? await waitForQuiet(options.quietWait, log) : await busyPercent(2000);

  await stack.startTemporal();
  log(`Temporal dev server at ${stack.address}`);
  const connection = await Connection.connect({ address: stack.address });
  cleanups.push(() => connection.close());
  const temporal = new Client({ connection, namespace: 'default' });
  const baseline = await startBaselineWorker(stack.address);
  cleanups.push(() => baseline.stop());

  const floodRuns = options.only && !options.only.includes('flood') ? 0 : options.sizes.flood.runs;
  const dev = await stack.startDev({ BATON_MAX_CONCURRENT_AGENTS: String(Math.max(100, floodRuns + 20)) });
  cleanups.push(async () => {
    await dev.mcp.close().catch(() => undefined);
    await dev.stop();
  });
  log(`baton dev (pid ${dev.pid}) serves MCP at ${dev.url}`);

  let solo = null;
  const ctx = {
    stack,
    dev,
    temporal,
    stamp: Date.now().toString(36),
    /** spawn_run arguments for the command backend. */
    commandRun: (command) => ({ prompt: 'benchmark', backend: 'command', cwd: stack.workDir, backend_config: { command } }),
    /** The bench agent with these flags, as a command. */
    agent: (...flags) => [process.execPath, path.join(BENCH_DIR, 'agent.mjs'), ...flags],
    /** A CPU account over the bench's processes, from now until finish(). */
    cpu: () => cpuAccount(() => ({ ...stack.pids(), [BENCH_PROCESS]: process.pid }), BENCH_PROCESS),
    /** Waits until a workflow has closed, in whatever state. */
    settle: (workflowId) =>
      temporal.workflow
        .getHandle(workflowId)
        .result()
        .catch(() => undefined),
    /** The second deployment: `baton worker` processes behind a worker-less stdio MCP server. */
    solo: async () => {
      if (solo) return solo;
      const env = { BATON_HEARTBEAT_TIMEOUT_SECONDS: String(KILL_HEARTBEAT_SECONDS), BATON_MAX_CONCURRENT_AGENTS: '250' };
      const server = await stack.connectNoWorkerMcp('solo', env);
      cleanups.push(() => server.close());
      solo = { mcp: server.mcp, env };
      return solo;
    },
  };

  for (const [id, run] of Object.entries(scenarios)) {
    if (options.only && !options.only.includes(id)) continue;
    const sizes = options.sizes[id];
    log(`${id}: ${JSON.stringify(sizes)}`);
    const t = performance.now();
    const cpu = ctx.cpu();
    let row;
    try {
      row = await run(ctx, sizes);
    } catch (err) {
      log(`${id} failed: ${err.stack ?? err}`);
      row = { id, figure: id, target: '', measured: `error: ${err.message.split('\n')[0].slice(0, 120)}`, baseline: '', pass: false, error: String(err.stack ?? err) };
    }
    row.took_ms = Math.round(performance.now() - t);
    row.cpu = cpu.finish();
    row.sizes = sizes;
    rows.push(row);
    log(`${id}: ${row.measured} — ${row.error ? 'ERROR' : row.pass ? 'pass' : 'FAIL'} (${Math.round(row.took_ms / 1000)} s)`);
  }
} catch (err) {
  log(`the bench could not run: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await stopAll(cleanups);
}

if (rows.length > 0) {
  const finishedAt = new Date();
  const report = { started_at: startedAt.toISOString(), finished_at: finishedAt.toISOString(), scale: options.scale, machine, results: rows };
  const file = writeResults(path.join(BENCH_DIR, 'results'), report);
  process.stdout.write(`\nBaton benchmark, scale ${options.scale}, ${startedAt.toISOString()}\n`);
  process.stdout.write(`Machine: ${machineLine(machine)}\n\n${renderTable(rows)}\n\n`);
  for (const row of rows) {
    const other = row.cpu?.other_cpu_s ?? 0;
    if (other > 0.1 * (row.cpu?.machine_busy_cpu_s ?? 0) && other > 2) {
      process.stdout.write(`Note: other processes on this machine used ${other} CPU-s of ${row.cpu.machine_busy_cpu_s} during ${row.id}: its figures are pessimistic.\n`);
    }
  }
  process.stdout.write(`Total ${Math.round((finishedAt - startedAt) / 1000)} s. Results: ${path.relative(process.cwd(), file)}\n`);
  if (rows.some((r) => r.error)) process.exitCode = 1;
}
