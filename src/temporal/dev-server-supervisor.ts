// Keeps the dev server Baton owns running. A dev server that exits for any reason but Baton
// stopping it (the OOM killer, a stray kill -9) is started again on the same ports and database,
// after a back-off, with one line saying so; a start that fails says why (the port's owner, a
// locked or corrupt database) and what to do, and is tried again. Baton's data was never at risk
// in such an outage (agents write to files, runs re-attach): only this supervision was missing.
import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { packageRoot } from './ensure-cli.js';
import { reachability } from './reachability.js';
import {
  describePortOwner,
  isRecordedServer,
  isSameProcess,
  processStartTime,
  readState,
  selfAsOwner,
  withDevServerLock,
  writeState,
  type DevServerState,
  type InternalPorts,
} from './dev-server-owner.js';

export interface LaunchSpec {
  cliPath: string;
  /** The dev server's arguments for the given internal ports. */
  args: (ports: InternalPorts) => string[];
  ip: string;
  port: number;
  uiPort: number;
  dataDir: string;
  /** <data dir>/temporal: the database, its log and the state file. */
  dir: string;
  dbFile: string;
  pickPorts: (previous?: InternalPorts) => Promise<InternalPorts>;
  waitUntilAnswering: (address: string) => Promise<boolean>;
}

/** One running dev server process group: its leader (the UI guard) and how it ended. */
export interface Launched {
  pid: number;
  startTime: number | undefined;
  ports: InternalPorts;
  /** Resolves with how the process ended (an exit code or a signal). */
  exited: Promise<string>;
}

const BACKOFF_MS = { first: 500, max: 5_000 };
/** A server that stayed up this long starts the back-off afresh on its next exit. */
const STABLE_MS = 10_000;

