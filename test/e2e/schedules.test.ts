// Schedules and wait_any through a real MCP client over stdio (`baton mcp` with its worker):
// runs that repeat on Temporal Schedules, the stop marker, until, chaining, refusals; waiting for
// the first of several runs; list_runs by finish time. Interval fires are aligned to the clock, so
// a first fire may be up to one interval away: the cases run concurrently to keep the file short.
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentScheduleId } from '../../src/client/schedule-spec.js';
import type { RunView } from '../../src/domain/run-view.js';
import type { ScheduleView } from '../../src/domain/schedule-view.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let mcp: McpSession;
let temporal: Client;
const created: string[] = [];

beforeAll(async () => {
  env = await makeTestEnv();
  [mcp, temporal] = await Promise.all([connectStdio(env), temporalClient(env)]);
});

afterAll(async () => {
  await Promise.all(created.map((id) => mcp?.client.callTool({ name: 'cancel_schedule', arguments: { schedule_id: id } }).catch(() => undefined)));
  await mcp?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

interface Details {
  schedule: ScheduleView;
  runs_started: number;
  running_run_ids: string[];
  runs: RunView[];
}

const command = (backendConfig: { command: string[] }, prompt = 'scheduled work') => ({ prompt, backend: 'command', cwd: env.workDir, backend_config: backendConfig });

async function schedule(args: Record<string, unknown>): Promise<ScheduleView & { created: boolean }> {
  const made = await callOk<ScheduleView & { created: boolean }>(mcp.client, 'schedule_run', args);
  created.push(made.schedule_id);
  return made;
}

const details = (id: string) => callOk<Details>(mcp.client, 'get_schedule', { schedule_id: id });
const runsOf = async (id: string) => (await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { schedule_id: id })).runs;

/** The schedule's first run, once it has finished (the first fire is at most one interval away). */
async function firstFinishedRun(id: string, timeoutMs = 40_000): Promise<RunView> {
  return waitFor(async () => (await runsOf(id)).find((r) => r.finished_at !== null), { timeoutMs, intervalMs: 500, what: `a finished run of ${id}` });
}

async function scheduleIsGone(id: string): Promise<boolean> {
  try {
    await temporal.schedule.getHandle(id).describe();
    return false;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return true;
    throw err;
  }
}

describe.concurrent('schedules', () => {
  it('fires every interval_seconds; list_schedules and get_schedule show it with its runs; cancel_schedule deletes it', { timeout: 90_000 }, async () => {
    const made = await schedule({ ...command(fakeAgent('--stdin')), interval_seconds: 10 });
    expect(made).toMatchObject({ created: true, state: 'active', every: 'every 10 s', interval_seconds: 10, cron: null, until: null, backend: 'command' });
    expect(made.schedule_id).toMatch(/^sched_[0-9A-Z]{26}$/);
    expect(made.run_id_prefix).toBe(`run_${made.schedule_id}-`);
    expect(made.next_fire_times.length).toBeGreaterThan(0);
    expect(Date.parse(made.next_fire_times[0]) - Date.now()).toBeLessThanOrEqual(10_000);

    const run = await firstFinishedRun(made.schedule_id);
    // Temporal appends the fire time to the action's workflow id; that id is the run id.
    expect(run.run_id).toMatch(new RegExp(`^run_${made.schedule_id}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
    expect(run).toMatchObject({ status: 'completed', backend: 'command', prompt_preview: 'scheduled work' });
    expect(run.result!.output).toContain('stdin: scheduled work');
    expect((await callOk<RunView>(mcp.client, 'get_run', { run_id: run.run_id })).status).toBe('completed');

    const listed = await waitFor(
      async () => (await callOk<{ schedules: ScheduleView[] }>(mcp.client, 'list_schedules')).schedules.find((s) => s.schedule_id === made.schedule_id),
      { timeoutMs: 10_000, intervalMs: 300, what: 'the schedule in list_schedules' },
    );
    expect(listed).toMatchObject({ state: 'active', every: 'every 10 s', prompt_preview: 'scheduled work', cwd: env.workDir });
    const got = await details(made.schedule_id);
    expect(got.runs_started).toBeGreaterThanOrEqual(1);
    expect(got.schedule.recent_run_ids).toContain(run.run_id);
    expect(got.runs.map((r) => r.run_id)).toContain(run.run_id);

    const cancelled = await callOk<{ deleted: boolean; message: string }>(mcp.client, 'cancel_schedule', { schedule_id: made.schedule_id });
    expect(cancelled).toMatchObject({ deleted: true });
    expect(cancelled.message).toContain('it starts no more runs');
    expect(await scheduleIsGone(made.schedule_id)).toBe(true);
    // Idempotent: again, and through cancel_run, it says the schedule is gone without an error.
    expect(await callOk(mcp.client, 'cancel_schedule', { schedule_id: made.schedule_id })).toMatchObject({ deleted: false, message: expect.stringContaining('already deleted') });
    expect(await callOk(mcp.client, 'cancel_run', { run_id: made.schedule_id })).toMatchObject({ status: 'already_deleted', already_finished: true });
    expect(await callError(mcp.client, 'get_schedule', { schedule_id: made.schedule_id })).toContain(`no schedule "${made.schedule_id}"`);
    // Its runs are still there to read.
    expect((await runsOf(made.schedule_id)).map((r) => r.run_id)).toContain(run.run_id);
  });

  it('cancel_run with a schedule id deletes the schedule', async () => {
    const made = await schedule({ ...command(fakeAgent()), cron: '0 0 1 1 *' });
    expect(made.every).toBe('cron 0 0 1 1 *');
    expect(made.next_fire_times[0]).toMatch(/-01-01T00:00:00\.000Z$/);
    expect(await callOk(mcp.client, 'cancel_run', { run_id: made.schedule_id })).toMatchObject({ run_id: made.schedule_id, status: 'deleted', already_finished: false });
    expect(await scheduleIsGone(made.schedule_id)).toBe(true);
  });

  it('ends its schedule when a run prints the stop marker', { timeout: 90_000 }, async () => {
    const made = await schedule({ ...command(fakeAgent('--stdin'), 'all done [BATON_STOP_SCHEDULE]'), interval_seconds: 10 });
    const run = await firstFinishedRun(made.schedule_id);
    expect(run.result!.output).toContain('[BATON_STOP_SCHEDULE]');
    await waitFor(() => scheduleIsGone(made.schedule_id), { timeoutMs: 10_000, what: 'the schedule to be deleted' });
    expect(await callError(mcp.client, 'get_schedule', { schedule_id: made.schedule_id })).toContain('it was deleted (cancel_schedule, or a run printed the stop marker)');
    expect((await runsOf(made.schedule_id)).map((r) => r.run_id)).toEqual([run.run_id]);
  });

  it('fires no more after until; the schedule then shows as ended', { timeout: 90_000 }, async () => {
    const made = await schedule({ ...command(fakeAgent()), interval_seconds: 10, until_seconds: 12 });
    const until = Date.parse(made.until!);
    expect(until - Date.now()).toBeLessThanOrEqual(12_000);
    for (const fire of made.next_fire_times) expect(Date.parse(fire)).toBeLessThanOrEqual(until);
    // Wait past until and one more interval: any fire after until would have come by then.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, until + 11_000 - Date.now())));
    const got = await waitFor(
      async () => {
        const d = await details(made.schedule_id);
        return d.schedule.state === 'ended' && d.running_run_ids.length === 0 && d.runs.length === d.runs_started ? d : null;
      },
      { timeoutMs: 15_000, intervalMs: 500, what: 'the ended schedule with its runs' },
    );
    // The server keeps an ended schedule (it can still be read, and deleted): it shows as ended.
    expect(got.schedule).toMatchObject({ state: 'ended', next_fire_times: [] });
    expect(got.runs_started).toBeGreaterThanOrEqual(1);
    expect(got.runs_started).toBeLessThanOrEqual(2);
    for (const run of got.runs) {
      expect(run.status).toBe('completed');
      const fireTime = Date.parse(run.run_id.slice(`run_${made.schedule_id}-`.length));
      expect(fireTime).toBeLessThanOrEqual(until);
    }
    const listed = (await callOk<{ schedules: ScheduleView[] }>(mcp.client, 'list_schedules')).schedules.find((s) => s.schedule_id === made.schedule_id);
    expect(listed?.state).toBe('ended');
  });

  it('starts a chained schedule (after_schedule_id) only once the schedule before it has ended', { timeout: 90_000 }, async () => {
    const first = await schedule({ ...command(fakeAgent('--stdin', '--sleep-ms', '2000'), 'first [BATON_STOP_SCHEDULE]'), interval_seconds: 10 });
    const second = await schedule({ ...command(fakeAgent('--stdin'), 'second'), interval_seconds: 10, after_schedule_id: first.schedule_id });
    expect(second).toMatchObject({ state: 'waiting', after_schedule_id: first.schedule_id, note: `waiting for schedule ${first.schedule_id} to end (after_schedule_id)` });

    const firstRun = await firstFinishedRun(first.schedule_id);
    const secondRun = await firstFinishedRun(second.schedule_id, 45_000);
    expect(secondRun.result!.output).toContain('stdin: second');
    expect(Date.parse(secondRun.started_at!)).toBeGreaterThanOrEqual(Date.parse(firstRun.finished_at!));
    expect(await scheduleIsGone(first.schedule_id)).toBe(true);
    const got = await details(second.schedule_id);
    expect(got.schedule).toMatchObject({ state: 'active', note: `started: schedule ${first.schedule_id} has ended` });
    expect(await callOk(mcp.client, 'cancel_schedule', { schedule_id: second.schedule_id })).toMatchObject({ deleted: true });
  });

  it('starts a chained schedule as soon as cancel_schedule deletes the one before it', async () => {
    const first = await schedule({ ...command(fakeAgent()), cron: '0 0 1 1 *' });
    const second = await schedule({ ...command(fakeAgent()), cron: '0 0 1 1 *', after_schedule_id: first.schedule_id });
    expect((await details(second.schedule_id)).schedule.state).toBe('waiting');
    await callOk(mcp.client, 'cancel_schedule', { schedule_id: first.schedule_id });
    await waitFor(async () => (await details(second.schedule_id)).schedule.state === 'active', { timeoutMs: 10_000, intervalMs: 200, what: 'the chained schedule to start' });
    await callOk(mcp.client, 'cancel_schedule', { schedule_id: second.schedule_id });
  });

  it('stops the watcher of a chained schedule that is cancelled while it waits', async () => {
    const first = await schedule({ ...command(fakeAgent()), cron: '0 0 1 1 *' });
    const second = await schedule({ ...command(fakeAgent()), cron: '0 0 1 1 *', after_schedule_id: first.schedule_id });
    await callOk(mcp.client, 'cancel_schedule', { schedule_id: second.schedule_id });
    const watcher = temporal.workflow.getHandle(`schedwatch_${second.schedule_id}`);
    await waitFor(async () => (await watcher.describe()).status.name === 'CANCELLED', { timeoutMs: 10_000, what: 'the watcher to be cancelled' });
    await callOk(mcp.client, 'cancel_schedule', { schedule_id: first.schedule_id });
  });

  it('refuses bad input with a message that says what to change, and creates nothing', async () => {
    const refusals: [Record<string, unknown>, string][] = [
      [{ interval_seconds: 5 }, 'interval_seconds must be at least 10'],
      [{ interval_seconds: 60, cron: '*/5 * * * *' }, 'give exactly one of interval_seconds (every N seconds) and cron'],
      [{ cron: '61 * * * *' }, 'cron "61 * * * *" has minute "61": each value must be 0-59'],
      [{ cron: '0 0 30 2 *' }, 'the schedule would never fire (cron 0 0 30 2 *)'],
      [{ interval_seconds: 60, until: '2020-01-01T00:00:00Z' }, 'until 2020-01-01T00:00:00.000Z is in the past'],
      [{ interval_seconds: 3600, until_seconds: 1 }, 'comes before the first fire'],
      [{ interval_seconds: 60, after_schedule_id: 'sched_01JNOSUCHSCHEDULE000000000' }, 'after_schedule_id: no schedule "sched_01JNOSUCHSCHEDULE000000000"'],
      [{ interval_seconds: 60, cwd: '/etc' }, 'cwd "/etc" is outside the allowed roots'],
      [{ interval_seconds: 60, channel: 'lane' }, 'schedule_run has no field "channel"'],
    ];
    await Promise.all(
      refusals.map(async ([extra, message], i) => {
        const key = `refused-${i}-${env.config.taskQueue}`;
        expect(await callError(mcp.client, 'schedule_run', { ...command(fakeAgent()), ...extra, idempotency_key: key })).toContain(message);
        // The key decides the id: the schedule it would have had does not exist.
        expect(await scheduleIsGone(idempotentScheduleId(key))).toBe(true);
      }),
    );
  });

  it('gives the same schedule for the same idempotency_key, and refuses the key with other arguments', async () => {
    const key = `nightly-${env.config.taskQueue}`;
    const args = { ...command(fakeAgent()), cron: '0 3 * * *', idempotency_key: key };
    const made = await schedule(args);
    const again = await callOk<ScheduleView & { created: boolean }>(mcp.client, 'schedule_run', args);
    expect(again).toMatchObject({ schedule_id: made.schedule_id, created: false });
    expect(await callError(mcp.client, 'schedule_run', { ...args, cron: '0 4 * * *' })).toContain(`idempotency_key "${key}" was already used for schedule ${made.schedule_id}`);
    await callOk(mcp.client, 'cancel_schedule', { schedule_id: made.schedule_id });
  });
});

describe.concurrent('wait_any', () => {
  const spawn = async (sleepMs: number, prompt = `sleep ${sleepMs}`) =>
    (await callOk<{ run_id: string }>(mcp.client, 'spawn_run', command(fakeAgent('--stdin', '--sleep-ms', String(sleepMs)), prompt))).run_id;

  interface WaitedAny {
    finished: boolean;
    run_id: string | null;
    run: RunView | null;
    still_running: string[];
    next_finished_since: string | null;
  }

  it('returns the first of several runs to finish, with the others still running', async () => {
    const [slow, fast, middle] = await Promise.all([spawn(30_000), spawn(500), spawn(20_000)]);
    const waited = await callOk<WaitedAny>(mcp.client, 'wait_any', { run_ids: [slow, fast, middle] });
    expect(waited).toMatchObject({ finished: true, run_id: fast, next_finished_since: null });
    expect(waited.run).toMatchObject({ run_id: fast, status: 'completed' });
    expect(waited.still_running.sort()).toEqual([slow, middle].sort());
    // Called again with a finished run among them, it answers at once with that one.
    expect(await callOk<WaitedAny>(mcp.client, 'wait_any', { run_ids: [slow, fast] })).toMatchObject({ run_id: fast });
    // None finishes in time: finished=false, and all are still running.
    const none = await callOk<WaitedAny>(mcp.client, 'wait_any', { run_ids: [slow, middle], max_wait_seconds: 3 });
    expect(none).toMatchObject({ finished: false, run_id: null, run: null });
    expect(none.still_running.sort()).toEqual([slow, middle].sort());
    await Promise.all([slow, middle].map((run_id) => callOk(mcp.client, 'cancel_run', { run_id })));
  });

  it('sends progress notifications while none has finished', async () => {
    const run = await spawn(30_000);
    const progress: string[] = [];
    await mcp.client.callTool({ name: 'wait_any', arguments: { run_ids: [run], max_wait_seconds: 5 } }, undefined, { onprogress: (p) => progress.push(p.message ?? '') });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toContain('none of 1 finished yet (1 running)');
    await callOk(mcp.client, 'cancel_run', { run_id: run });
  });

  it('refuses an unknown run id, and neither or both of run_ids and finished_since', async () => {
    expect(await callError(mcp.client, 'wait_any', { run_ids: ['run_01JNOSUCHRUN0000000000000'] })).toContain('no run with id "run_01JNOSUCHRUN0000000000000"');
    expect(await callError(mcp.client, 'wait_any', {})).toContain('give exactly one of run_ids');
    expect(await callError(mcp.client, 'wait_any', { run_ids: ['run_x'], finished_since: new Date().toISOString() })).toContain('give exactly one of run_ids');
  });

  it('with finished_since, returns runs in the order they finished, and waits for one', async () => {
    const since = new Date().toISOString();
    const [a, b] = await Promise.all([spawn(300, 'first to finish'), spawn(3000, 'second to finish')]);
    // Other runs on the same Temporal server finish too: walk the feed until both of ours went by.
    const seen: RunView[] = [];
    let cursor = since;
    while (!seen.some((r) => r.run_id === b)) {
      const next = await callOk<WaitedAny>(mcp.client, 'wait_any', { finished_since: cursor, max_wait_seconds: 20 });
      expect(next.finished).toBe(true);
      seen.push(next.run!);
      cursor = next.next_finished_since!;
    }
    expect(seen.filter((r) => r.run_id === a || r.run_id === b).map((r) => r.run_id)).toEqual([a, b]);
    const later = await callOk<WaitedAny>(mcp.client, 'wait_any', { finished_since: new Date(Date.now() + 60_000).toISOString(), max_wait_seconds: 2 });
    expect(later).toMatchObject({ finished: false, run: null });
  });

  it('list_runs finished_since lists only the runs that finished since then', async () => {
    const since = new Date().toISOString();
    const [quick, running] = await Promise.all([spawn(200), spawn(30_000)]);
    await callOk(mcp.client, 'wait_run', { run_id: quick });
    const listed = await waitFor(
      async () => {
        const page = await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { finished_since: since, limit: 100 });
        return page.runs.some((r) => r.run_id === quick) ? page.runs : null;
      },
      { timeoutMs: 10_000, intervalMs: 300, what: 'the finished run in list_runs' },
    );
    expect(listed.map((r) => r.run_id)).not.toContain(running);
    for (const run of listed) expect(Date.parse(run.finished_at!)).toBeGreaterThanOrEqual(Date.parse(since) - 1000);
    const afterwards = await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { finished_since: new Date(Date.now() + 60_000).toISOString() });
    expect(afterwards.runs).toEqual([]);
    expect(await callError(mcp.client, 'list_runs', { finished_since: 'yesterday' })).toContain('finished_since must be an ISO 8601 time');
    await callOk(mcp.client, 'cancel_run', { run_id: running });
  });
});
