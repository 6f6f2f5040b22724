// Who a dev server belongs to. The data dir records the dev server Baton started for it
// (dev-server.json: its pid, start time and ports, and the Baton process that supervises it), so a
// later Baton can tell a server this data dir owns (left by a Baton that crashed: adopt it) from
// one another Baton supervises (reuse it, wait for it) and from anyone else's (leave it alone, and
// say whose). A pid alone is not proof: the kernel reuses pids, so the start time and the command
// line (the UI guard running `temporal server start-dev --db-filename <this db>`) must match too.
import { readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { readProcStat } from '../activities/processes.js';

export interface InternalPorts {
  ui: number;
  http: number;
  metrics: number;
}

export interface DevServerState {
  /** The UI guard: the dev server's parent and the leader of its process group. */
  pid: number;
  /** Its start time in clock ticks after boot (guards against a reused pid); absent before 0.3. */
  startTime?: number;
  address: string;
  uiUrl: string;
  dbFile: string;
  ports?: InternalPorts;
  /** The Baton process that supervises the server, and its start time. */
  ownerPid?: number;
  ownerStartTime?: number;
  /** Set, with no owner, by a supervising Baton that left the server to the sessions that remain. */
  handedOverBy?: number;
}

const STATE_FILE = 'dev-server.json';

/** Runs `work` holding the data dir's dev server lock: one Baton at a time decides, starts or restarts. */
export async function withDevServerLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const release = await lockfile.lock(dir, {
    lockfilePath: path.join(dir, 'dev-server.lock'),
    realpath: false,
    stale: 15_000,
    retries: { retries: 120, minTimeout: 250, maxTimeout: 1000 },
  });
  try {
    return await work();
  } finally {
    await release();
  }
}

export async function readState(dir: string): Promise<DevServerState | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as DevServerState;
  } catch {
    return null;
  }
}

/**
 * Written whole or not at all (a temp file renamed over it): another Baton session on this data
 * directory reads it at any moment to decide whose server this is, and a half-written record
 * would read as none.
 */
export async function writeState(dir: string, state: DevServerState): Promise<void> {
  const temp = path.join(dir, `${STATE_FILE}.${process.pid}.tmp`);
  await writeFile(temp, JSON.stringify(state, null, 2));
  await rename(temp, path.join(dir, STATE_FILE));
}

export async function removeState(dir: string): Promise<void> {
  await rm(path.join(dir, STATE_FILE), { force: true });
}

/** This process as an owner: pid and start time, so a reused pid is never taken for it. */
export async function selfAsOwner(): Promise<{ ownerPid: number; ownerStartTime?: number }> {
  const stat = await readProcStat(process.pid);
  return { ownerPid: process.pid, ...(stat ? { ownerStartTime: stat.startTime } : {}) };
}

export async function processStartTime(pid: number): Promise<number | null> {
  const stat = await readProcStat(pid);
  return stat && stat.state !== 'Z' ? stat.startTime : null;
}

/** True while `pid` is the very process recorded (same start time when one was recorded). */
export async function isSameProcess(pid: number | undefined, startTime: number | undefined): Promise<boolean> {
  if (!pid) return false;
  const now = await processStartTime(pid);
  return now !== null && (startTime === undefined || now === startTime);
}

export async function commandLine(pid: number): Promise<string[] | null> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

/** The dev server the state file records, still running as recorded, serving this data dir's database. */
export async function isRecordedServer(state: DevServerState): Promise<boolean> {
  if (!(await isSameProcess(state.pid, state.startTime))) return false;
  const argv = await commandLine(state.pid);
  if (!argv) return false;
  const db = argv.indexOf('--db-filename');
  return argv.some((a) => a.endsWith('ui-guard.js')) && db > 0 && argv[db + 1] === state.dbFile;
}

/** The pid listening on a TCP port on this machine, when /proc tells (null when another user's or none). */
export async function portListener(port: number): Promise<number | null> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the socket's inode.
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port) inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1])) return Number(entry);
    }
  }
  return null;
}

/** One phrase saying whose the process listening on `port` is, for a person deciding what to do. */
export async function describePortOwner(port: number, dataDir: string): Promise<string> {
  const pid = await portListener(port);
  if (pid === null) return "a process this user cannot see (another user's, or a container)";
  const argv = (await commandLine(pid)) ?? [];
  const db = argv.indexOf('--db-filename');
  if (argv.includes('start-dev') && db >= 0) {
    const file = argv[db + 1] ?? '?';
    const mine = path.dirname(path.dirname(file)) === dataDir;
    return mine
      ? `a Temporal dev server on this data directory's database (pid ${pid}) that Baton has no record of`
      : `a Temporal dev server of another data directory (pid ${pid}, database ${file})`;
  }
  if (argv.includes('start-dev')) return `a Temporal dev server that is not Baton's (pid ${pid}, in memory)`;
  return `another program (pid ${pid}: ${argv.join(' ').replace(/\s+/g, ' ').slice(0, 120) || 'unknown'})`;
}
