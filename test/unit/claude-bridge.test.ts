// claude-bridge's vocabulary over Baton's runs (docs/claude-bridge.md): job statuses, the job dict,
// the webhook payload, and the arguments a dispatch turns into.
import { describe, expect, it } from 'vitest';
import { bridgeStatusOf, bridgeWebhookPayload } from '../../src/domain/claude-bridge.js';
import type { RunResult, RunView } from '../../src/domain/run-view.js';
import { RUN_STATUSES, type RunStatus } from '../../src/domain/vocabulary.js';
import { jobOf, jobSpawnArgs } from '../../src/mcp/profiles/claude-bridge/jobs.js';
import { scheduleArgsOf } from '../../src/mcp/profiles/claude-bridge/schedules.js';

const defaults = { cwd: '/work', permissionMode: 'acceptEdits' };

function result(status: RunStatus, extra: Partial<RunResult> = {}): RunResult {
  return {
    status,
    output: 'the answer',
    output_truncated: false,
    session_id: 'sess-1',
    usage: null,
    cost_usd: null,
    session_cost_usd: null,
    num_turns: 1,
    exit_code: status === 'completed' ? 0 : 1,
    error: status === 'completed' ? null : 'it broke',
    started_at: '2026-01-01T00:00:01.000Z',
    finished_at: '2026-01-01T00:00:03.500Z',
    elapsed_ms: 2500,
    transcript: null,
    ...extra,
  };
}

function view(status: RunStatus, extra: Partial<RunView> = {}): RunView {
  const final = ['completed', 'failed', 'cancelled', 'timed_out', 'rejected'].includes(status);
  return {
    run_id: 'run_1',
    kind: 'run',
    status,
    role: 'worker',
    backend: 'claude_code',
    channel: 'c1',
    parent: null,
    session_id: 'sess-1',
    cwd: '/work',
    prompt_preview: 'p',
    metadata: { baton_profile: 'claude-bridge', bridge_channel: 'c1', bridge_timeout_seconds: '300', bridge_permission_mode: 'plan' },
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: '2026-01-01T00:00:01.000Z',
    finished_at: final ? '2026-01-01T00:00:03.500Z' : null,
    elapsed_ms: 2500,
    last_seq: 3,
    last_message: null,
    usage: null,
    cost_usd: null,
    attempt: 1,
    host: 'h',
    error: final && status !== 'completed' ? 'it broke' : null,
    result: final ? result(status) : null,
    ...extra,
  };
}

describe("claude-bridge's job statuses", () => {
  it('map every run status', () => {
    const mapped = Object.fromEntries(RUN_STATUSES.map((s) => [s, bridgeStatusOf(s, null)]));
    expect(mapped).toEqual({
      queued: 'running',
      running: 'running',
      input_required: 'running',
      auth_required: 'running',
      completed: 'done',
      failed: 'done',
      cancelled: 'cancelled',
      timed_out: 'done',
      rejected: 'error',
    });
    expect(bridgeStatusOf('failed', 'worker_lost: the agent died with its worker')).toBe('abandoned');
  });
});

describe('the job dict', () => {
  it('of a running job has elapsed_ms and no result', () => {
    const job = jobOf(view('running'), new Date('2026-01-01T00:00:02.000Z'));
    expect(job).toEqual({
      job_id: 'run_1',
      channel: 'c1',
      started_at: 1767225600,
      args: { channel: 'c1', timeout_seconds: 300, permission_mode: 'plan', cwd: '/work', session_id: 'sess-1' },
      status: 'running',
      elapsed_ms: 2000,
    });
  });

  it("of a completed job is claude-bridge's done dict", () => {
    expect(jobOf(view('completed'))).toMatchObject({ status: 'done', ok: true, result: 'the answer', session_id: 'sess-1', duration_ms: 2500, finished_at: 1767225603.5 });
  });

  it('of a failed or timed-out job is done with ok false, as claude-bridge says of a claude that exited non-zero or timed out', () => {
    expect(jobOf(view('failed'))).toMatchObject({ status: 'done', ok: false, error: 'it broke', exit_code: 1 });
    expect(jobOf(view('timed_out'))).toMatchObject({ status: 'done', ok: false, error: 'timeout after 300s' });
  });

  it('of a cancelled, rejected or lost job has its status and ok false', () => {
    expect(jobOf(view('cancelled'))).toMatchObject({ status: 'cancelled', ok: false, error: 'it broke' });
    expect(jobOf(view('rejected'))).toMatchObject({ status: 'error', ok: false });
    expect(jobOf(view('failed', { error: 'worker_lost: gone' }))).toMatchObject({ status: 'abandoned', ok: false, error: 'worker_lost: gone' });
  });
});

