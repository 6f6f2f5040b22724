// The claude-bridge profile (docs/claude-bridge.md): claude-bridge-mcp 0.1.0's 16 tools, with its
// names, arguments, defaults and result dicts, as a thin layer over Baton's runs. Every start goes
// through spawn_run's schema and client call (argument sizes, the cwd allow-list, the launch MAC),
// and the server is a CheckedMcpServer, so every argument passes Baton's shape check first.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Client as TemporalClient } from '@temporalio/client';
import { channelStatus, listChannels, resetChannel } from '../../../client/channels.js';
import { InputError, RunNotFoundError } from '../../../client/errors.js';
import { listRuns } from '../../../client/run-list.js';
import type { RunsClient } from '../../../client/runs.js';
import type { RunView } from '../../../domain/run-view.js';
import { cancelSchedule, createSchedule, listSchedules } from '../../../client/schedules.js';
import { isScheduleId } from '../../../domain/schedule.js';
import { isFinalStatus } from '../../../domain/vocabulary.js';
import { CheckedMcpServer } from '../../checked-server.js';
import { MAX_WAIT_SECONDS, type ToolContext } from '../../context.js';
import { bridgeEvents } from './events.js';
import { INSTRUCTIONS, TOOLS } from './tools.js';
import { bridgeHelp } from './help.js';
import { batonChannel, channelOf, dispatchResultOf, isHashedChannel, jobOf, jobSpawnArgs, type ClaudeBridgeDefaults } from './jobs.js';
import { outputExtras } from './output.js';
import { bridgeGuarded, bridgeResult } from './result.js';
import { completionsSince, MAX_LISTED_JOBS, runsMatching, waitCompletions } from './runs.js';
import { endedSchedule, endedView, listRecords, markCancelled, ticksOf, writeRecord, type ScheduleFacts } from './schedule-records.js';
import { startScheduleNotifier } from './schedule-notifier.js';
import { bridgeScheduleOf, scheduleArgsOf } from './schedules.js';

export type { ClaudeBridgeDefaults } from './jobs.js';

export const CLAUDE_BRIDGE_SERVER_NAME = 'claude-bridge';

/** claude-bridge's defaults from its own environment variables, for callers without a BatonConfig. */
export function defaultClaudeBridge(): ClaudeBridgeDefaults {
  return { cwd: process.env.CLAUDE_BRIDGE_CWD || process.cwd(), permissionMode: process.env.CLAUDE_BRIDGE_DEFAULT_PERMISSION_MODE || 'acceptEdits' };
}

