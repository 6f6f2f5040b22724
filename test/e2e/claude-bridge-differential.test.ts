// Differential test of the claude-bridge profile (issue 12): one client script, run against the real
// claude-bridge (PyPI claude-bridge-mcp 0.1.0, installed by test/helpers/claude-bridge.ts into a venv
// under .cache, mcp<2) and against Baton's claude-bridge profile (`baton mcp` with
// BATON_TOOL_PROFILE=claude-bridge), both running the same fake `claude` (test/fixtures/bin/fake-claude.mjs:
// the real bridge finds it first on its PATH, Baton by BATON_CLAUDE_BIN). The script calls every tool;
// its jobs end done (ok true), failed (the fake's api-error scenario, exit 1), cancelled and timed out;
// it makes a schedule that a tick's [BRIDGE_STOP_SCHEDULE] ends, and one that cancel_schedule ends.
// Then what each side answered is compared: Baton must give every key claude-bridge gives, with a
// value of the same JSON type (recursively), the same statuses and ok, the same event names in
// list_events, and the same webhook payload keys.
import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRealClaudeBridge, fakeClaudeOnPath } from '../helpers/claude-bridge.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { connectStdio, type McpSession } from '../helpers/mcp.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

type Dict = Record<string, unknown>;

/** What the script needs to know about the side it drives. */
interface ScriptContext {
  side: 'claude-bridge' | 'baton';
  /** A run's working directory, allowed on both sides. */
  cwd: string;
  /** The receiver's URL for this side's notifications. */
  hookUrl: string;
  /** The notifications this side's receiver got, parsed. */
  hooks(): Dict[];
  /** Channel names unique to this run of the test (Baton's channels live in a shared namespace). */
  channel(name: string): string;
}

/** What one side answered, for the comparison. */
interface Observed {
  tools: string[];
  help: Dict;
  dispatch: Dict;
  asyncStarted: Dict;
  done: Dict;
  failed: Dict;
  timedOut: Dict;
  cancel: Dict;
  cancelled: Dict;
  cancelAgain: Dict;
  listedJob: Dict;
  completion: Dict;
  waitedAny: Dict;
  /** Per job of the script, its events' names in list_events, in order. */
  jobEvents: Record<string, string[]>;
  /** One event of each name the script caused, by name. */
  eventsByName: Record<string, Dict>;
  notableNames: string[];
  channels: Dict;
  reset: Dict;
  jobHook: Dict;
  stopSchedule: { made: Dict; ended: Dict; events: string[]; tickJob: Dict; hooks: Dict[] };
  cancelSchedule: { made: Dict; got: Dict; cancel: Dict; after: Dict; listed: Dict | undefined; cancelAgain: Dict; events: string[]; hooks: Dict[] };
}

