// The embedded Temporal: the CLI's dev server on a SQLite file in the data dir, with the Web UI
// and Baton's search attributes. The one Baton starts (or adopts) it supervises
// (dev-server-supervisor.ts); the data dir's server is shared by its Baton sessions, and the last
// one out stops it (dev-server-share.ts); another program's is only reused; a lock keeps two Baton
// processes from starting two (docs/ARCHITECTURE.md).
import { createServer, type AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { BATON_SEARCH_ATTRIBUTE_NAMES, BATON_SEARCH_ATTRIBUTE_TYPE } from '../domain/search-attributes.js';
import { describePortOwner, isRecordedServer, isSameProcess, readState, withDevServerLock, type InternalPorts } from './dev-server-owner.js';
import { launchedFromState, SharedDevServer, type ShareContext } from './dev-server-share.js';
import { canListen, launchDevServer, type LaunchSpec } from './dev-server-supervisor.js';
import { registerUser } from './dev-server-users.js';
import { ensureTemporalCli } from './ensure-cli.js';

export type { InternalPorts } from './dev-server-owner.js';

export interface DevServerOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  /** Bound address; loopback unless a test or a container needs otherwise. */
  ip?: string;
  /** Extra `--dynamic-config-value KEY=VALUE` settings (tests lower history limits with these). */
  dynamicConfig?: Record<string, unknown>;
  log: (line: string) => void;
}

export interface DevServer {
  address: string;
  /** The guarded Web UI (ui-guard.ts): what the user opens. */
  uiUrl: string;
  /** The ports the dev server opens besides gRPC (null for a server Baton did not start). */
  ports: InternalPorts | null;
  dbFile: string;
  /** True while this process supervises the server (it started, adopted or took it over): it restarts it. */
  readonly owned: boolean;
  /** The current server's process group leader (changes when it is restarted). */
  readonly pid: number | null;
  /**
   * This session leaves the data dir's server: the last session out stops it; a supervising one
   * leaves it to the sessions that remain. Another program's server is left alone.
   */
  stop(): Promise<void>;
}

/*
 * The dev server's own HTTP ports (InternalPorts), none of them for a browser: the real Web UI
 * and the metrics endpoint on ports browsers refuse to connect to, the HTTP API on a port that
 * answers only a Host no browser can send (Baton uses gRPC; the Web UI reaches it over gRPC too).
 */

/**
 * Ports that every browser refuses to fetch from (the Fetch standard's "bad ports"), above 1024:
 * a page, even one that rebinds its name to 127.0.0.1, cannot reach a server on them.
 */
export const BROWSER_BLOCKED_PORTS = [6666, 6667, 6668, 6669, 6665, 6679, 6697, 4190, 4045, 3659, 2049, 1719, 1720, 1723, 5060, 5061, 6566, 10080, 6000];

/** The only Host the dev server's HTTP API answers: a name under .invalid, which never resolves, so no browser can send it. */
export const HTTP_API_HOST = 'baton-http-api-disabled.invalid';

const READY_TIMEOUT_MS = 60_000;

/**
 * The dev server's task queues read at once (docs/PERFORMANCE.md). Temporal reads each history
 * shard's transfer, timer and visibility queues at most 20 times a second by default: right for a
 * cluster of many shards, but the dev server has one shard, so every workflow and activity task
 * waited 25-50 ms in history before matching saw it, five times or more per run. Eager activity
 * execution hands a workflow's `runAgent` to the worker that scheduled it in the same round trip,
 * when that worker has a free slot; the others still go through matching.
 */
export const LOW_LATENCY_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'history.visibilityProcessorMaxPollRPS': 1000,
  'system.enableActivityEagerExecution': true,
};

