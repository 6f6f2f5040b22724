// The embedded Temporal: the CLI's dev server on a SQLite file in the data dir, with the Web UI
// and Baton's search attributes. A running one (ours or the user's) is reused; a lock keeps two
// Baton processes from starting two (DESIGN.md §3).
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import lockfile from 'proper-lockfile';
import { BATON_SEARCH_ATTRIBUTE_NAMES, BATON_SEARCH_ATTRIBUTE_TYPE } from '../domain/search-attributes.js';
import { ensureTemporalCli, packageRoot } from './ensure-cli.js';

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
  /** True when this process started the server (and so stops it). */
  owned: boolean;
  pid: number | null;
  stop(): Promise<void>;
}

interface DevServerState {
  pid: number;
  address: string;
  uiUrl: string;
  dbFile: string;
  ports?: InternalPorts;
}

/**
 * The dev server's own HTTP ports, none of them for a browser: the real Web UI and the metrics
 * endpoint on ports browsers refuse to connect to, the HTTP API on a port that answers only a
 * Host no browser can send (Baton uses gRPC; the Web UI reaches the server over gRPC too).
 */
export interface InternalPorts {
  ui: number;
  http: number;
  metrics: number;
}

/**
 * Ports that every browser refuses to fetch from (the Fetch standard's "bad ports"), above 1024:
 * a page, even one that rebinds its name to 127.0.0.1, cannot reach a server on them.
 */
export const BROWSER_BLOCKED_PORTS = [6666, 6667, 6668, 6669, 6665, 6679, 6697, 4190, 4045, 3659, 2049, 1719, 1720, 1723, 5060, 5061, 6566, 10080, 6000];

/** The only Host the dev server's HTTP API answers: a name under .invalid, which never resolves, so no browser can send it. */
export const HTTP_API_HOST = 'baton-http-api-disabled.invalid';

const READY_TIMEOUT_MS = 60_000;

export function devServerArgs(opts: DevServerOptions, dbFile: string, ports: InternalPorts = { ui: opts.uiPort, http: 0, metrics: 0 }): string[] {
  const args = ['server', 'start-dev', '--db-filename', dbFile, '--ip', opts.ip ?? '127.0.0.1'];
  args.push('--port', String(opts.port), '--ui-ip', '127.0.0.1', '--ui-port', String(ports.ui));
  if (ports.http) args.push('--http-port', String(ports.http));
  if (ports.metrics) args.push('--metrics-port', String(ports.metrics));
  for (const name of BATON_SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=${BATON_SEARCH_ATTRIBUTE_TYPE}`);
  const dynamicConfig = { 'frontend.httpAllowedHosts': [HTTP_API_HOST], ...opts.dynamicConfig };
  for (const [key, value] of Object.entries(dynamicConfig)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  return args;
}

export async function startOrReuseDevServer(opts: DevServerOptions): Promise<DevServer> {
  const dir = path.join(opts.dataDir, 'temporal');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const release = await lockfile.lock(dir, {
    lockfilePath: path.join(dir, 'dev-server.lock'),
    realpath: false,
    stale: 15_000,
    retries: { retries: 120, minTimeout: 250, maxTimeout: 1000 },
  });
  try {
    return (await reuse(opts, dir)) ?? (await start(opts, dir));
  } finally {
    await release();
  }
}

/** A dev server this data dir already runs, or any Temporal answering on the configured port. */
async function reuse(opts: DevServerOptions, dir: string): Promise<DevServer | null> {
  const state = await readState(dir);
  const ip = opts.ip ?? '127.0.0.1';
  const candidates = [state?.address, `${ip}:${opts.port}`].filter((a): a is string => Boolean(a));
  for (const address of candidates) {
    if (!(await answers(address))) continue;
    const mine = state?.address === address;
    opts.log(`reusing the Temporal server already running at ${address}${mine ? ` (pid ${state.pid})` : ''}`);
    return {
      address,
      uiUrl: mine ? state.uiUrl : `http://${ip}:${opts.uiPort}`,
      ports: mine ? (state.ports ?? null) : null,
      dbFile: mine ? state.dbFile : '(not Baton\'s)',
      owned: false,
      pid: mine ? state.pid : null,
      stop: async () => undefined,
    };
  }
  return null;
}

async function start(opts: DevServerOptions, dir: string): Promise<DevServer> {
  const cli = await ensureTemporalCli({ log: opts.log });
  const dbFile = path.join(dir, 'baton.db');
  const logFile = path.join(dir, 'dev-server.log');
  const ip = opts.ip ?? '127.0.0.1';
  const ports: InternalPorts = { ui: await blockedPort([]), http: await freePort(), metrics: 0 };
  ports.metrics = await blockedPort([ports.ui]);
  const out = await open(logFile, 'a');
  // Its own process group: a Ctrl-C in the terminal must not stop it before the worker has
  // handed its activities back; Baton stops it itself, last. The UI guard is the group's leader
  // and the dev server its child, so both live and stop together.
  const guard = path.join(packageRoot(), 'dist', 'temporal', 'ui-guard.js');
  const child = spawn(process.execPath, [guard, ip, String(opts.uiPort), String(ports.ui), '--', cli.path, ...devServerArgs(opts, dbFile, ports)], {
    detached: true,
    stdio: ['ignore', out.fd, out.fd],
  });
  await out.close();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.unref();
  const address = `${ip}:${opts.port}`;
  const uiUrl = `http://${ip}:${opts.uiPort}`;
  const ready = await Promise.race([waitUntilAnswering(address), exited.then(() => false)]);
  if (!ready) {
    child.kill('SIGKILL');
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
    throw new Error(`the Temporal dev server (${cli.path}) did not start on ${address}; last lines of ${logFile}:\n${tail}`);
  }
  const state: DevServerState = { pid: child.pid!, address, uiUrl, dbFile, ports };
  await writeFile(path.join(dir, 'dev-server.json'), JSON.stringify(state, null, 2));
  opts.log(`started the Temporal dev server at ${address} (SQLite ${dbFile}, pid ${child.pid})`);
  return { address, uiUrl, ports, dbFile, owned: true, pid: child.pid!, stop: () => stopServer(child.pid!, dir, exited) };
}

/** A free port on loopback that browsers will not connect to, other than `taken`. */
async function blockedPort(taken: number[]): Promise<number> {
  for (const port of BROWSER_BLOCKED_PORTS) {
    if (!taken.includes(port) && (await canListen(port))) return port;
  }
  throw new Error(`ports ${BROWSER_BLOCKED_PORTS.join(', ')} are all in use: the dev server's Web UI and metrics need one each where no browser can reach them`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
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

async function stopServer(pid: number, dir: string, exited: Promise<unknown>): Promise<void> {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const timeout = new AbortController();
  const stopped = await Promise.race([
    exited.then(() => true),
    delay(15_000, false, { signal: timeout.signal }).catch(() => false),
  ]);
  timeout.abort();
  if (!stopped) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
  await rm(path.join(dir, 'dev-server.json'), { force: true });
}

async function readState(dir: string): Promise<DevServerState | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'dev-server.json'), 'utf8')) as DevServerState;
  } catch {
    return null;
  }
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

async function waitUntilAnswering(address: string): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await answers(address)) return true;
    await delay(200);
  }
  return false;
}
