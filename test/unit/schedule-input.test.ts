import { describe, expect, it } from 'vitest';
import { catchupWindowSeconds, firstIntervalFire, idempotentScheduleId, newScheduleId, resolveUntil, scheduleOptions, type ScheduleBuild } from '../../src/client/schedule-spec.js';
import { checkCron } from '../../src/domain/cron.js';
import { toRunSpec } from '../../src/domain/spawn-input.js';
import { scheduleRunInputSchema, type ScheduleRunArgs } from '../../src/domain/schedule-input.js';
import { nextLookMs } from '../../src/workflows/schedule-watcher.js';

const run = { prompt: 'check the build', backend: 'command', cwd: '/work/project', backend_config: { command: ['npm', 'test'] } };

function errorOf(args: Record<string, unknown>): string {
  const parsed = scheduleRunInputSchema.safeParse(args);
  expect(parsed.success).toBe(false);
  return parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
}

describe('schedule_run arguments', () => {
  it('take a run spec with an interval or a cron', () => {
    expect(scheduleRunInputSchema.parse({ ...run, interval_seconds: 600 })).toMatchObject({ interval_seconds: 600, role: 'worker' });
    expect(scheduleRunInputSchema.parse({ ...run, cron: '0 9 * * MON-FRI', until_seconds: 3600 })).toMatchObject({ cron: '0 9 * * MON-FRI' });
  });

  it('refuse an interval under 10 seconds, and both or neither of interval and cron', () => {
    expect(errorOf({ ...run, interval_seconds: 5 })).toContain('interval_seconds must be at least 10');
    expect(errorOf({ ...run, interval_seconds: 60, cron: '* * * * *' })).toContain('give exactly one of interval_seconds (every N seconds) and cron');
    expect(errorOf(run)).toContain('give exactly one of interval_seconds');
  });

  it('check the run spec as spawn_run does', () => {
    expect(errorOf({ ...run, backend_config: {}, interval_seconds: 60 })).toContain('backend_config.command');
    expect(errorOf({ ...run, prompt: undefined, interval_seconds: 60 })).toContain('give exactly one of prompt');
  });

  it('refuse a channel: a schedule starts plain runs', () => {
    expect(errorOf({ ...run, interval_seconds: 60, channel: 'lane' })).toContain('schedule_run has no field "channel"');
  });

  it('refuse until together with until_seconds, and an until that is not a time', () => {
    expect(errorOf({ ...run, interval_seconds: 60, until: '2099-01-01T00:00:00Z', until_seconds: 60 })).toContain('give at most one of until');
    expect(errorOf({ ...run, interval_seconds: 60, until: 'tomorrow' })).toContain('until must be an ISO 8601 time');
  });

  it('refuse an after_schedule_id that is not a schedule id', () => {
    expect(errorOf({ ...run, interval_seconds: 60, after_schedule_id: 'run_01J' })).toContain('after_schedule_id is a schedule id');
  });
});

describe('cron expressions', () => {
  it('accept what Temporal accepts: 5-7 fields, names, ranges, steps, lists, shorthands, a time zone, a comment', () => {
    for (const cron of [
      '0 9 * * MON-FRI',
      '*/15 * * * *',
      '0 0 1 jan,jul *',
      '30 8 * * 1-5 2030',
      '*/10 * * * * * *',
      '@daily',
      '@hourly',
      'CRON_TZ=Europe/Berlin 0 9 * * *',
      '0 12 * * 7 # sundays',
    ]) {
      expect(checkCron(cron, 10), cron).toMatchObject({ ok: true });
    }
  });

  it('name the field that is wrong and the forms it takes', () => {
    expect(checkCron('61 * * * *', 10).error).toBe('cron "61 * * * *" has minute "61": each value must be 0-59 (forms: *, 5, 1-5, */15, 1-5/2, 1,3,5)');
    expect(checkCron('0 9 * * FUNDAY', 10).error).toContain('has day of week "FUNDAY": each value must be 0-7 or a name such as MON');
    expect(checkCron('0 9 * *', 10).error).toContain('has 4 fields: give 5 (minute hour day-of-month month day-of-week');
    expect(checkCron('0 9-5 * * *', 10).error).toContain('a range that ends before it starts');
    expect(checkCron('*/0 * * * *', 10).error).toContain('a step that is not a whole number of at least 1');
    expect(checkCron('@sometimes', 10).error).toContain('unknown shorthand');
    expect(checkCron('@every 30s', 10).error).toContain('give interval_seconds instead');
    expect(checkCron('TZ=Nowhere/City 0 9 * * *', 10).error).toContain('unknown time zone "Nowhere/City"');
  });

  it('refuse a cron that fires more often than every 10 seconds', () => {
    expect(checkCron('* * * * * * *', 10).error).toContain('fires every 1 s or more often');
    expect(checkCron('*/5 * * * * * *', 10).ok).toBe(false);
  });

  it('estimate the gap between fires from the finest field that varies', () => {
    expect(checkCron('*/15 * * * *', 10).gapSeconds).toBe(900);
    expect(checkCron('0 */2 * * *', 10).gapSeconds).toBe(7200);
    expect(checkCron('0 9 * * MON-FRI', 10).gapSeconds).toBe(86_400);
    expect(checkCron('0,50 * * * * * *', 10).gapSeconds).toBe(10);
  });
});