describe("claude-bridge's webhook payload", () => {
  it('has its keys, epoch times and a 4 KiB preview, plus the run id and Baton status it is checked by', () => {
    const payload = bridgeWebhookPayload(view('completed'), result('completed', { output: 'x'.repeat(5000) }));
    expect(payload).toMatchObject({
      event: 'done',
      job_id: 'run_1',
      run_id: 'run_1',
      channel: 'c1',
      status: 'done',
      ok: true,
      started_at: 1767225600,
      finished_at: 1767225603.5,
      error: null,
      baton_status: 'completed',
    });
    expect(payload.result_preview).toBe(`${'x'.repeat(4096)}…[truncated, original 5000 chars]`);
    expect(bridgeWebhookPayload(view('failed'), result('failed'))).toMatchObject({ event: 'done', status: 'done', ok: false, error: 'it broke' });
  });
});

describe("a dispatch's arguments", () => {
  it("become spawn_run's: a claude_code turn of the channel, with claude-bridge's defaults", () => {
    const checked = jobSpawnArgs({ prompt: 'do it', channel: 'default', timeout_seconds: 300 }, defaults, { asTurn: true });
    expect(checked).toMatchObject({ ok: true, args: { backend: 'claude_code', cwd: '/work', channel: 'default', permission_mode: 'acceptEdits', timeout_seconds: 300 } });
  });

  it("are refused by spawn_run's own checks, naming the field", () => {
    expect(jobSpawnArgs({ prompt: ' ', channel: 'default', timeout_seconds: 300 }, defaults, { asTurn: true })).toEqual({ ok: false, error: 'prompt is empty' });
    expect(jobSpawnArgs({ prompt: 'p', channel: 'default', timeout_seconds: 300, permission_mode: 'yolo' }, defaults, { asTurn: true })).toEqual({
      ok: false,
      error: expect.stringContaining('permission_mode'),
    });
  });

  it("of a schedule read an until without a zone as UTC, and keep claude-bridge's notify_on for the schedule's notifier, not its runs", () => {
    const checked = scheduleArgsOf(
      {
        prompt: 'p',
        channel: 'c',
        interval_seconds: 60,
        timeout_seconds: 300,
        until: '2099-01-01T00:00:00',
        notify_url: 'https://example.com/h',
        notify_on: ['tick', 'tick_error', 'tick'],
        notify_headers: { 'X-Token': 't' },
      },
      defaults,
    );
    expect(checked).toMatchObject({
      ok: true,
      args: {
        schedule: { until: '2099-01-01T00:00:00Z', metadata: { bridge_channel: 'c' } },
        notify: { url: 'https://example.com/h', headers: { 'X-Token': 't' }, on: ['tick', 'tick_error'] },
      },
    });
    expect(checked.ok && ('channel' in checked.args.schedule || 'notify_url' in checked.args.schedule || 'notify_headers' in checked.args.schedule)).toBe(false);
    // claude-bridge's default for a schedule is schedule_end.
    expect(scheduleArgsOf({ prompt: 'p', channel: 'c', interval_seconds: 60, timeout_seconds: 300, notify_url: 'https://example.com/h' }, defaults)).toMatchObject({
      ok: true,
      args: { notify: { on: ['schedule_end'] } },
    });
    expect(scheduleArgsOf({ prompt: 'p', channel: 'c', interval_seconds: 60, timeout_seconds: 300 }, defaults)).toMatchObject({ ok: true, args: { notify: null } });
    // An empty notify_on is the default too (claude-bridge's `notify_on or ["schedule_end"]`); notify_on without a URL is refused, saying so.
    expect(scheduleArgsOf({ prompt: 'p', channel: 'c', interval_seconds: 60, timeout_seconds: 300, notify_url: 'https://example.com/h', notify_on: [] }, defaults)).toMatchObject({
      ok: true,
      args: { notify: { on: ['schedule_end'] } },
    });
    expect(scheduleArgsOf({ prompt: 'p', channel: 'c', interval_seconds: 60, timeout_seconds: 300, notify_on: ['tick'] }, defaults)).toEqual({
      ok: false,
      error: expect.stringMatching(/^notify_on needs notify_url/),
    });
    expect(scheduleArgsOf({ prompt: 'p', channel: 'c', interval_seconds: 60, timeout_seconds: 300, notify_url: 'https://example.com/h', notify_on: ['done'] }, defaults)).toEqual({
      ok: false,
      error: expect.stringMatching(/^notify_on: unknown event "done"; .*schedule_end/),
    });
    expect(scheduleArgsOf({ prompt: 'p', channel: 'c', interval_seconds: 60, timeout_seconds: 300, notify_url: 'ftp://example.com/h' }, defaults)).toEqual({
      ok: false,
      error: expect.stringContaining('notify_url'),
    });
  });
});
