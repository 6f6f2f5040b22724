// How a session of `baton dev` or `baton mcp` ends: Ctrl-C, SIGTERM, the terminal closed (SIGHUP),
// or its output gone (a write to a closed pipe fails with EPIPE). Each must reach the same clean
// stop, so that Baton stops what it started; none may crash Baton before it does. A write to a
// closed stdout or stderr raises an 'error' event that, unhandled, kills the process at once.
import { setTimeout as delay } from 'node:timers/promises';

export type EndReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'output closed' | 'worker stopped';

/** Calls `onEnd` for every way the session may end (it may be called more than once). */
export function onSessionEnd(onEnd: (why: EndReason) => void, opts: { stdoutIsOutput: boolean }): void {
  const end = (why: EndReason) => {
    tolerateClosedChannels();
    onEnd(why);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => end(signal));
  const gone = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' || err.code === 'EIO') end('output closed');
  };
  // stderr only carries logs: once it is gone, losing them is no reason to stop.
  process.stderr.on('error', () => undefined);
  process.stdout.on('error', opts.stdoutIsOutput ? gone : () => undefined);
}

let tolerating = false;
/**
 * Once a session ends, Baton closes its Temporal connections while calls made during an outage
 * may still be waiting to retry; the client's retry timer then throws "Channel has been shut down"
 * from a timer, which would crash Baton (exit 1) before it stopped the dev server. That one error
 * is moot once stopping began; anything else still ends the process as an uncaught error does.
 */
export function tolerateClosedChannels(): void {
  if (tolerating) return;
  tolerating = true;
  process.on('uncaughtException', (err) => {
    if (err instanceof Error && err.message === 'Channel has been shut down') return;
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

/** A line to stdout that never throws, even with stdout gone. */
export function sayLine(line: string): void {
  try {
    if (process.stdout.writable) process.stdout.write(`${line}\n`);
  } catch {
    // stdout closed: nothing to say it on
  }
}

/**
 * `work`, or undefined once `ms` have passed or if it fails: a stop must neither hang on a server
 * that is away nor give up half-way, before it has stopped the dev server it started.
 */
export async function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  const timeout = new AbortController();
  try {
    return await Promise.race([work.catch(() => undefined), delay(ms, undefined, { signal: timeout.signal }).catch(() => undefined)]);
  } finally {
    timeout.abort();
  }
}
