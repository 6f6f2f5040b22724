// Sends events to the workflow by signal, adaptively: the first event after a quiet spell goes at
// once, then at most about one signal a second, except that full batches go without waiting.
import { setTimeout as delay } from 'node:timers/promises';
import type { AgentHandle, EventBatch, LineGroup, NewEvent } from '../domain/event-batch.js';
import { boundFacts, boundLineEvents } from '../domain/line-bounds.js';
import { BATCH_BYTES } from '../domain/sizes.js';

export interface BatchSenderOptions {
  attempt: number;
  send: (batch: EventBatch) => Promise<void>;
  /** Minimum time between two signals that are not full. */
  intervalMs?: number;
  /** A batch is full at this many bytes of UTF-8 JSON (Temporal's payload limit is 2 MiB). */
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
  /** Temporal refused a batch as too large; its lines go again, trimmed to `level`. */
  onTrimmed?: (err: unknown, level: number) => void;
}

/**
 * How hard a refused line is trimmed: first its events to 1 KiB each and 16 KiB together and its
 * texts to 1 KiB, then to no events (a marker) and only its small facts. The line's offset goes
 * through either way, so the run goes on; read_output has the line whole.
 */
const TRIM_LEVELS = 2;

export class BatchSender {
  private groups: LineGroup[] = [];
  private notes: NewEvent[] = [];
  private agent: AgentHandle | undefined;
  private pendingBytes = 0;
  private pendingEvents = 0;
  private lastSentAt = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Inside together(): what is added waits for the rest. */
  private holding = false;
  private sending: Promise<void> | null = null;
  private failure: unknown = null;
  private sentCount = 0;
  private readonly intervalMs: number;
  private readonly maxBatchBytes: number;
  private readonly maxBatchEvents: number;
  /** Lines per signal: 1 while lines refused as too large go again. */
  private groupsPerBatchNow = Infinity;