export function createClaudeBridgeServer(ctx: ToolContext, version: string, opts: { push: boolean; defaults: ClaudeBridgeDefaults }): McpServer {
  const server = new CheckedMcpServer(
    { name: CLAUDE_BRIDGE_SERVER_NAME, version },
    { instructions: INSTRUCTIONS, capabilities: { logging: {}, ...(opts.push ? { experimental: { 'claude/channel': {} } } : {}) } },
  );
  const { defaults } = opts;
  /** A one-job answer with claude-bridge's raw and stderr, for a job it shows as done. */
  const withOutput = async (runs: RunsClient, view: RunView, answer: Record<string, unknown>) =>
    'status' in answer && answer.status !== 'done' ? answer : { ...answer, ...(await outputExtras(ctx, runs, view)) };

  server.registerTool('bridge_help', TOOLS.bridge_help, async () => bridgeResult(bridgeHelp(version)));

  server.registerTool('dispatch', TOOLS.dispatch, (args, extra) => {
    const refused = (error: string) => ({ ok: false, channel: args.channel, duration_ms: 0, error });
    return bridgeGuarded(
      'dispatch',
      async () => {
        const spawn = checked(jobSpawnArgs(args, defaults, { asTurn: true }));
        const runs = await ctx.runs();
        const { run_id } = await runs.spawn(spawn);
        const outcome = await runs.wait(run_id, { maxWaitMs: MAX_WAIT_SECONDS * 1000, signal: extra.signal });
        if (!outcome.finished) {
          return {
            ok: false,
            channel: args.channel,
            duration_ms: outcome.view.elapsed_ms ?? 0,
            error: `still running when the wait ended (at most ${MAX_WAIT_SECONDS}s, under the MCP request ceiling); the job goes on: wait_dispatch("${run_id}") returns its result`,
            status: 'running',
            job_id: run_id,
          };
        }
        return { ...(await withOutput(runs, outcome.view, dispatchResultOf(outcome.view))), job_id: run_id };
      },
      refused,
    );
  });

  server.registerTool('dispatch_async', TOOLS.dispatch_async, (args) =>
    bridgeGuarded('dispatch_async', async () => {
      const spawn = checked(jobSpawnArgs(args, defaults, { asTurn: true }));
      const { run_id } = await (await ctx.runs()).spawn(spawn, { notifyFormat: 'claude-bridge' });
      return { ok: true, job_id: run_id, channel: args.channel };
    }),
  );

  server.registerTool('get_dispatch', TOOLS.get_dispatch, ({ job_id }) =>
    bridgeGuarded('get_dispatch', async () => {
      const runs = await ctx.runs();
      const view = await getRun(runs, job_id);
      return withOutput(runs, view, jobOf(view));
    }),
  );

  server.registerTool('wait_dispatch', TOOLS.wait_dispatch, ({ job_id, max_wait_seconds }, extra) =>
    bridgeGuarded('wait_dispatch', async () => {
      const runs = await ctx.runs();
      const outcome = await asJob(job_id, () => runs.wait(job_id, { maxWaitMs: Math.min(max_wait_seconds, MAX_WAIT_SECONDS) * 1000, signal: extra.signal }));
      return withOutput(runs, outcome.view, jobOf(outcome.view));
    }),
  );

  server.registerTool('cancel_dispatch', TOOLS.cancel_dispatch, ({ job_id }) =>
    bridgeGuarded('cancel_dispatch', async () => {
      const runs = await ctx.runs();
      const view = await getRun(runs, job_id);
      const base = { job_id, channel: channelOf(view) };
      if (isFinalStatus(view.status)) return { ...base, cancelled: false, reason: 'already_finished' };
      const outcome = await runs.cancel(job_id, 'cancelled by cancel_dispatch', 10_000);
      return outcome.already_finished ? { ...base, cancelled: false, reason: 'already_finished' } : { ...base, cancelled: true };
    }),
  );

  server.registerTool('list_jobs', TOOLS.list_jobs, () =>
    bridgeGuarded('list_jobs', async () => ({ jobs: (await runsMatching(await ctx.runs(), {}, MAX_LISTED_JOBS)).map((view) => jobOf(view)) })),
  );

  server.registerTool('schedule_dispatch', TOOLS.schedule_dispatch, (args) =>
    bridgeGuarded('schedule_dispatch', async () => {
      const { schedule: scheduleArgs, notify } = checked(scheduleArgsOf(args, defaults));
      const runs = await ctx.runs();
      const { schedule } = await createSchedule(runs, scheduleArgs);
      const view = (await bridgeScheduleOf(runs.client, schedule.schedule_id)) ?? { id: schedule.schedule_id };
      const { last_tick_at: _at, last_job_id: _job, last_tick_status: _status, tick_count: _count, status: _state, error: _error, ...facts } = view;
      try {
        await writeRecord(runs, facts as ScheduleFacts);
        if (notify) await startScheduleNotifier(runs, schedule.schedule_id, args.channel, notify);
      } catch (err) {
        // Without its record an ended schedule would be unknown, and without its notifier it would
        // notify nobody: no schedule rather than half of one.
        await cancelSchedule(runs.client, schedule.schedule_id).catch(() => undefined);
        throw err;
      }
      return { ok: true, schedule_id: schedule.schedule_id, schedule: view };
    }),
  );

  server.registerTool('list_schedules', TOOLS.list_schedules, () =>
    bridgeGuarded('list_schedules', async () => {
      const runs = await ctx.runs();
      const { client } = runs;
      const [views, records] = await Promise.all([listSchedules(client, 200), listRecords(client, 200)]);
      const live = await Promise.all(views.map((v) => bridgeScheduleOf(client, v.schedule_id)));
      // Schedules of this profile that have ended, from their records (claude-bridge lists them too).
      const liveIds = new Set(views.map((v) => v.schedule_id));
      const ended = await Promise.all(records.filter((r) => !liveIds.has(r.facts.id)).map(async (r) => endedView(r, await ticksOf(runs, r.facts.id))));
      return { schedules: [...live.filter((s) => s !== null), ...ended] };
    }),
  );

  server.registerTool('get_schedule', TOOLS.get_schedule, ({ schedule_id }) =>
    bridgeGuarded('get_schedule', async () => {
      const runs = await ctx.runs();
      const schedule = (await bridgeScheduleOf(runs.client, schedule_id)) ?? (isScheduleId(schedule_id) ? await endedSchedule(runs, schedule_id) : null);
      return schedule ? { ok: true, schedule } : { ok: false, error: `unknown schedule_id: ${schedule_id}` };
    }),
  );

  server.registerTool('cancel_schedule', TOOLS.cancel_schedule, ({ schedule_id }) =>
    bridgeGuarded('cancel_schedule', async () => {
      const runs = await ctx.runs();
      const { client } = runs;
      const schedule = await bridgeScheduleOf(client, schedule_id);
      if (!schedule) {
        const ended = isScheduleId(schedule_id) ? await endedSchedule(runs, schedule_id) : null;
        if (ended) return { ok: true, cancelled: false, reason: 'already_inactive', status: ended.status };
        return { ok: false, error: `unknown schedule_id: ${schedule_id}` };
      }
      if (schedule.status === 'completed') {
        await cancelSchedule(client, schedule_id);
        return { ok: true, cancelled: false, reason: 'already_inactive', status: 'completed' };
      }
      // Marked before it is deleted: the notifier woken by the deletion reads it as cancelled, not stopped by a marker.
      await markCancelled(runs, schedule_id);
      await cancelSchedule(client, schedule_id);
      return { ok: true, cancelled: true, schedule: { ...schedule, status: 'cancelled' } };
    }),
  );

  server.registerTool('list_completions', TOOLS.list_completions, ({ since, limit }) =>
    bridgeGuarded('list_completions', async () => ({ completions: await completionsSince(await ctx.runs(), since, limit) })),
  );

  server.registerTool('wait_any_completion', TOOLS.wait_any_completion, ({ since, max_wait_seconds }, extra) =>
    bridgeGuarded('wait_any_completion', async () => ({
      completions: await waitCompletions(await ctx.runs(), since, Math.min(max_wait_seconds, MAX_WAIT_SECONDS) * 1000, extra.signal),
    })),
  );

  server.registerTool('list_events', TOOLS.list_events, ({ since, limit, types, notable_only }) =>
    bridgeGuarded('list_events', async () => ({ events: await bridgeEvents(await ctx.runs(), { since, limit, types, notable_only }) })),
  );

  server.registerTool('list_channels', TOOLS.list_channels, () =>
    bridgeGuarded('list_channels', async () => {
      const { client } = await ctx.runs();
      const pinned = (await listChannels(client)).filter((c) => c.session_id !== null);
      const named = await Promise.all(pinned.map(async (c) => [await bridgeChannelName(client, c.channel), c.session_id] as const));
      return { channels: Object.fromEntries(named) };
    }),
  );

  server.registerTool('reset_channel', TOOLS.reset_channel, ({ channel }) =>
    bridgeGuarded('reset_channel', async () => {
      const { client } = await ctx.runs();
      const name = batonChannel(channel);
      const before = await channelStatus(client, name).catch((err: unknown) => {
        if (err instanceof InputError) return null;
        throw err;
      });
      if (!before) return { reset: false, channel };
      await resetChannel(client, name);
      return { reset: before.session_id !== null, channel };
    }),
  );

  return server;
}

/** The checked arguments, or the refusal as an InputError (which bridgeGuarded answers as {ok: false, error}). */
function checked<T>(result: { ok: true; args: T } | { ok: false; error: string }): T {
  if (!result.ok) throw new InputError(result.error);
  return result.args;
}

/** The claude-bridge name of a Baton channel: itself, or for a digest the name its runs were labelled with. */
async function bridgeChannelName(client: TemporalClient, channel: string): Promise<string> {
  if (!isHashedChannel(channel)) return channel;
  const run = (await listRuns(client, { channel }, 1, null)).runs[0];
  return run ? channelOf(run) : channel;
}

function getRun(runs: RunsClient, jobId: string) {
  return asJob(jobId, () => runs.get(jobId));
}

/** A read of a job: a job_id that names no run is claude-bridge's "unknown job_id". */
async function asJob<T>(jobId: string, read: () => Promise<T>): Promise<T> {
  try {
    if (jobId === '') throw new RunNotFoundError(jobId);
    return await read();
  } catch (err) {
    if (err instanceof RunNotFoundError) throw new InputError(`unknown job_id: ${jobId}`);
    throw err;
  }
}
