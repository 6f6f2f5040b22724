// How a schedule is shown by list_schedules, get_schedule and schedule_run: a zod schema, so the
// tools can publish it as an output schema.
import { z } from 'zod';
import { BACKENDS, ROLES } from './vocabulary.js';

export const SCHEDULE_STATES = ['active', 'waiting', 'paused', 'ended'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

export const scheduleViewSchema = z.object({
  schedule_id: z.string(),
  state: z
    .enum(SCHEDULE_STATES)
    .describe('active: fires on its spec; waiting: chained, waits for after_schedule_id to end; paused: paused by hand (Web UI); ended: no more fires (until passed).'),
  every: z.string().describe('When it fires, in words: "every 600 s" or "cron 0 9 * * MON-FRI".'),
  interval_seconds: z.number().nullable(),
  cron: z.string().nullable(),
  until: z.string().nullable().describe('ISO time after which it fires no more; null when it has no end.'),
  after_schedule_id: z.string().nullable().describe('The schedule this one was chained after.'),
  next_fire_times: z.array(z.string()).describe('The next few fire times (ISO); for a waiting schedule, the times it would fire if it started now.'),
  note: z.string().nullable(),
  backend: z.enum(BACKENDS),
  role: z.enum(ROLES),
  cwd: z.string(),
  prompt_preview: z.string(),
  created_at: z.string(),
  run_id_prefix: z.string().describe('Runs it starts have ids that begin with this, followed by "-" and the fire time.'),
  recent_run_ids: z.array(z.string()).describe('Runs it started lately, newest first.'),
});
export type ScheduleView = z.infer<typeof scheduleViewSchema>;
