// The embedded Temporal: the CLI's dev server on a SQLite file in the data dir, with the Web UI
// and Baton's search attributes. A running one (ours or the user's) is reused; a lock keeps two
// Baton processes from starting two (DESIGN.md §3).
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import lockfile from 'proper-lockfile';
import { BATON_SEARCH_ATTRIBUTE_NAMES, BATON_SEARCH_ATTRIBUTE_TYPE } from '../domain/search-attributes.js';
import { ensureTemporalCli } from './ensure-cli.js';

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
  uiUrl: string;
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
}

const READY_TIMEOUT_MS = 60_000;

export function devServerArgs(opts: DevServerOptions, dbFile: string): string[] {
  const args = ['server', 'start-dev', '--db-filename', dbFile, '--ip', opts.ip ?? '127.0.0.1'];
  args.push('--port', String(opts.port), '--ui-port', String(opts.uiPort));
  for (const name of BATON_SEARCH_ATTRIBUTE_NAMES) args.push('--search-attribute', `${name}=${BATON_SEARCH_ATTRIBUTE_TYPE}`);
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
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
  const out = await open(logFile, 'a');
  // Its own process group: a Ctrl-C in the terminal must not stop it before the worker has
  // handed its activities back; Baton stops it itself, last.
  const child = spawn(cli.path, devServerArgs(opts, dbFile), { detached: true, stdio: ['ignore', out.fd, out.fd] });
  await out.close();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.unref();
  const address = `${opts.ip ?? '127.0.0.1'}:${opts.port}`;
  const uiUrl = `http://${opts.ip ?? '127.0.0.1'}:${opts.uiPort}`;
  const ready = await Promise.race([waitUntilAnswering(address), exited.then(() => false)]);
  if (!ready) {
    child.kill('SIGKILL');
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
    throw new Error(`the Temporal dev server (${cli.path}) did not start on ${address}; last lines of ${logFile}:\n${tail}`);
  }
  const state: DevServerState = { pid: child.pid!, address, uiUrl, dbFile };
  await writeFile(path.join(dir, 'dev-server.json'), JSON.stringify(state, null, 2));
  opts.log(`started the Temporal dev server at ${address} (SQLite ${dbFile}, pid ${child.pid})`);
  return { address, uiUrl, dbFile, owned: true, pid: child.pid!, stop: () => stopServer(child.pid!, dir, exited) };
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