describe('the Temporal schedule built from them', () => {
  const now = new Date('2026-03-01T10:00:03.500Z');

  function build(extra: Partial<ScheduleRunArgs>): ScheduleBuild {
    const args = scheduleRunInputSchema.parse({ ...run, ...extra });
    const input = {
      run_id: 'run_sched_TEST',
      created_at: now.toISOString(),
      spec: toRunSpec(args, { cwd: '/work/project' }),
      args_hash: 'h',
      task_queue: 'baton',
      timings: { heartbeat_timeout_ms: 20_000, kill_grace_ms: 5000, host_wait_ms: 60_000 },
      schedule_id: 'sched_TEST',
    };
    return { scheduleId: 'sched_TEST', args, run: input, argsHash: 'h', until: resolveUntil(args, now), now };
  }

  it("starts agentRun with the resolved run as its argument, under the schedule's id prefix, on the shared queue", () => {
    const options = scheduleOptions(build({ interval_seconds: 600 }));
    expect(options.action).toMatchObject({ type: 'startWorkflow', workflowType: 'agentRun', workflowId: 'run_sched_TEST', taskQueue: 'baton' });
    expect(options.action.args).toEqual([expect.objectContaining({ schedule_id: 'sched_TEST', spec: expect.objectContaining({ backend: 'command' }) })]);
    expect(options.action.staticSummary).toBe('worker · command · check the build');
    expect(options.action.memo).toHaveProperty('view.status', 'queued');
    expect(options.action.typedSearchAttributes).toContainEqual(expect.objectContaining({ value: 'run' }));
  });

  it('fires on the interval or the cron, ends at until, skips overlaps and never pauses on failure', () => {
    const interval = scheduleOptions(build({ interval_seconds: 600, until_seconds: 7200 }));
    expect(interval.spec).toEqual({ intervals: [{ every: 600_000 }], endAt: new Date('2026-03-01T12:00:03.500Z') });
    expect(interval.policies).toEqual({ overlap: 'SKIP', catchupWindow: 600_000, pauseOnFailure: false });
    const cron = scheduleOptions(build({ cron: '*/15 * * * *' }));
    expect(cron.spec).toEqual({ cronExpressions: ['*/15 * * * *'] });
    expect(cron.policies!.catchupWindow).toBe(900_000);
  });

  it('keeps a catch-up window of at least a minute', () => {
    expect(catchupWindowSeconds({ interval_seconds: 10 })).toBe(60);
    expect(catchupWindowSeconds({ cron: '0,30 * * * * * *' })).toBe(60);
    expect(catchupWindowSeconds({ cron: '@daily' })).toBe(86_400);
  });

  it("marks the schedule as Baton's, with what list_schedules shows in its memo", () => {
    const options = scheduleOptions(build({ cron: '0 9 * * *', until: '2026-04-01T00:00:00Z' }));
    expect(options.memo).toEqual({
      baton: {
        created_at: now.toISOString(),
        backend: 'command',
        role: 'worker',
        cwd: '/work/project',
        prompt_preview: 'check the build',
        interval_seconds: null,
        cron: '0 9 * * *',
        until: '2026-04-01T00:00:00.000Z',
        after_schedule_id: null,
        args_hash: 'h',
      },
    });
    expect(options.typedSearchAttributes).toContainEqual(expect.objectContaining({ value: 'schedule' }));
    expect(options.state).toBeUndefined();
  });

  it('creates a chained schedule paused, with a note that says what it waits for', () => {
    const options = scheduleOptions(build({ interval_seconds: 60, after_schedule_id: 'sched_EARLIER' }));
    expect(options.state).toEqual({ paused: true, note: 'waiting for schedule sched_EARLIER to end (after_schedule_id)' });
    expect(options.typedSearchAttributes).toContainEqual(expect.objectContaining({ value: 'sched_EARLIER' }));
  });

  it('refuses an until in the past, and turns until_seconds into a time', () => {
    expect(() => resolveUntil({ until: '2026-03-01T09:00:00Z' }, now)).toThrow('until 2026-03-01T09:00:00.000Z is in the past');
    expect(resolveUntil({ until_seconds: 60 }, now)).toEqual(new Date('2026-03-01T10:01:03.500Z'));
    expect(resolveUntil({}, now)).toBeNull();
  });

  it('knows that interval fires are aligned to the clock', () => {
    expect(firstIntervalFire(10, now)).toEqual(new Date('2026-03-01T10:00:10.000Z'));
    expect(firstIntervalFire(3600, now)).toEqual(new Date('2026-03-01T11:00:00.000Z'));
  });

  it('makes schedule ids with the sched_ prefix; a key always gives the same one', () => {
    expect(newScheduleId()).toMatch(/^sched_[0-9A-Z]{26}$/);
    expect(idempotentScheduleId('nightly')).toBe(idempotentScheduleId('nightly'));
    expect(idempotentScheduleId('nightly')).not.toBe(idempotentScheduleId('hourly'));
  });
});

describe('the chain watcher', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');
  const state = (end_at: string | null, running: number) => ({ ended: false, reason: '', end_at, running });

  it("sleeps until just after the earlier schedule's end when it is near, and looks slowly otherwise", () => {
    expect(nextLookMs(state('2026-03-01T10:00:20Z', 0), now)).toBe(21_000);
    expect(nextLookMs(state('2026-03-02T10:00:00Z', 0), now)).toBe(300_000);
    expect(nextLookMs(state('2026-03-01T09:00:00Z', 1), now)).toBe(30_000);
    expect(nextLookMs(state(null, 0), now)).toBe(300_000);
  });
});
