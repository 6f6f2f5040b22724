// The arguments of schedule_run: a run spec (spawn_run's fields) plus when it repeats. Checks that
// need the clock or Temporal (until in the past, the earlier schedule) live in src/client.
import { z } from 'zod';
import { checkCron } from './cron.js';
import { MIN_SCHEDULE_GAP_SECONDS, SCHEDULE_ID_PREFIX } from './schedule.js';
import { checkSpawnArgs, spawnRunShape } from './spawn-input.js';
import { strictObject } from './strict.js';

const YEAR_SECONDS = 366 * 24 * 3600;

// A schedule starts plain runs: a channel turn needs its channel to enqueue it, which a schedule's
// start-workflow action cannot do.
const { channel: _channel, idempotency_key: _key, nickname: _nickname, ...runFields } = spawnRunShape;

export const scheduleRunShape = {
  ...runFields,
  interval_seconds: z
    .number()
    .int('interval_seconds must be a whole number of seconds')
    .min(MIN_SCHEDULE_GAP_SECONDS, `interval_seconds must be at least ${MIN_SCHEDULE_GAP_SECONDS}`)
    .max(YEAR_SECONDS, 'interval_seconds is at most a year (31,622,400)')
    .optional()
    .describe(
      `Start a run every this many seconds (at least ${MIN_SCHEDULE_GAP_SECONDS}). Fires are aligned to the clock (every 3600 = on the hour), so the first comes within one interval. Give this or cron.`,
    ),
  cron: z
    .string()
    .min(1)
    .max(300)
    .optional()
    .describe(
      'Start a run at the times of this cron expression, in UTC unless it begins with CRON_TZ=<zone>: "minute hour day-of-month month day-of-week", ' +
        'e.g. "0 9 * * MON-FRI" (09:00 on weekdays) or "*/15 * * * *"; @hourly, @daily, @weekly, @monthly and @yearly work too. Give this or interval_seconds.',
    ),
  until: z.string().optional().describe('ISO 8601 time after which the schedule fires no more (e.g. "2026-02-01T00:00:00Z"). Default: no end.'),
  until_seconds: z
    .number()
    .int()
    .min(1)
    .max(10 * YEAR_SECONDS)
    .optional()
    .describe('Like until, counted from now: the schedule fires no more after this many seconds.'),
  after_schedule_id: z
    .string()
    .startsWith(SCHEDULE_ID_PREFIX, `after_schedule_id is a schedule id, "${SCHEDULE_ID_PREFIX}..." (schedule_run returned it)`)
    .max(200)
    .optional()
    .describe(
      "Chain: the new schedule waits, paused, until this schedule has ended (deleted by cancel_schedule or a run's stop marker, or past its until with no run still going), then starts.",
    ),
  idempotency_key: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Calls with the same key get the same schedule while it exists (safe to retry). Reusing a key with other arguments is an error.'),
};

type ScheduleObject = z.infer<ReturnType<typeof scheduleRunObject>>;

/** spawn_run's checks for the run, then exactly one timing, a valid cron, and one way to say until. */
export function checkScheduleArgs(args: ScheduleObject, ctx: z.RefinementCtx): void {
  checkSpawnArgs(args, ctx);
  if ((args.interval_seconds === undefined) === (args.cron === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['interval_seconds'], message: 'give exactly one of interval_seconds (every N seconds) and cron (a cron expression)' });
  }
  if (args.cron !== undefined) {
    const check = checkCron(args.cron, MIN_SCHEDULE_GAP_SECONDS);
    if (!check.ok) ctx.addIssue({ code: 'custom', path: ['cron'], message: check.error! });
  }
  if (args.until !== undefined && args.until_seconds !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['until'], message: 'give at most one of until (an ISO time) and until_seconds (seconds from now)' });
  }
  if (args.until !== undefined && Number.isNaN(Date.parse(args.until))) {
    ctx.addIssue({ code: 'custom', path: ['until'], message: `until must be an ISO 8601 time such as 2026-01-31T09:00:00Z; got "${args.until}"` });
  }
}

function scheduleRunObject() {
  return strictObject(scheduleRunShape, 'schedule_run');
}

export const scheduleRunInputSchema = scheduleRunObject().superRefine(checkScheduleArgs);
export type ScheduleRunArgs = z.infer<typeof scheduleRunInputSchema>;
