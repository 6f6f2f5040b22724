// schedule_run, list_schedules, get_schedule, cancel_schedule: repeated runs on Temporal Schedules.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { cancelSchedule, createSchedule, getSchedule, listSchedules } from '../../client/schedules.js';
import { STOP_SCHEDULE_MARKER } from '../../domain/notify.js';
import { runViewSchema } from '../../domain/run-view.js';
import { scheduleRunInputSchema } from '../../domain/schedule-input.js';
import { scheduleViewSchema } from '../../domain/schedule-view.js';
import { strictObject } from '../../domain/spawn-input.js';
import type { ToolContext } from '../context.js';
import { guarded, structured } from '../tool-result.js';
import { READ_ONLY } from './shared.js';

const scheduleIdArg = z
  .string()
  .min(1, 'schedule_id is required: the id schedule_run returned (sched_...)')
  .max(200)
  .describe('The schedule id that schedule_run returned, e.g. "sched_01J...".');

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
const scheduleRunTool = {
  title: 'Schedule repeated runs',
  description:
    'Start the same run again and again: every interval_seconds (at least 10), or at the times of a cron expression, optionally until a time. ' +
    "Takes spawn_run's fields for the run (not channel) and checks them all now. A run still going when the next fire comes makes that fire skip. " +
    `A run whose final output contains ${STOP_SCHEDULE_MARKER} ends its schedule. after_schedule_id chains: this schedule starts once that one has ended. ` +
    'Returns schedule_id and the next fire times; runs it starts have ids "run_<schedule_id>-<fire time>". Stop it with cancel_schedule.',
  inputSchema: scheduleRunInputSchema,
  outputSchema: scheduleViewSchema.extend({
    created: z.boolean().describe('False when idempotency_key matched a schedule created earlier.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
};

const listSchedulesTool = {
  title: 'List schedules',
  description:
    "Baton's schedules, newest first: when each fires, its next fire times, its state (active, waiting for the schedule it is chained after, paused, ended), " +
    'until, the run it starts (backend, prompt) and its latest run ids. A schedule created or deleted a moment ago may show a moment later.',
  inputSchema: strictObject({ limit: z.number().int().min(1).max(200).default(50).describe('At most this many schedules (default 50).') }, 'list_schedules'),
  outputSchema: z.object({ schedules: z.array(scheduleViewSchema) }),
  annotations: READ_ONLY,
};

const getScheduleTool = {
  title: 'Get a schedule',
  description: 'One schedule with its latest runs (newest first, as list_runs shows them), how many runs it started, and which are still going.',
  inputSchema: strictObject({ schedule_id: scheduleIdArg }, 'get_schedule'),
  outputSchema: z.object({
    schedule: scheduleViewSchema,
    runs_started: z.number(),
    running_run_ids: z.array(z.string()),
    skipped_for_overlap: z.number().describe('Fires skipped because the run before was still going.'),
    missed_catchup_window: z.number().describe('Fires missed because Temporal was down for longer than the catch-up window.'),
    runs: z.array(runViewSchema).describe('Its latest runs, newest first; result output cut as in list_runs.'),
  }),
  annotations: READ_ONLY,
};

const cancelScheduleTool = {
  title: 'Cancel a schedule',
  description:
    'Deletes a schedule: it starts no more runs. Runs it already started go on (their ids are returned; cancel_run stops them). ' +
    'Idempotent: a schedule that is already gone is reported with deleted=false, not as an error.',
  inputSchema: strictObject({ schedule_id: scheduleIdArg }, 'cancel_schedule'),
  outputSchema: z.object({
    schedule_id: z.string(),
    deleted: z.boolean().describe('False when there was no such schedule (already deleted).'),
    running_run_ids: z.array(z.string()).describe('Runs it started that are still going.'),
    message: z.string(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
};

export function registerScheduleTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool('schedule_run', scheduleRunTool, (args) =>
    guarded('schedule_run', async () => {
      const { schedule, created } = await createSchedule(await ctx.runs(), args);
      return structured({ ...schedule, created });
    }),
  );

  server.registerTool('list_schedules', listSchedulesTool, ({ limit }) =>
    guarded('list_schedules', async () => structured({ schedules: await listSchedules((await ctx.runs()).client, limit) })),
  );

  server.registerTool('get_schedule', getScheduleTool, ({ schedule_id }) =>
    guarded('get_schedule', async () => structured(await getSchedule((await ctx.runs()).client, schedule_id))),
  );

  server.registerTool('cancel_schedule', cancelScheduleTool, ({ schedule_id }) =>
    guarded('cancel_schedule', async () => structured(await cancelSchedule((await ctx.runs()).client, schedule_id))),
  );
}
