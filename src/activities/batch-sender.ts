// Sends events to the workflow by signal, adaptively: the first event after a quiet spell goes at
// once, then at most about one signal a second, except that full batches go without waiting.
import { setTimeout as delay } from 'node:timers/promises';
import type { AgentHandle, EventBatch, LineGroup, NewEvent } from '../domain/event-batch.js';

export interface BatchSenderOptions {
  attempt: number;
  send: (batch: EventBatch) => Promise<void>;
  /** Minimum time between two signals that are not full. */
  intervalMs?: number;
  /** A batch is full at about this many bytes of JSON (Temporal's payload limit is 2 MB). */
  maxBatchBytes?: number;
  /**
   * A batch is also full at this many events: well under the live ring (EVENT_RING_CAPACITY), so
   * a client that polls once per signal misses nothing even when the agent floods.
   */
  maxBatchEvents?: number;
  /** A send failed; `firstInStreak` when the send before it had worked. */
  onError?: (err: unknown, firstInStreak: boolean) => void;
  /** A send error that retrying cannot fix. */
  isPermanent?: (err: unknown) => boolean;
}

export class BatchSender {
  private groups: LineGroup[] = [];
  private notes: NewEvent[] = [];
  private agent: AgentHandle | undefined;
  private pendingBytes = 0;
  private pendingEvents = 0;
  private lastSentAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private failure: unknown = null;
  private sentCount = 0;
  private readonly intervalMs: number;
  private readonly maxBatchBytes: number;
  private readonly maxBatchEvents: number;

  constructor(private readonly options: BatchSenderOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxBatchBytes = options.maxBatchBytes ?? 256 * 1024;
    this.maxBatchEvents = options.maxBatchEvents ?? 500;
  }

  add(group: LineGroup): void {
    this.groups.push(group);
    this.pendingBytes += estimateBytes(group);
    this.pendingEvents += group.events.length;
    this.schedule();
  }

  note(event: NewEvent): void {
    this.notes.push(event);
    this.schedule();
  }

  announce(agent: AgentHandle): void {
    this.agent = agent;
    this.schedule();
  }

  get hasPending(): boolean {
    return this.groups.length > 0 || this.notes.length > 0 || this.agent !== undefined;
  }

  /** Signals the workflow has taken so far: each one grows its history. */
  get sent(): number {
    return this.sentCount;
  }

  /** The last send error, if sending keeps failing (the caller decides whether to go on). */
  get lastFailure(): unknown {
    return this.failure;
  }

  /**
   * Sends everything pending now and waits until the workflow has it, retrying through passing
   * failures (a restarting server); a permanent one (the workflow is gone) is thrown.
   */
  async flush(): Promise<void> {
    for (;;) {
      if (this.sending) {
        await this.sending;
        continue;
      }
      this.clearTimer();
      if (!this.hasPending) return;
      await this.sendOne();
      if (this.failure) {
        if (this.options.isPermanent?.(this.failure)) throw this.failure;
        await delay(this.intervalMs);
      }
    }
  }

  close(): void {
    this.clearTimer();
  }

  private schedule(): void {
    // While a signal is in flight, its completion schedules the next one.
    if (this.sending) return;
    const full = this.pendingBytes >= this.maxBatchBytes || this.pendingEvents >= this.maxBatchEvents;
    if (this.timer && !full) return;
    this.clearTimer();
    const wait = full ? 0 : this.lastSentAt + this.intervalMs - Date.now();
    if (wait <= 0) void this.sendOne();
    else this.timer = setTimeout(() => {
      this.timer = null;
      void this.sendOne();
    }, wait);
  }

  private sendOne(): Promise<void> {
    if (!this.hasPending) return Promise.resolve();
    const batch = this.takeBatch();
    this.lastSentAt = Date.now();
    this.sending = this.options
      .send(batch)
      .then(() => {
        this.failure = null;
        this.sentCount += 1;
      })
      .catch((err: unknown) => {
        // Keep the batch: it goes again, in order, before anything newer.
        this.putBack(batch);
        const firstInStreak = this.failure === null;
        this.failure = err;
        this.options.onError?.(err, firstInStreak);
      })
      .finally(() => {
        this.sending = null;
        if (this.hasPending && !this.failure) this.schedule();
        else if (this.hasPending) this.timer = setTimeout(() => ((this.timer = null), void this.sendOne()), this.intervalMs);
      });
    return this.sending;
  }

  private takeBatch(): EventBatch {
    let bytes = 0;
    let events = 0;
    let count = 0;
    while (count < this.groups.length) {
      const group = this.groups[count]!;
      const fits = bytes + estimateBytes(group) <= this.maxBatchBytes && events + group.events.length <= this.maxBatchEvents;
      if (count > 0 && !fits) break;
      bytes += estimateBytes(group);
      events += group.events.length;
      count += 1;
    }
    const batch: EventBatch = { attempt: this.options.attempt, groups: this.groups.splice(0, count) };
    this.pendingBytes -= bytes;
    this.pendingEvents -= events;
    if (this.notes.length > 0) batch.notes = this.notes.splice(0);
    if (this.agent) {
      batch.agent = this.agent;
      this.agent = undefined;
    }
    return batch;
  }

  private putBack(batch: EventBatch): void {
    this.groups.unshift(...batch.groups);
    this.pendingBytes += batch.groups.reduce((sum, g) => sum + estimateBytes(g), 0);
    this.pendingEvents += batch.groups.reduce((sum, g) => sum + g.events.length, 0);
    if (batch.notes) this.notes.unshift(...batch.notes);
    if (batch.agent && !this.agent) this.agent = batch.agent;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

const sizes = new WeakMap<LineGroup, number>();
function estimateBytes(group: LineGroup): number {
  let size = sizes.get(group);
  if (size === undefined) {
    size = JSON.stringify(group).length;
    sizes.set(group, size);
  }
  return size;
}
