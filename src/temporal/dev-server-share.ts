// One data dir's dev server, shared by every Baton session on it (`baton dev`, each stdio
// `baton mcp`, a local `baton worker`): one of them supervises it (restarts it when it dies), the
// others use it and watch the ownership record. The last session out stops the server; a
// supervising session that leaves while others remain hands it over instead (the record then names
// no owner), and one of those takes it over, as it does when the supervisor was killed (its pid is
// dead). Deciding happens under the data dir's lock, so two sessions never both take over, and a
// session leaving never stops a server another one has just started to use (docs/ARCHITECTURE.md).
import { setTimeout as delay } from 'node:timers/promises';
import { isRecordedServer, isSameProcess, readState, removeState, withDevServerLock, writeState, type DevServerState, type InternalPorts } from './dev-server-owner.js';
import { DevServerSupervisor, stopLaunched, watchExit, type LaunchSpec, type Launched } from './dev-server-supervisor.js';
import { otherLiveUsers } from './dev-server-users.js';
import { reachability } from './reachability.js';

/** How often a session that does not supervise the server reads the ownership record. */
const WATCH_MS = 1000;

export interface ShareContext {
  dataDir: string;
  /** <data dir>/temporal: the record, the lock, the users. */
  dir: string;
  say: (line: string) => void;
  /** What a restart needs (resolved only when this session supervises). */
  spec: () => Promise<LaunchSpec>;
  unregister: () => Promise<void>;
}

/** The server as the record describes it, for a session that adopts it (it did not spawn it). */
export function launchedFromState(state: DevServerState): Launched {
  return { pid: state.pid, startTime: state.startTime, ports: state.ports ?? { ui: 0, http: 0, metrics: 0 }, exited: watchExit(state.pid, state.startTime) };
}

export class SharedDevServer {
  private supervisor: DevServerSupervisor | null = null;
  private leaving = false;
  private readonly wake = new AbortController();
  private taking: Promise<void> | null = null;
  private readonly watching: Promise<void>;

  constructor(
    private readonly ctx: ShareContext,
    readonly address: string,
    readonly uiUrl: string,
    readonly ports: InternalPorts | null,
    readonly dbFile: string,
    private readonly usedPid: number,
  ) {
    this.watching = this.watch();
  }

  /** Starts supervising `launched` (started or adopted by this session) and records it as this session's. */
  async supervise(spec: LaunchSpec, launched: Launched): Promise<void> {
    this.supervisor = new DevServerSupervisor(spec, launched, this.ctx.say, this.uiUrl);
    await this.supervisor.record();
  }

  /** True while this session supervises the server: it restarts it, and decides its end. */
  get owned(): boolean {
    return this.supervisor !== null && !this.supervisor.isHandedOver;
  }

  get pid(): number | null {
    return this.owned ? this.supervisor!.pid : this.usedPid;
  }

  /** Notices that the supervising session is gone (killed, or left it to the others) and takes over. */
  private async watch(): Promise<void> {
    while (!this.leaving) {
      // Unref'd: this watch alone must not keep a session's process alive (one whose boot failed).
      await delay(WATCH_MS, undefined, { signal: this.wake.signal, ref: false }).catch(() => undefined);
      if (this.leaving || this.owned) continue;
      const state = await readState(this.ctx.dir);
      if (!state || state.ownerPid === process.pid || (await isSameProcess(state.ownerPid, state.ownerStartTime))) continue;
      this.taking = this.takeOver().catch((err: unknown) => {
        this.ctx.say(`cannot take over the Temporal dev server of ${this.ctx.dataDir}: ${err instanceof Error ? err.message : String(err)}; trying again`);
      });
      await this.taking;
      this.taking = null;
    }
  }

  private async takeOver(): Promise<void> {
    const spec = await this.ctx.spec();
    await withDevServerLock(this.ctx.dir, async () => {
      // Read again under the lock: another session may have taken it over meanwhile.
      const state = await readState(this.ctx.dir);
      if (this.leaving || !state || (await isSameProcess(state.ownerPid, state.ownerStartTime))) return;
      this.ctx.say(`taking over the Temporal dev server of ${this.ctx.dataDir} from pid ${state.ownerPid ?? state.handedOverBy ?? '?'}: this session now restarts it if it stops`);
      // A server that died with its supervisor is restarted by the new one (its exit is seen at once).
      await this.supervise(spec, launchedFromState(state));
      reachability.setRestartedByBaton(true);
    });
  }

  /**
   * This session leaves: the last one out stops the server; while others remain, a supervising
   * session leaves it running for them, and one of them takes it over. Never throws.
   */
  async stop(): Promise<void> {
    this.leaving = true;
    this.wake.abort();
    await this.watching;
    await this.supervisor?.release();
    await withDevServerLock(this.ctx.dir, () => this.leave()).catch((err: unknown) => {
      this.ctx.say(`could not settle the Temporal dev server of ${this.ctx.dataDir} on leaving: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  private async leave(): Promise<void> {
    await this.ctx.unregister();
    const state = await readState(this.ctx.dir);
    if (!state) return;
    const mine = state.ownerPid === process.pid;
    // Another live session supervises it: the server is that session's to hand over or stop.
    if (!mine && (await isSameProcess(state.ownerPid, state.ownerStartTime))) return;
    const others = await otherLiveUsers(this.ctx.dir);
    if (others.length > 0) {
      const { ownerPid: _pid, ownerStartTime: _start, ...server } = state;
      await writeState(this.ctx.dir, { ...server, handedOverBy: process.pid });
      this.ctx.say(
        `leaving the Temporal dev server running for ${others.length} other Baton session${others.length === 1 ? '' : 's'} (pid ${others.join(', ')}); one of them takes it over`,
      );
      return;
    }
    if (await isRecordedServer(state)) {
      const own = mine && this.supervisor && this.supervisor.launched.pid === state.pid ? this.supervisor.launched : launchedFromState(state);
      await stopLaunched(own);
      this.ctx.say('stopped the Temporal dev server: no other Baton session uses it');
    }
    await removeState(this.ctx.dir);
  }
}