export function devServerArgs(opts: DevServerOptions, dbFile: string, ports: InternalPorts = { ui: opts.uiPort, http: 0, metrics: 0 }): string[] {
  const args = ['server', 'start-dev', '--db-filename', dbFile, '--ip', opts.ip ?? '127.0.0.1'];
  args.push('--port', String(opts.port), '--ui-ip', '127.0.0.1', '--ui-port', String(ports.ui));
  if (ports.http) args.push('--http-port', String(ports.http));
  if (ports.metrics) args.push('--metrics-port', String(ports.metrics));
  for (const name of BATON_SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=${BATON_SEARCH_ATTRIBUTE_TYPE}`);
  const dynamicConfig = { 'frontend.httpAllowedHosts': [HTTP_API_HOST], ...LOW_LATENCY_DYNAMIC_CONFIG, ...opts.dynamicConfig };
  for (const [key, value] of Object.entries(dynamicConfig)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  return args;
}

export async function startOrReuseDevServer(opts: DevServerOptions): Promise<DevServer> {
  const dir = path.join(opts.dataDir, 'temporal');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Registered before the lock: a supervising session that is leaving meanwhile (it holds the
  // lock) then counts this one and leaves the server running for it instead of stopping it.
  const unregister = await registerUser(dir);
  let spec: Promise<LaunchSpec> | null = null;
  const ctx: ShareContext = { dataDir: opts.dataDir, dir, say: opts.log, unregister, spec: () => (spec ??= launchSpec(opts, dir)) };
  try {
    return await withDevServerLock(dir, async () => (await reuse(opts, ctx)) ?? (await start(opts, ctx)));
  } catch (err) {
    await unregister();
    throw err;
  }
}

/**
 * The dev server this data dir records, or any Temporal answering on the configured port. One
 * whose supervising Baton is gone (killed, or it left it to the sessions that remain) belongs to
 * this data dir: it is adopted, and supervised like one this process started. Anyone else's is
 * only used.
 */
async function reuse(opts: DevServerOptions, ctx: ShareContext): Promise<DevServer | null> {
  const state = await readState(ctx.dir);
  const ip = opts.ip ?? '127.0.0.1';
  if (state && (await isRecordedServer(state)) && (await waitUntilAnswering(state.address, 15_000))) {
    const shared = new SharedDevServer(ctx, state.address, state.uiUrl, state.ports ?? null, state.dbFile, state.pid);
    if (state.ownerPid !== process.pid && (await isSameProcess(state.ownerPid, state.ownerStartTime))) {
      opts.log(
        `reusing the Temporal dev server of this data directory at ${state.address} (pid ${state.pid}); Baton process ${state.ownerPid} supervises it, so this one waits for it when it is away, and takes it over if that process goes first`,
      );
      return shared;
    }
    opts.log(
      `adopting the Temporal dev server at ${state.address} (pid ${state.pid}) that an earlier Baton left running on this data directory: this one now restarts it if it stops, and stops it when it is the last Baton session out`,
    );
    await shared.supervise(await ctx.spec(), launchedFromState(state));
    return shared;
  }
  const address = `${ip}:${opts.port}`;
  if (!(await answers(address))) return null;
  // Not this data dir's: nothing to hand over or stop, so this process is no user of it.
  await ctx.unregister();
  const whose = await describePortOwner(opts.port, opts.dataDir);
  opts.log(`reusing the Temporal server already running at ${address}: ${whose}; Baton did not start it, so it neither restarts nor stops it, and waits for it when it is away`);
  return { address, uiUrl: `http://${ip}:${opts.uiPort}`, ports: null, dbFile: "(not Baton's)", owned: false, pid: null, stop: async () => undefined };
}

async function launchSpec(opts: DevServerOptions, dir: string): Promise<LaunchSpec> {
  const cli = await ensureTemporalCli({ log: opts.log });
  const dbFile = path.join(dir, 'baton.db');
  return {
    cliPath: cli.path,
    args: (ports) => devServerArgs(opts, dbFile, ports),
    ip: opts.ip ?? '127.0.0.1',
    port: opts.port,
    uiPort: opts.uiPort,
    dataDir: opts.dataDir,
    dir,
    dbFile,
    pickPorts: pickInternalPorts,
    waitUntilAnswering: (address) => waitUntilAnswering(address),
  };
}

async function start(opts: DevServerOptions, ctx: ShareContext): Promise<DevServer> {
  const spec = await ctx.spec();
  const launched = await launchWithFreshPorts(spec).catch((err: unknown) => {
    throw new Error(`the Temporal dev server (${spec.cliPath}) did not start on ${spec.ip}:${spec.port}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const server = new SharedDevServer(ctx, `${spec.ip}:${spec.port}`, `http://${spec.ip}:${opts.uiPort}`, launched.ports, spec.dbFile, launched.pid);
  await server.supervise(spec, launched);
  opts.log(`started the Temporal dev server at ${server.address} (SQLite ${spec.dbFile}, pid ${launched.pid})`);
  return server;
}

/**
 * Two dev servers starting at once (two data dirs, tests in parallel) can both find the same
 * browser-refused port free and race to bind it: the one that loses picks its internal ports again.
 * The ports the user chose are not retried: taken, they are the user's to free.
 */
async function launchWithFreshPorts(spec: LaunchSpec): Promise<Awaited<ReturnType<typeof launchDevServer>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchDevServer(spec);
    } catch (err) {
      const taken = Number(/port (\d+) is taken/.exec(err instanceof Error ? err.message : '')?.[1]);
      if (attempt >= 3 || !taken || taken === spec.port || taken === spec.uiPort) throw err;
    }
  }
}

/** The internal ports again when they are still free (a restart), else fresh ones. */
async function pickInternalPorts(previous?: InternalPorts): Promise<InternalPorts> {
  if (previous && previous.ui && (await canListen(previous.ui)) && (await canListen(previous.http)) && (await canListen(previous.metrics))) return previous;
  const ports: InternalPorts = { ui: await blockedPort([]), http: await freePort(), metrics: 0 };
  ports.metrics = await blockedPort([ports.ui]);
  return ports;
}

/** A free port on loopback that browsers will not connect to, other than `taken`. */
async function blockedPort(taken: number[]): Promise<number> {
  for (const port of BROWSER_BLOCKED_PORTS) {
    if (!taken.includes(port) && (await canListen(port))) return port;
  }
  throw new Error(`ports ${BROWSER_BLOCKED_PORTS.join(', ')} are all in use: the dev server's Web UI and metrics need one each where no browser can reach them`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function answers(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.withDeadline(Date.now() + 2000, () => connection!.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

async function waitUntilAnswering(address: string, timeoutMs = READY_TIMEOUT_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answers(address)) return true;
    await delay(200);
  }
  return false;
}
