import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchSender } from '../../src/activities/batch-sender.js';
import type { EventBatch, LineGroup } from '../../src/domain/event-batch.js';

const group = (end: number, text = `line ${end}`): LineGroup => ({
  stream: 'stdout',
  end,
  events: [{ ts: '2026-01-01T00:00:00.000Z', type: 'agent_message', data: { text } }],
});

describe('BatchSender', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the first event after a quiet spell at once, then at most one signal a second', async () => {
    const sent: EventBatch[] = [];
    const sender = new BatchSender({ attempt: 1, send: async (b) => void sent.push(b) });
    sender.add(group(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    expect(sender.sent).toBe(1);
    sender.add(group(2));
    sender.add(group(3));
    await vi.advanceTimersByTimeAsync(500);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(sent.map((b) => b.groups.map((g) => g.end))).toEqual([[1], [2, 3]]);
  });

  it('sends a full batch without waiting for the interval', async () => {
    const sent: EventBatch[] = [];
    const sender = new BatchSender({ attempt: 1, send: async (b) => void sent.push(b), maxBatchBytes: 400 });
    sender.add(group(1));
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 2; i < 12; i++) sender.add(group(i, 'x'.repeat(100)));
    await vi.advanceTimersByTimeAsync(10);
    expect(sent.length).toBeGreaterThan(2);
    const ends = sent.flatMap((b) => b.groups.map((g) => g.end));
    expect(ends).toEqual(ends.slice().sort((a, b) => a - b));
  });

  it('caps a batch at maxBatchEvents, well under the live ring, so a poller between two signals misses nothing', async () => {
    const sent: EventBatch[] = [];
    const sender = new BatchSender({ attempt: 1, send: async (b) => void sent.push(b) });
    sender.add(group(1));
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 2; i <= 1201; i++) sender.add(group(i));
    await vi.advanceTimersByTimeAsync(10);
    expect(sent.map((b) => b.groups.length)).toEqual([1, 500, 500]); // full: sent at once
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.map((b) => b.groups.length)).toEqual([1, 500, 500, 200]); // the rest: after the interval
    expect(sent.flatMap((b) => b.groups.map((g) => g.end))).toEqual(Array.from({ length: 1201 }, (_, i) => i + 1));
  });

  it('keeps a batch that failed to send and sends it again, in order, before newer events', async () => {
    const sent: EventBatch[] = [];
    let fail = true;
    const sender = new BatchSender({
      attempt: 1,
      send: async (b) => {
        if (fail) throw new Error('server restarting');
        sent.push(b);
      },
    });
    sender.add(group(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(sender.lastFailure).toBeInstanceOf(Error);
    sender.add(group(2));
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.flatMap((b) => b.groups.map((g) => g.end))).toEqual([1, 2]);
  });

  it('flush sends everything pending and announces the agent and notes with it', async () => {
    const sent: EventBatch[] = [];
    const sender = new BatchSender({ attempt: 3, send: async (b) => void sent.push(b) });
    sender.announce({ launch: 1, host: 'h', pid: 1, start_time: 2, boot_id: 'b', run_dir: '/r', launched_at: 't' });
    sender.note({ ts: 't', type: 'reattached', data: {} });
    sender.add(group(5));
    await sender.flush();
    const all = sent.flatMap((b) => b.groups);
    expect(all.map((g) => g.end)).toEqual([5]);
    expect(sent.some((b) => b.agent?.pid === 1)).toBe(true);
    expect(sent.flatMap((b) => b.notes ?? []).map((n) => n.type)).toEqual(['reattached']);
    expect(sent.every((b) => b.attempt === 3)).toBe(true);
  });

  it('takeRest hands what is pending over as one batch, not a signal, when it fits', async () => {
    const sent: EventBatch[] = [];
    const sender = new BatchSender({ attempt: 2, send: async (b) => void sent.push(b) });
    sender.add(group(1));
    await vi.advanceTimersByTimeAsync(0);
    sender.add(group(2));
    sender.add(group(3));
    sender.note({ ts: '2026-01-01T00:00:00.000Z', type: 'resumed', data: {} });
    const rest = await sender.takeRest(64 * 1024);
    expect(sent.map((b) => b.groups.map((g) => g.end))).toEqual([[1]]);
    expect(rest).toMatchObject({ attempt: 2, groups: [{ end: 2 }, { end: 3 }], notes: [{ type: 'resumed' }] });
    expect(sender.hasPending).toBe(false);
    expect(await sender.takeRest(64 * 1024)).toBeNull();
  });

  it('takeRest signals what is pending when it is more than the result may carry, in order', async () => {
    const sent: EventBatch[] = [];
    const sender = new BatchSender({ attempt: 1, send: async (b) => void sent.push(b) });
    sender.add(group(1));
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 2; i < 8; i++) sender.add(group(i, 'x'.repeat(100)));
    expect(await sender.takeRest(200)).toBeNull();
    expect(sent.flatMap((b) => b.groups.map((g) => g.end))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sender.hasPending).toBe(false);
  });

  it('together sends what it adds as one signal', async () => {
    const sent: EventBatch[] = [];
    const sender = new BatchSender({ attempt: 1, send: async (b) => void sent.push(b) });
    const agent = { launch: 1, host: 'h', pid: 7, start_time: 1, boot_id: 'b', run_dir: '/r', launched_at: '2026-01-01T00:00:00.000Z', stdout_start: 0 };
    sender.together(() => {
      sender.add(group(1));
      sender.note({ ts: '2026-01-01T00:00:00.000Z', type: 'reattached', data: {} });
      sender.announce(agent);
    });
    await sender.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ agent: { pid: 7 }, notes: [{ type: 'reattached' }], groups: [{ end: 1 }] });
  });

  it('flush gives up on a permanent failure (the workflow is gone)', async () => {
    const sender = new BatchSender({ attempt: 1, send: async () => Promise.reject(new Error('gone')), isPermanent: () => true });
    sender.add(group(1));
    await expect(sender.flush()).rejects.toThrow('gone');
  });

  it('treats a size refusal as permanent for that batch: its lines go again trimmed, one a signal, and every offset gets through', async () => {
    const sent: EventBatch[] = [];
    const trims: number[] = [];
    const sender = new BatchSender({
      attempt: 1,
      send: async (b) => {
        if (Buffer.byteLength(JSON.stringify(b)) > 20_000) throw new Error('Failed to signal Workflow: 3 INVALID_ARGUMENT: Blob data size exceeds limit.');
        sent.push(b);
      },
      onTrimmed: (_err, level) => void trims.push(level),
    });
    sender.add({ stream: 'stdout', end: 1, events: [{ ts: 't', type: 'tool_started', data: { input: { content: 'é'.repeat(50_000) } } }], facts: { output: 'x'.repeat(30_000) } });
    sender.add(group(2));
    await sender.flush();
    expect(trims).toEqual([1]);
    expect(sent.flatMap((b) => b.groups.map((g) => g.end))).toEqual([1, 2]);
    expect(Buffer.byteLength(JSON.stringify(sent[0]))).toBeLessThanOrEqual(20_000);
    expect(sender.lastFailure).toBeNull();
  });
});
