// Whether this process can reach its Temporal server right now, for the parts that must not wait
// on it: MCP tools answer at once with one clear error while it is away (instead of hanging in the
// SDK's retries or failing with "Failed to describe workflow"), and the log says "lost" once and
// "back" once instead of one line per gRPC retry of every poller (hundreds a minute).
import type { Connection } from '@temporalio/client';

type Say = (line: string) => void;

/** How often the server is asked whether it is there; more often while it is away, to notice it is back. */
const PROBE_UP_MS = 2000;
const PROBE_DOWN_MS = 500;
const PROBE_DEADLINE_MS = 5000;

export class Reachability {
  private down: { since: number; held: number } | null = null;
  private downWaiters = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private address = '';
  private restarting = false;
  private say: Say = () => undefined;

  /** The server this process uses, whether Baton restarts it when it goes, and where to say so. */
  configure(opts: { address: string; restartedByBaton: boolean; say: Say }): void {
    this.address = opts.address;
    this.restarting = opts.restartedByBaton;
    this.say = opts.say;
  }

  /** This process has taken over the dev server it used (its supervisor left or was killed). */
  setRestartedByBaton(restarting: boolean): void {
    this.restarting = restarting;
  }

  get isUp(): boolean {
    return this.down === null;
  }

  /** The error a tool call gets while the server is away; null while it is up. */
  problem(): string | null {
    if (!this.down) return null;
    return this.restarting
      ? `the Temporal server at ${this.address} is not reachable; Baton is restarting it. Your runs go on; call again in a few seconds`
      : `the Temporal server at ${this.address} is not reachable; Baton did not start it and is waiting for it to come back. Your runs go on; call again once it is back`;
  }

  /** Calls `wake` the next time the server is found away; returns how to stop listening. */
  onDown(wake: () => void): () => void {
    this.downWaiters.add(wake);
    return () => void this.downWaiters.delete(wake);
  }

  /** `quiet` when the caller has said it already (the supervisor's "restarting it" line). */
  markDown(reason: string, quiet = false): void {
    if (this.down || !this.address) return;
    this.down = { since: Date.now(), held: 0 };
    const action = this.restarting ? 'Baton is restarting it' : 'Baton waits for it (it did not start it)';
    if (!quiet) this.say(`lost the Temporal server at ${this.address} (${reason}); ${action}; runs and agents go on, tool calls fail at once until it is back`);
    const waiters = [...this.downWaiters];
    this.downWaiters.clear();
    for (const wake of waiters) wake();
    this.schedule(PROBE_DOWN_MS);
  }

  markUp(): void {
    if (!this.down) return;
    const { since, held } = this.down;
    this.down = null;
    const seconds = ((Date.now() - since) / 1000).toFixed(1);
    this.say(`the Temporal server at ${this.address} is back after ${seconds} s${held ? ` (${held} retry messages held back)` : ''}`);
    this.schedule(PROBE_UP_MS);
  }

  /**
   * A log line from the SDK about a failed connection: true when it belongs to the outage (the
   * caller drops it); it also tells of an outage before the next probe does.
   */
  absorb(message: string): boolean {
    if (!isConnectionFailure(message)) return false;
    if (!this.address) return false;
    this.markDown('connection refused');
    this.down!.held += 1;
    return true;
  }

  /** Asks the server every few seconds (getSystemInfo, with a short deadline) through `connection`. */
  watch(connection: Connection): void {
    this.probe = async () => {
      try {
        await connection.withDeadline(Date.now() + PROBE_DEADLINE_MS, () => connection.workflowService.getSystemInfo({}));
        this.markUp();
        this.failures = 0;
      } catch (err) {
        // A refused connection is an outage at once; a slow answer (a loaded machine, a busy
        // event loop) only three times running, so that load never passes for an outage.
        const reason = shortReason(err);
        this.failures += 1;
        if (reason === 'connection refused' || this.failures >= 3) this.markDown(reason);
      }
    };
    this.schedule(PROBE_UP_MS);
  }

  /** Asks again at once (the supervisor has just seen the server answer again). */
  probeNow(): void {
    if (this.down) this.schedule(0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.probe = null;
  }

  private probe: (() => Promise<void>) | null = null;
  private failures = 0;

  private schedule(ms: number): void {
    if (!this.probe) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const probe = this.probe;
      if (probe) void probe().finally(() => this.timer === null && this.schedule(this.down ? PROBE_DOWN_MS : PROBE_UP_MS));
    }, ms).unref();
  }
}

/** Messages of the worker's and client's gRPC retries while the server cannot be reached. */
export function isConnectionFailure(message: string): boolean {
  return /connection closed|tcp connect error|Connection refused|ECONNREFUSED|code: Unavailable|UNAVAILABLE|transport error|No connection established|Connection reset|broken pipe|error trying to connect/i.test(
    message,
  );
}

function shortReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/ECONNREFUSED|Connection refused|No connection established/i.test(text)) return 'connection refused';
  if (/DEADLINE|deadline/.test(text)) return 'no answer in time';
  return text.split('\n')[0].slice(0, 120);
}

/** One per process: the SDK's logger, the tools and the commands share it. */
export const reachability = new Reachability();
