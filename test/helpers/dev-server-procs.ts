// The processes of a dev server Baton started, seen from a test: its UI guard (the process group
// leader the data dir records) and the `temporal server start-dev` under it; and a port held by
// the test, so that an outage lasts as long as the test says.
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readProcStat } from '../../src/activities/processes.js';
import { waitFor } from './wait.js';

export interface RecordedServer {
  pid: number;
  address: string;
  ownerPid?: number;
}

export async function recordedServer(dataDir: string): Promise<RecordedServer | null> {
  return readFile(path.join(dataDir, 'temporal', 'dev-server.json'), 'utf8').then(
    (t) => JSON.parse(t) as RecordedServer,
    () => null,
  );
}

export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/** Live processes whose command line mentions `text` (a data dir: its dev server's database is in it). */
export async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (argv.includes(text) && (await isAlive(Number(entry)))) found.push(Number(entry));
  }
  return found;
}

/** The `temporal server start-dev` process: the UI guard's child. */
export async function temporalProcess(guardPid: number): Promise<number> {
  return waitFor(
    async () => {
      for (const entry of await readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === guardPid) return Number(entry);
      }
      return null;
    },
    { what: `the dev server under ${guardPid}` },
  );
}

/**
 * kill -9 of the dev server, as the OOM killer does, then the gRPC port held by this test (a
 * listener that drops every connection) until `release()`, so the outage lasts as long as the test wants.
 */
export async function killAndHoldPort(temporalPid: number, port: number): Promise<{ release(): Promise<void> }> {
  process.kill(temporalPid, 'SIGKILL');
  const server: Server = createServer((socket) => socket.destroy());
  for (let i = 0; ; i += 1) {
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) break;
    if (i > 400) throw new Error(`port ${port} never came free after the kill`);
    await delay(5);
  }
  return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** True once something accepts TCP connections on the port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}