async function call(client: Client, name: string, args: Dict = {}): Promise<Dict> {
  const result = (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;
  const text = (result.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
  expect(result.isError, `${name} failed: ${text}`).toBeFalsy();
  return JSON.parse(text) as Dict;
}

/** wait_dispatch in a loop, as claude-bridge's callers do, until the job is not running. */
function finished(client: Client, jobId: string): Promise<Dict> {
  return waitFor(
    async () => {
      const state = await call(client, 'wait_dispatch', { job_id: jobId, max_wait_seconds: 10 });
      return state.status !== 'running' ? state : null;
    },
    { timeoutMs: 90_000, what: `job ${jobId} to finish` },
  );
}

/** The one client script, run against both sides. */
async function clientScript(client: Client, ctx: ScriptContext): Promise<Observed> {
  const since = Date.now() / 1000 - 1;
  const tools = (await client.listTools()).tools.map((t) => t.name).sort();
  const help = await call(client, 'bridge_help');

  // Done: a sync dispatch, and an async one followed to its end.
  const dispatch = await call(client, 'dispatch', { prompt: 'What is 2+2?', channel: ctx.channel('sync'), cwd: ctx.cwd });
  const asyncStarted = await call(client, 'dispatch_async', {
    prompt: 'What is 2+2?',
    channel: ctx.channel('done'),
    cwd: ctx.cwd,
    notify_url: ctx.hookUrl,
    notify_headers: { 'X-Diff': ctx.side },
  });
  const doneId = asyncStarted.job_id as string;
  const done = await finished(client, doneId);

  // Failed: claude exits 1 (an API error), with a warning on stderr.
  const failedStart = await call(client, 'dispatch_async', { prompt: 'fail [fake-claude scenario=api-error stderr_note=1]', channel: ctx.channel('failed'), cwd: ctx.cwd });
  const failed = await finished(client, failedStart.job_id as string);

  // Timed out: claude hangs past timeout_seconds.
  const slowStart = await call(client, 'dispatch_async', { prompt: 'hang [fake-claude hang_ms=60000]', channel: ctx.channel('slow'), cwd: ctx.cwd, timeout_seconds: 2 });
  const timedOut = await finished(client, slowStart.job_id as string);

  // Cancelled: a hanging job, cancelled once its claude has started (its session is in args).
  const hangStart = await call(client, 'dispatch_async', { prompt: 'hang [fake-claude hang_ms=60000]', channel: ctx.channel('cancel'), cwd: ctx.cwd });
  const hangId = hangStart.job_id as string;
  await waitFor(async () => ((await call(client, 'get_dispatch', { job_id: hangId })).args as Dict).session_id, { what: 'the hanging job to start' });
  const cancel = await call(client, 'cancel_dispatch', { job_id: hangId });
  const cancelled = await finished(client, hangId);
  const cancelAgain = await call(client, 'cancel_dispatch', { job_id: hangId });

  // The lists (Baton's read visibility, which has a run's end a moment after the run says it).
  const listedJob = await waitFor(async () => ((await call(client, 'list_jobs')).jobs as Dict[]).find((j) => j.job_id === doneId && j.status === 'done'), {
    what: 'the job in list_jobs',
  });
  const completion = await waitFor(async () => ((await call(client, 'list_completions', { since, limit: 0 })).completions as Dict[]).find((c) => c.job_id === doneId), {
    what: 'the job in list_completions',
  });
  const waitedAny = await call(client, 'wait_any_completion', { since, max_wait_seconds: 5 });

  // Channels.
  const channels = await waitFor(
    async () => {
      const pinned = (await call(client, 'list_channels')).channels as Dict;
      return pinned[ctx.channel('done')] ? pinned : null;
    },
    { what: 'the channel pinned' },
  );
  const reset = await call(client, 'reset_channel', { channel: ctx.channel('done') });

  // The job's notification.
  const jobHook = await waitFor(() => ctx.hooks().find((h) => h.job_id === doneId), { timeoutMs: 60_000, what: "the job's notification" });

  // A schedule ended by its tick's stop marker.
  const stopMade = await call(client, 'schedule_dispatch', {
    prompt: 'check, then stop [fake-claude stop_marker=1]',
    channel: ctx.channel('stopper'),
    interval_seconds: 10,
    cwd: ctx.cwd,
    notify_url: ctx.hookUrl,
    notify_on: ['tick', 'tick_with_sentinel', 'schedule_end'],
  });
  const stopId = stopMade.schedule_id as string;
  const stopEnded = await waitFor(
    async () => {
      const got = await call(client, 'get_schedule', { schedule_id: stopId });
      // Baton deletes the schedule as the tick's run ends, a moment before visibility lists that run
      // as finished: until then the stop (claude-bridge's error naming the tick) is not known.
      const schedule = got.schedule as Dict | undefined;
      return got.ok === true && schedule?.status !== 'active' && schedule?.error != null ? got : null;
    },
    { timeoutMs: 90_000, intervalMs: 500, what: 'the stop marker to end the schedule' },
  );
  const tickJobId = (stopEnded.schedule as Dict).last_job_id as string;
  const tickJob = await finished(client, tickJobId);

  // A schedule ended by cancel_schedule.
  const made = await call(client, 'schedule_dispatch', {
    prompt: 'check the PRs',
    channel: ctx.channel('watcher'),
    interval_seconds: 3600,
    until_seconds: 7200,
    cwd: ctx.cwd,
    notify_url: ctx.hookUrl,
  });
  const scheduleId = made.schedule_id as string;
  const got = await call(client, 'get_schedule', { schedule_id: scheduleId });
  const cancelSched = await call(client, 'cancel_schedule', { schedule_id: scheduleId });
  const after = await call(client, 'get_schedule', { schedule_id: scheduleId });
  const listed = ((await call(client, 'list_schedules')).schedules as Dict[]).find((s) => s.id === scheduleId);
  const cancelSchedAgain = await call(client, 'cancel_schedule', { schedule_id: scheduleId });

  // The schedules' notifications: each schedule's, once its schedule_end has come.
  const scheduleHooks = (scheduleId: string) =>
    waitFor(
      () => {
        const hooks = ctx.hooks().filter((h) => h.schedule_id === scheduleId);
        return hooks.some((h) => h.event === 'schedule_end') ? hooks : null;
      },
      { timeoutMs: 60_000, what: `the notifications of schedule ${scheduleId}` },
    );
  const [stopHooks, cancelHooks] = await Promise.all([scheduleHooks(stopId), scheduleHooks(scheduleId)]);

  // Events: every job's and schedule's, once all are there.
  const jobs: Record<string, string> = { done: doneId, failed: failedStart.job_id as string, timedOut: slowStart.job_id as string, cancelled: hangId, tick: tickJobId };
  const expectedCount: Record<string, number> = { done: 2, failed: 2, timedOut: 2, cancelled: 2, tick: 2 };
  const mine = (e: Dict) => Object.values(jobs).includes(e.job_id as string) || e.schedule_id === stopId || e.schedule_id === scheduleId;
  const events = await waitFor(
    async () => {
      const all = (await call(client, 'list_events', { since, limit: 0 })).events as Dict[];
      const ours = all.filter(mine);
      const complete = Object.entries(jobs).every(([label, id]) => ours.filter((e) => e.job_id === id && String(e.event).startsWith('dispatch_')).length >= expectedCount[label]);
      const hooked = all.some((e) => e.event === 'webhook_sent' && (e.job_id === undefined || e.job_id === doneId));
      return complete && hooked ? all : null;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: "the jobs' events" },
  );
  const jobEvents = Object.fromEntries(
    Object.entries(jobs).map(([label, id]) => [label, events.filter((e) => e.job_id === id && String(e.event).startsWith('dispatch_')).map((e) => e.event as string)]),
  );
  const eventsByName: Record<string, Dict> = {};
  for (const e of events) {
    // webhook_sent names no job in claude-bridge: the script's only delivery is the done job's.
    if (mine(e) || (e.event === 'webhook_sent' && e.job_id === undefined)) eventsByName[e.event as string] ??= e;
  }
  const notable = (await call(client, 'list_events', { since, limit: 0, notable_only: true })).events as Dict[];
  const notableNames = [...new Set(notable.filter(mine).map((e) => e.event as string))].sort();
  const scheduleEvents = (id: string) => events.filter((e) => e.schedule_id === id).map((e) => e.event as string);

  return {
    tools,
    help,
    dispatch,
    asyncStarted,
    done,
    failed,
    timedOut,
    cancel,
    cancelled,
    cancelAgain,
    listedJob,
    completion,
    waitedAny,
    jobEvents,
    eventsByName,
    notableNames,
    channels,
    reset,
    jobHook,
    stopSchedule: { made: stopMade, ended: stopEnded, events: scheduleEvents(stopId), tickJob, hooks: stopHooks },
    cancelSchedule: { made, got, cancel: cancelSched, after, listed, cancelAgain: cancelSchedAgain, events: scheduleEvents(scheduleId), hooks: cancelHooks },
  };
}

const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Where Baton's value lacks a key claude-bridge's has, or has a value of another JSON type (null on
 * either side is not a type: claude-bridge's null and Baton's value, or the reverse, agree),
 * recursively into objects.
 */
function missing(real: unknown, baton: unknown, where: string): string[] {
  if (jsonType(real) !== 'object' || jsonType(baton) !== 'object') {
    return real === null || baton === null || jsonType(real) === jsonType(baton) ? [] : [`${where}: ${jsonType(baton)} where claude-bridge has ${jsonType(real)}`];
  }
  const out: string[] = [];
  for (const [key, value] of Object.entries(real as Dict)) {
    const path = `${where}.${key}`;
    if (!(key in (baton as Dict))) out.push(`${path}: missing`);
    else out.push(...missing(value, (baton as Dict)[key], path));
  }
  return out;
}

let env: TestEnv;
let receiver: Receiver;
let bin: Awaited<ReturnType<typeof fakeClaudeOnPath>>;
let baton: McpSession;
let real: { client: Client; close(): Promise<void> };
const id = randomBytes(3).toString('hex');
let theirs: Observed;
let ours: Observed;

const hooksOf = (prefix: string) => () => receiver.requests.filter((r) => r.path.startsWith(prefix)).map((r) => ({ ...(JSON.parse(r.body) as Dict), _headers: r.headers }));

beforeAll(async () => {
  env = await makeTestEnv({ BATON_ALLOW_PRIVATE_WEBHOOKS: '1' });
  receiver = await startReceiver();
  bin = await fakeClaudeOnPath();
  const fakeClaude = `${bin.dir}/claude`;
  [baton, real] = await Promise.all([
    connectStdio(env, [], { BATON_TOOL_PROFILE: 'claude-bridge', CLAUDE_BRIDGE_CWD: env.workDir, BATON_CLAUDE_BIN: fakeClaude }),
    connectRealClaudeBridge({
      PATH: bin.path,
      CLAUDE_BRIDGE_CWD: env.workDir,
      CLAUDE_BRIDGE_ALLOW_PRIVATE_WEBHOOKS: '1',
      FAKE_CLAUDE_STATE_DIR: `${env.dataDir}/fake-claude-real`,
    }),
  ]);
  const base = new URL(receiver.url);
  const context = (side: ScriptContext['side']): ScriptContext => ({
    side,
    cwd: env.workDir,
    hookUrl: `${base.origin}/${side}/hook`,
    hooks: hooksOf(`/${side}/`),
    channel: (name) => `diff-${id}-${name}`,
  });
  // The same script, both sides at once (they share nothing but the fake claude and the receiver).
  [theirs, ours] = await Promise.all([clientScript(real.client, context('claude-bridge')), clientScript(baton.client, context('baton'))]);
}, 300_000);

afterAll(async () => {
  await Promise.all([baton?.close(), real?.close(), receiver?.close(), bin?.remove()]);
  await env?.cleanup();
});

describe('Baton against the real claude-bridge, one client script', () => {
  it('offers the same tools, and bridge_help the same keys', () => {
    expect(ours.tools).toEqual(theirs.tools);
    expect(ours.tools).toHaveLength(16);
    expect(missing(theirs.help, ours.help, 'bridge_help').filter((m) => !m.startsWith('bridge_help.tools.') || m.endsWith(': missing'))).toEqual([]);
  });

  it("a job that ends well: every key of dispatch, dispatch_async, get_dispatch, list_jobs, list_completions, with raw (claude's JSON)", () => {
    // claude-bridge's sync dispatch runs claude with the bridge's own stdin (the MCP pipe): claude
    // waits 3 s for stdin and warns on stderr, which that answer carries. Baton's claude has no such stdin.
    const { stderr: stdinWarning, ...theirDispatch } = theirs.dispatch;
    if (stdinWarning !== undefined) expect(stdinWarning).toMatch(/^Warning: no stdin data received in 3s/);
    const pairs: [string, Dict, Dict][] = [
      ['dispatch', theirDispatch, ours.dispatch],
      ['dispatch_async', theirs.asyncStarted, ours.asyncStarted],
      ['done', theirs.done, ours.done],
      ['list_jobs entry', theirs.listedJob, ours.listedJob],
      ['list_completions entry', theirs.completion, ours.completion],
    ];
    expect(pairs.flatMap(([where, a, b]) => missing(a, b, where))).toEqual([]);
    for (const side of [theirs, ours]) {
      expect(side.dispatch).toMatchObject({ ok: true, result: '2 + 2 = 4.' });
      expect(side.done).toMatchObject({ status: 'done', ok: true, result: '2 + 2 = 4.' });
      expect(side.done.raw).toMatchObject({ type: 'result', subtype: 'success', result: '2 + 2 = 4.', session_id: side.done.session_id });
      // list_jobs and list_completions leave raw out (claude-bridge's words: "to keep this cheap").
      expect(side.listedJob).not.toHaveProperty('raw');
      expect(side.completion).not.toHaveProperty('raw');
      expect((side.waitedAny.completions as Dict[]).length).toBeGreaterThan(0);
    }
  });

  it('a job whose claude fails: status done, ok false, its exit code and its stderr', () => {
    expect(missing(theirs.failed, ours.failed, 'failed')).toEqual([]);
    for (const side of [theirs, ours]) {
      expect(side.failed).toMatchObject({ status: 'done', ok: false, exit_code: 1, error: expect.any(String), stderr: 'fake-claude: warning: MCP server "notes" disconnected' });
    }
  });

  it("a job past its timeout: status done, ok false, claude-bridge's own error", () => {
    expect(missing(theirs.timedOut, ours.timedOut, 'timed out')).toEqual([]);
    for (const side of [theirs, ours]) expect(side.timedOut).toMatchObject({ status: 'done', ok: false, error: 'timeout after 2s' });
  });

  it('a cancelled job: status cancelled, ok false; cancelling again says already_finished', () => {
    expect([
      ...missing(theirs.cancel, ours.cancel, 'cancel'),
      ...missing(theirs.cancelled, ours.cancelled, 'cancelled'),
      ...missing(theirs.cancelAgain, ours.cancelAgain, 'cancel again'),
    ]).toEqual([]);
    for (const side of [theirs, ours]) {
      expect(side.cancel).toMatchObject({ cancelled: true });
      expect(side.cancelled).toMatchObject({ status: 'cancelled', ok: false, error: expect.any(String) });
      expect(side.cancelAgain).toMatchObject({ cancelled: false, reason: 'already_finished' });
    }
  });

  it('channels: list_channels pins the session, reset_channel drops it', () => {
    for (const side of [theirs, ours]) {
      expect(side.channels[`diff-${id}-done`]).toBe(side.done.session_id);
      expect(side.reset).toEqual({ reset: true, channel: `diff-${id}-done` });
    }
  });

  it("list_events: the same event names for each job, each event with claude-bridge's keys; notable_only the same names", () => {
    expect(ours.jobEvents).toEqual(theirs.jobEvents);
    const names = Object.keys(theirs.eventsByName).sort();
    expect(names.filter((n) => !(n in ours.eventsByName))).toEqual([]);
    // webhook_sent: claude-bridge's url is the whole URL; Baton's only its host (a path may hold a secret), a string both ways.
    expect(names.flatMap((n) => missing(theirs.eventsByName[n], ours.eventsByName[n], n))).toEqual([]);
    expect(ours.notableNames).toEqual(theirs.notableNames);
  });

  it("a job's webhook: claude-bridge's payload keys, with its headers", () => {
    const strip = ({ _headers, ...payload }: Dict) => payload;
    expect(missing(strip(theirs.jobHook), strip(ours.jobHook), 'payload')).toEqual([]);
    for (const side of [theirs, ours]) {
      expect(strip(side.jobHook)).toMatchObject({ event: 'done', status: 'done', ok: true, error: null, result_preview: '2 + 2 = 4.' });
      expect((side.jobHook._headers as Dict)['x-diff']).toBe(side === theirs ? 'claude-bridge' : 'baton');
    }
  });

  it('a schedule whose tick prints [BRIDGE_STOP_SCHEDULE] ends, and get_schedule says cancelled, naming the tick', () => {
    const [a, b] = [theirs.stopSchedule, ours.stopSchedule];
    expect([...missing(a.made, b.made, 'schedule_dispatch'), ...missing(a.ended, b.ended, 'get_schedule (stopped)')]).toEqual([]);
    for (const side of [a, b]) {
      expect(side.ended.schedule).toMatchObject({
        status: 'cancelled',
        error: `tick ${(side.ended.schedule as Dict).tick_count as number} emitted [BRIDGE_STOP_SCHEDULE]`,
        last_job_id: expect.any(String),
      });
      expect(side.tickJob).toMatchObject({ status: 'done', ok: true, result: expect.stringContaining('[BRIDGE_STOP_SCHEDULE]') });
    }
    // claude-bridge never sets last_tick_status (0.1.0 leaves it null); Baton says how the last tick ended.
    expect(b.ended.schedule).toMatchObject({ last_tick_status: 'done' });
    expect([...new Set(b.events)].sort()).toEqual([...new Set(a.events)].sort());
  });

  it('a cancelled schedule: cancel_schedule, then get_schedule and list_schedules say cancelled; a second cancel says already_inactive', () => {
    const [a, b] = [theirs.cancelSchedule, ours.cancelSchedule];
    expect([
      ...missing(a.made, b.made, 'schedule_dispatch'),
      ...missing(a.got, b.got, 'get_schedule'),
      ...missing(a.cancel, b.cancel, 'cancel_schedule'),
      ...missing(a.after, b.after, 'get_schedule (cancelled)'),
      ...missing(a.listed, b.listed, 'list_schedules entry'),
      ...missing(a.cancelAgain, b.cancelAgain, 'cancel_schedule again'),
    ]).toEqual([]);
    for (const side of [a, b]) {
      expect(side.cancel).toMatchObject({ ok: true, cancelled: true, schedule: { status: 'cancelled' } });
      expect(side.after).toMatchObject({ ok: true, schedule: { status: 'cancelled' } });
      expect(side.listed).toMatchObject({ status: 'cancelled' });
      expect(side.cancelAgain).toEqual({ ok: true, cancelled: false, reason: 'already_inactive', status: 'cancelled' });
    }
    // claude-bridge fires a schedule's first tick at once, Baton's at the first aligned interval: ticks aside, the same events.
    const lifecycle = (events: string[]) => events.filter((e) => e !== 'schedule_tick');
    expect(lifecycle(b.events)).toEqual(lifecycle(a.events));
  });

  it("a schedule's notifications: tick, tick_with_sentinel and schedule_end of the stopped one, schedule_end (the default) of the cancelled one, with claude-bridge's payload keys", () => {
    const strip = ({ _headers, ...payload }: Dict) => payload;
    const byEvent = (hooks: Dict[]) => Object.fromEntries(hooks.map((h) => [h.event as string, strip(h)]));
    for (const [which, name] of [
      ['stopSchedule', 'stopped'],
      ['cancelSchedule', 'cancelled'],
    ] as const) {
      const [a, b] = [byEvent(theirs[which].hooks), byEvent(ours[which].hooks)];
      expect(Object.keys(b).sort(), name).toEqual(Object.keys(a).sort());
      expect(Object.entries(a).flatMap(([event, payload]) => missing(payload, b[event], `${name} ${event}`))).toEqual([]);
      // The same keys, and no more than the schedule payload's nine.
      for (const payload of Object.values(b)) expect(Object.keys(payload).sort()).toEqual(Object.keys(a[payload.event as string]).sort());
    }
    for (const side of [theirs, ours]) {
      const stopped = byEvent(side.stopSchedule.hooks);
      const id = side.stopSchedule.made.schedule_id;
      expect(side.stopSchedule.hooks.filter((h) => h.event !== 'tick').map((h) => h.event)).toEqual(['tick_with_sentinel', 'schedule_end']);
      expect(stopped.tick).toMatchObject({ schedule_id: id, status: 'active', tick_count: 1, last_job_id: expect.any(String), last_tick_result: null, error: null });
      for (const event of ['tick_with_sentinel', 'schedule_end']) {
        expect(stopped[event]).toMatchObject({
          schedule_id: id,
          status: 'cancelled',
          error: 'tick 1 emitted [BRIDGE_STOP_SCHEDULE]',
          last_tick_result: expect.stringContaining('[BRIDGE_STOP_SCHEDULE]'),
        });
      }
      expect(side.cancelSchedule.hooks.map((h) => h.event)).toEqual(['schedule_end']);
      expect(strip(side.cancelSchedule.hooks[0])).toMatchObject({
        schedule_id: side.cancelSchedule.made.schedule_id,
        status: 'cancelled',
        tick_count: 0,
        last_job_id: null,
        error: null,
      });
    }
  });
});
