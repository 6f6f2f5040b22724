// Waking the agent tail loop as soon as the agent writes, instead of polling on a fixed beat.
import { watch, type FSWatcher } from 'node:fs';

/** Wakes the tail loop when anything in the run directory changes (inotify), or after a timeout. */
export class DirectoryWatch {
  private readonly watcher: FSWatcher | null;
  private changed = false;
  private wake: (() => void) | null = null;

  constructor(dir: string) {
    let watcher: FSWatcher | null = null;
    try {
      watcher = watch(dir, () => this.poke());
      watcher.on('error', () => undefined);
    } catch {
      // No watch on this file system: the timeout alone paces the loop.
    }
    this.watcher = watcher;
  }

  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (!this.changed && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
    this.wake = null;
    this.changed = false;
  }

  close(): void {
    this.watcher?.close();
  }

  private poke(): void {
    this.changed = true;
    this.wake?.();
  }
}