  constructor(private readonly options: BatchSenderOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxBatchBytes = options.maxBatchBytes ?? BATCH_BYTES;
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

  /** What `fill` adds (the agent, its session, a note) goes as one signal: nothing is sent while it runs. */
  together(fill: () => void): void {
    this.holding = true;
    try {
      fill();
    } finally {
      this.holding = false;
      this.schedule();
    }
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
    await this.sendWhile(() => true);
  }

  /**
   * Everything still pending as one batch for the caller to hand over itself (the activity's
   * result: one signal and one workflow task less at a run's end) when it is at most `maxBytes`
   * and needs no trimming; what does not fit goes first, by signal, as flush() sends it.
   */
  async takeRest(maxBytes: number): Promise<EventBatch | null> {
    await this.sendWhile(() => !this.fitsOneBatch(maxBytes));
    return this.hasPending ? this.takeBatch() : null;
  }

  /** Whether what is pending, the notes and the agent handle included, goes in one batch of `maxBytes`. */
  private fitsOneBatch(maxBytes: number): boolean {
    const bytes = this.pendingBytes + Buffer.byteLength(JSON.stringify({ notes: this.notes, agent: this.agent ?? null }));
    return bytes <= maxBytes && this.pendingEvents <= this.maxBatchEvents && this.groupsPerBatchNow === Infinity;
  }

  /**
   * Sends batch after batch while something is pending and `more()` says so, none in flight and
   * no timer left when it returns; retries passing failures, throws a permanent one.
   */
  private async sendWhile(more: () => boolean): Promise<void> {
    for (;;) {
      if (this.sending) {
        await this.sending;
        continue;
      }
      this.clearTimer();
      if (!this.hasPending || !more()) return;
      await this.sendOne();
      if (this.failure) {
        if (this.options.isPermanent?.(this.failure)) throw this.failure as Error;
        await delay(this.intervalMs);
      }
    }
  }

  close(): void {
    this.clearTimer();
  }

  private schedule(): void {
    // While a signal is in flight, its completion schedules the next one.
    if (this.sending || this.holding) return;
    const full = this.pendingBytes >= this.maxBatchBytes || this.pendingEvents >= this.maxBatchEvents;
    if (this.timer && !full) return;
    this.clearTimer();
    const wait = full ? 0 : this.lastSentAt + this.intervalMs - Date.now();
    if (wait <= 0) void this.sendOne();
    else
      this.timer = setTimeout(() => {
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
        if (isTooLarge(err) && this.putBackTrimmed(batch, err)) return;
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
      const group = this.groups[count];
      const fits = bytes + estimateBytes(group) <= this.maxBatchBytes && events + group.events.length <= this.maxBatchEvents;
      if (count > 0 && (!fits || count >= this.groupsPerBatchNow)) break;
      bytes += estimateBytes(group);
      events += group.events.length;
      count += 1;
    }
    const batch: EventBatch = { attempt: this.options.attempt, groups: this.groups.splice(0, count) };
    if (!this.groups.some((g) => trimLevels.has(g))) this.groupsPerBatchNow = Infinity;
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

  /**
   * A size refusal is permanent for that batch: retried as it is, it would be refused forever.
   * Its lines go again trimmed one level further, one line a signal; false once no level is left.
   */
  private putBackTrimmed(batch: EventBatch, err: unknown): boolean {
    const level = Math.max(0, ...batch.groups.map((g) => trimLevels.get(g) ?? 0)) + 1;
    if (level > TRIM_LEVELS) return false;
    const trimmed = batch.groups.map((g) => trimGroup(g, level));
    this.putBack({ ...batch, groups: trimmed, ...(batch.notes ? { notes: batch.notes.map((n) => ({ ...n, data: {} })) } : {}) });
    this.groupsPerBatchNow = 1;
    this.options.onTrimmed?.(err, level);
    return true;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

const sizes = new WeakMap<LineGroup, number>();
/** Bytes of a line group as the signal carries it: UTF-8 JSON, as Temporal measures it. */
function estimateBytes(group: LineGroup): number {
  let size = sizes.get(group);
  if (size === undefined) {
    size = Buffer.byteLength(JSON.stringify(group));
    sizes.set(group, size);
  }
  return size;
}

const trimLevels = new WeakMap<LineGroup, number>();
function trimGroup(group: LineGroup, level: number): LineGroup {
  const facts = group.facts && (level === 1 ? boundFacts(group.facts, 1024, 1024) : smallFacts(group.facts));
  const events =
    level === 1
      ? boundLineEvents(
          group.events.map((e) => ({ ...e, data: shrink(e.data) })),
          16 * 1024,
        )
      : group.events.length === 0
        ? []
        : [
            {
              ts: group.events[0].ts,
              type: 'stderr' as const,
              data: {
                text: `…[${group.events.length} events of this line left out: Temporal refused them as too large; read_output has the line]`,
                stream: 'stdout',
                note: 'events cut',
              },
            },
          ];
  const trimmed: LineGroup = { stream: group.stream, end: group.end, events, ...(facts ? { facts } : {}) };
  trimLevels.set(trimmed, level);
  return trimmed;
}

function shrink(data: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(data);
  return Buffer.byteLength(text) <= 1024 ? data : { text: `${text.slice(0, 256)}…[trimmed; read_output has it]` };
}

function smallFacts(facts: NonNullable<LineGroup['facts']>): NonNullable<LineGroup['facts']> {
  const { output: _o, error, structured_output: _s, ...rest } = boundFacts(facts, 1024, 0);
  return { ...rest, ...(error !== undefined ? { error: error.slice(0, 256) } : {}) };
}

/** Temporal (or gRPC) refused the request for its size: sending it again as it is cannot help. */
export function isTooLarge(err: unknown): boolean {
  for (let cause = err; cause instanceof Error; cause = cause.cause) {
    if (/size exceeds limit|exceeds size limit|larger than max|message too large|RESOURCE_EXHAUSTED.*(size|large)/i.test(cause.message)) return true;
  }
  return false;
}