export function canListen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Starts the dev server under its UI guard and waits until it answers; throws with the precise reason when it cannot. */
export async function launchDevServer(spec: LaunchSpec, previous?: InternalPorts): Promise<Launched> {
  for (const [port, name] of [
    [spec.port, 'BATON_TEMPORAL_PORT'],
    [spec.uiPort, 'BATON_TEMPORAL_UI_PORT'],
  ] as const) {
    if (!(await canListen(port, spec.ip))) {
      throw new Error(`port ${port} is taken by ${await describePortOwner(port, spec.dataDir)}: stop it, or set ${name} to a free port`);
    }
  }
  const ports = await spec.pickPorts(previous);
  const logFile = path.join(spec.dir, 'dev-server.log');
  const out = await open(logFile, 'a');
  const logStart = (await out.stat()).size;
  // Its own process group: a Ctrl-C in the terminal must not stop it before the worker has
  // handed its activities back; Baton stops it itself, last. The UI guard is the group's leader
  // and the dev server its child, so both live and stop together.
  const guard = path.join(packageRoot(), 'dist', 'temporal', 'ui-guard.js');
  const child = spawn(process.execPath, [guard, spec.ip, String(spec.uiPort), String(ports.ui), '--', spec.cliPath, ...spec.args(ports)], {
    detached: true,
    stdio: ['ignore', out.fd, out.fd],
  });
  await out.close();
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`)));
  child.unref();
  const address = `${spec.ip}:${spec.port}`;
  const ready = await Promise.race([spec.waitUntilAnswering(address), exited.then(() => false)]);
  if (!ready) {
    killGroup(child.pid!, 'SIGKILL');
    const text = (await readFile(logFile, 'utf8').catch(() => '')).slice(logStart);
    throw new Error(await startFailure(text, spec, logFile));
  }
  return { pid: child.pid!, startTime: (await processStartTime(child.pid!)) ?? undefined, ports, exited };
}

/** What the dev server's own log says went wrong, as a cause and a remedy. */
async function startFailure(log: string, spec: LaunchSpec, logFile: string): Promise<string> {
  const dbFile = spec.dbFile;
  // One of its own ports (taken between the check and the bind, by another program): named, and
  // the next attempt picks other internal ports.
  const bind = /listen tcp [^ ]*?:(\d+): bind: address already in use/i.exec(log);
  if (bind) return `port ${bind[1]} is taken by ${await describePortOwner(Number(bind[1]), spec.dataDir)}`;
  if (/database is locked|SQLITE_BUSY/i.test(log)) {
    return `the database ${dbFile} is locked by another process (another dev server on it?): stop that process, then start Baton again`;
  }
  if (/malformed|not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(log)) {
    return `the database ${dbFile} is corrupt: move it aside (the runs recorded in it are lost) and start Baton again`;
  }
  if (/address already in use/i.test(log)) return `a port it needs is in use; see ${logFile}`;
  const tail = log.trim().split('\n').slice(-5).join('\n');
  return `the Temporal dev server did not start; last lines of ${logFile}:\n${tail}`;
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** For a server this process did not spawn (adopted): its exit, seen by polling /proc. */
export function watchExit(pid: number, startTime: number | undefined): Promise<string> {
  return (async () => {
    while (await isSameProcess(pid, startTime)) await delay(500);
    return 'it exited';
  })();
}

export class DevServerSupervisor {
  private stopping = false;
  /** A restart under way: stop() waits for it, so the server it brings up is stopped too. */
  private launching: Promise<unknown> | null = null;
  private wake = new AbortController();
  /** Another Baton supervises the server now: this one neither restarts nor stops it. */
  private handedOver = false;

  constructor(
    private readonly spec: LaunchSpec,
    private current: Launched,
    private readonly say: (line: string) => void,
    private readonly uiUrl: string,
  ) {
    void this.watch();
  }

  get pid(): number {
    return this.current.pid;
  }

  private async watch(): Promise<void> {
    let backoff = BACKOFF_MS.first;
    while (!this.stopping) {
      const since = Date.now();
      const how = await this.current.exited;
      if (this.stopping) return;
      // Tool calls fail at once from now on, not after the SDK's retries find out.
      reachability.markDown(`the dev server stopped: ${how}`, true);
      // What is left of the group (the server itself, when only its guard was killed) holds the ports.
      killGroup(this.current.pid, 'SIGKILL');
      if (Date.now() - since > STABLE_MS) backoff = BACKOFF_MS.first;
      const address = `${this.spec.ip}:${this.spec.port}`;
      let lastFailure = '';
      this.say(
        `the Temporal dev server (pid ${this.current.pid}) stopped (${how}); restarting it at ${address} on ${this.spec.dbFile} in ${(backoff / 1000).toFixed(1)} s; tool calls fail at once until it is back, runs and agents go on`,
      );
      for (;;) {
        await delay(backoff, undefined, { signal: this.wake.signal }).catch(() => undefined);
        if (this.stopping) return;
        backoff = Math.min(backoff * 2, BACKOFF_MS.max);
        const startedAt = Date.now();
        try {
          // Under the data dir's lock, as a Baton starting meanwhile takes it: the two never start
          // two servers, and one that a newcomer started first is its to supervise.
          const launching = withDevServerLock(this.spec.dir, async () => {
            const other = await readState(this.spec.dir);
            if (other && other.ownerPid !== process.pid && (await isSameProcess(other.ownerPid, other.ownerStartTime)) && (await isRecordedServer(other))) return other;
            const launched = await launchDevServer(this.spec, this.current.ports);
            this.current = launched;
            await this.record();
            return null;
          });
          this.launching = launching;
          const handedTo = await launching;
          this.launching = null;
          if (handedTo) {
            this.handedOver = true;
            // Tool calls say this process waits for it; it takes over again if that Baton goes (dev-server-share.ts).
            reachability.setRestartedByBaton(false);
            this.say(
              `Baton process ${handedTo.ownerPid} started the Temporal dev server of this data directory meanwhile (pid ${handedTo.pid}); it supervises it now, this one waits for it`,
            );
            return;
          }
          reachability.probeNow();
          this.say(`the Temporal dev server is back at ${address} (pid ${this.current.pid}), started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
          break;
        } catch (err) {
          this.launching = null;
          if (this.stopping) return;
          // The same reason again is not news: said once, retried quietly every few seconds.
          const reason = err instanceof Error ? err.message : String(err);
          if (reason !== lastFailure) this.say(`cannot restart the Temporal dev server: ${reason}; Baton tries again every ${BACKOFF_MS.max / 1000} s at most`);
          lastFailure = reason;
        }
      }
    }
  }

  /** Writes the state file: this server, owned by this process. */
  async record(): Promise<void> {
    const state: DevServerState = {
      pid: this.current.pid,
      ...(this.current.startTime !== undefined ? { startTime: this.current.startTime } : {}),
      address: `${this.spec.ip}:${this.spec.port}`,
      uiUrl: this.uiUrl,
      dbFile: this.spec.dbFile,
      ports: this.current.ports,
      ...(await selfAsOwner()),
    };
    await writeState(this.spec.dir, state);
  }

  /** True once another Baton supervises the server (it started one while this one was restarting). */
  get isHandedOver(): boolean {
    return this.handedOver;
  }

  /** The server as this supervisor last started or adopted it. */
  get launched(): Launched {
    return this.current;
  }

  /**
   * Stops supervising and leaves the server running: the caller then stops it (the last Baton
   * session out) or hands it over to a session that remains (dev-server-share.ts).
   */
  async release(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    await this.launching?.catch(() => undefined);
  }
}

/** Stops a dev server's group: SIGTERM, SIGKILL after 15 s; at once when it is gone already. */
export async function stopLaunched(launched: Launched): Promise<void> {
  const { pid, exited } = launched;
  if (!(await isSameProcess(pid, launched.startTime))) {
    killGroup(pid, 'SIGKILL'); // what may be left of its group still holds the ports
    return;
  }
  killGroup(pid, 'SIGTERM');
  const timeout = new AbortController(); // a pending timer would hold the process open
  const stopped = await Promise.race([exited.then(() => true), delay(15_000, false, { signal: timeout.signal }).catch(() => false)]);
  timeout.abort();
  if (!stopped) {
    killGroup(pid, 'SIGKILL');
    await exited;
  }
}
