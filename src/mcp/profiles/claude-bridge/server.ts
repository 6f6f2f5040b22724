// The claude-bridge profile (docs/claude-bridge.md): claude-bridge-mcp 0.1.0's 16 tools, with its
// names, arguments, defaults and result dicts, as a thin layer over Baton's runs. Every start goes
// through spawn_run's schema and client call (argument sizes, the cwd allow-list, the launch MAC),
// and the server is a CheckedMcpServer, so every argument passes Baton's shape check first.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Client as TemporalClient } from '@temporalio/client';
import { z } from 'zod';
import { channelStatus, listChannels, resetChannel } from '../../../client/channels.js';
import { InputError, RunNotFoundError } from '../../../client/errors.js';
import { listRuns } from '../../../client/run-list.js';
import type { RunsClient } from '../../../client/runs.js';
import type { RunView } from '../../../domain/run-view.js';
import { cancelSchedule, createSchedule, listSchedules } from '../../../client/schedules.js';
import { BRIDGE_STOP_MARKER } from '../../../domain/claude-bridge.js';
import { isScheduleId } from '../../../domain/schedule.js';
import { strictObject } from '../../../domain/strict.js';
import { isFinalStatus } from '../../../domain/vocabulary.js';
import { CheckedMcpServer } from '../../checked-server.js';
import { MAX_WAIT_SECONDS, type ToolContext } from '../../context.js';
import { bridgeEvents } from './events.js';
import { bridgeHelp } from './help.js';
import { batonChannel, channelOf, dispatchResultOf, isHashedChannel, jobOf, jobSpawnArgs, type ClaudeBridgeDefaults } from './jobs.js';
import { outputExtras } from './output.js';
import { bridgeGuarded, bridgeResult } from './result.js';
import { completionsSince, MAX_LISTED_JOBS, runsMatching, waitCompletions } from './runs.js';
import { endedSchedule, endedView, listRecords, markCancelled, ticksOf, writeRecord, type ScheduleFacts } from './schedule-records.js';
import { bridgeScheduleOf, scheduleArgsOf } from './schedules.js';

export type { ClaudeBridgeDefaults } from './jobs.js';

export const CLAUDE_BRIDGE_SERVER_NAME = 'claude-bridge';

/** claude-bridge's defaults from its own environment variables, for callers without a BatonConfig. */
export function defaultClaudeBridge(): ClaudeBridgeDefaults {
  return { cwd: process.env.CLAUDE_BRIDGE_CWD || process.cwd(), permissionMode: process.env.CLAUDE_BRIDGE_DEFAULT_PERMISSION_MODE || 'acceptEdits' };
}

const INSTRUCTIONS = [
  "Baton, offering claude-bridge's tools: each job is a durable Baton run of Claude Code (job_id is its run id).",
  'Short prompts: dispatch. Longer: dispatch_async, then wait_dispatch in a loop while status is "running". Recurring: schedule_dispatch.',
  `A scheduled tick whose result contains ${BRIDGE_STOP_MARKER} ends its schedule. bridge_help explains every tool.`,
].join('\n');

// claude-bridge's argument shapes (its FastMCP schemas): optional arguments are nullable, default null.
const nullableString = () => z.string().nullable().default(null);
const promptArg = z.string().describe('The natural-language task for Claude Code.');
const channelArg = z
  .string()
  .default('default')
  .describe('Logical conversation thread: dispatches on one channel share one Claude Code session, one at a time (a Baton channel of the same name). Default "default".');
const timeoutArg = z.number().int().default(300).describe('Wall-clock seconds before the job is stopped (status done, ok false). Default 300.');
const permissionArg = nullableString().describe('Claude Code permission mode: default | acceptEdits | plan | bypassPermissions (and the others Claude Code knows). Default CLAUDE_BRIDGE_DEFAULT_PERMISSION_MODE, else acceptEdits.');
const cwdArg = nullableString().describe('Working directory: absolute, under BATON_ALLOWED_ROOTS. Default CLAUDE_BRIDGE_CWD, else the server\'s directory.');
const notifyUrlArg = nullableString().describe('http(s) URL Baton POSTs claude-bridge\'s JSON payload to when the job ends as notify_on says (retried for hours; signed when BATON_WEBHOOK_SECRET is set).');
const notifyHeadersArg = z.record(z.string(), z.string()).nullable().default(null).describe('Extra request headers (e.g. auth) for the notification; sealed, never shown.');
const jobIdArg = z.string().describe('The job_id dispatch_async returned (a Baton run id, run_...).');
const maxWaitArg = z.number().int().min(0).default(50).describe(`Seconds to wait (default 50; more than ${MAX_WAIT_SECONDS} is held to ${MAX_WAIT_SECONDS}, under the MCP request ceiling).`);
const scheduleIdArg = z.string().describe('The schedule_id schedule_dispatch returned (sched_...).');
const sinceArg = z.number().default(0).describe('Epoch seconds: only what came after this cursor (0: everything).');

const dispatchShape = { prompt: promptArg, channel: channelArg, timeout_seconds: timeoutArg, permission_mode: permissionArg, cwd: cwdArg };
const asyncShape = {
  ...dispatchShape,
  notify_url: notifyUrlArg,
  notify_on: z.array(z.string()).nullable().default(null).describe('Endings that notify: done (the default; also a failed or timed-out job), error, cancelled, abandoned.'),
  notify_headers: notifyHeadersArg,
};
const scheduleShape = {
  prompt: z.string().describe('The text fired at each tick.'),
  channel: z.string().describe('Channel every tick is labelled with.'),
  interval_seconds: z.number().describe('Seconds between ticks: a whole number, at least 10. Ticks are aligned to the clock.'),
  until: nullableString().describe('Absolute end time, ISO 8601; without a zone it is read as UTC. Not with until_seconds.'),
  until_seconds: z.number().nullable().default(null).describe('End time in seconds from now.'),
  timeout_seconds: timeoutArg.describe('Per-tick timeout. Default 300.'),
  permission_mode: permissionArg,
  cwd: cwdArg,
  after_schedule_id: nullableString().describe('Start only once this schedule has ended (chain).'),
  notify_url: notifyUrlArg.describe('http(s) URL notified at the end of ticks, as notify_on says.'),
  notify_on: z.array(z.string()).nullable().default(null).describe('tick (every tick\'s run ends) or tick_error (a tick failed). schedule_end and tick_with_sentinel are not available.'),
  notify_headers: notifyHeadersArg,
};

const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;
const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
const DESTRUCTIVE = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false } as const;

const tool = <S extends z.ZodRawShape>(name: string, description: string, shape: S, annotations: typeof READ | typeof WRITE | typeof DESTRUCTIVE) => ({
  description,
  inputSchema: strictObject(shape, name),
  annotations,
});

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
const TOOLS = {
  bridge_help: tool('bridge_help', 'Return a structured guide to every tool, recommended workflow, and common gotcha. Call this once when you start using the bridge.', {}, READ),
  dispatch: tool(
    'dispatch',
    'Run a prompt against Claude Code and return the result: {ok: true, channel, duration_ms, result, session_id, job_id} or {ok: false, channel, duration_ms, error, exit_code?}. ' +
      'Waits up to 55 s; a job still going then answers ok=false, status "running" with its job_id: continue with wait_dispatch. For anything longer use dispatch_async.',
    dispatchShape,
    WRITE,
  ),
  dispatch_async: tool(
    'dispatch_async',
    'Start a durable background job and return {ok: true, job_id, channel} at once ({ok: false, error} when an argument is refused). Then poll with wait_dispatch(job_id) until status != "running". ' +
      'With notify_url, claude-bridge\'s payload {event, job_id, channel, status, ok, started_at, finished_at, result_preview, error} is POSTed when the job ends as notify_on says.',
    asyncShape,
    WRITE,
  ),
  get_dispatch: tool(
    'get_dispatch',
    "Non-blocking read of a job's state. status: running (elapsed_ms), done (ok, result or error), error, cancelled, abandoned. Unknown job_id: {ok: false, error}.",
    { job_id: jobIdArg },
    READ,
  ),
  wait_dispatch: tool(
    'wait_dispatch',
    "Long-poll a job for up to max_wait_seconds (default 50), then return get_dispatch's shape; call again while status == 'running'. The job goes on if this call is aborted.",
    { job_id: jobIdArg, max_wait_seconds: maxWaitArg },
    READ,
  ),
  cancel_dispatch: tool(
    'cancel_dispatch',
    "Cancel a job: SIGTERM to its whole process tree, then SIGKILL; status becomes 'cancelled'. Returns {job_id, channel, cancelled: true}, or cancelled: false with reason 'already_finished'.",
    { job_id: jobIdArg },
    DESTRUCTIVE,
  ),
  list_jobs: tool('list_jobs', `The newest jobs (at most ${MAX_LISTED_JOBS}), running and finished: {jobs: [get_dispatch shape, ...]}.`, {}, READ),
  schedule_dispatch: tool(
    'schedule_dispatch',
    `Recurring dispatch: fire prompt every interval_seconds until until/until_seconds, or until a tick's result contains ${BRIDGE_STOP_MARKER}. ` +
      'Each tick is a job of its own. Returns {ok: true, schedule_id, schedule} or {ok: false, error}.',
    scheduleShape,
    WRITE,
  ),
  list_schedules: tool('list_schedules', "Every schedule: {schedules: [...]}, the current ones and the ended ones schedule_dispatch made (status 'cancelled').", {}, READ),
  get_schedule: tool('get_schedule', "One schedule: {ok: true, schedule} with last_job_id, last_tick_status and tick_count; status 'cancelled' once it has ended (cancel_schedule, or a tick's stop marker); unknown: {ok: false, error}.", { schedule_id: scheduleIdArg }, READ),
  cancel_schedule: tool(
    'cancel_schedule',
    'Stop a schedule from firing further ticks: {ok: true, cancelled: true, schedule}. In-flight ticks go on (cancel_dispatch(last_job_id) stops one).',
    { schedule_id: scheduleIdArg },
    DESTRUCTIVE,
  ),
  list_completions: tool(
    'list_completions',
    "Jobs whose finished_at > since, oldest first: {completions: [...]}. Track the largest finished_at you have seen and pass it as the next since.",
    { since: sinceArg, limit: z.number().int().default(50).describe('At most this many (default 50; 0: all).') },
    READ,
  ),
  wait_any_completion: tool(
    'wait_any_completion',
    'Long-poll up to max_wait_seconds (default 50) for any completion since the cursor; returns at once if there are some: {completions: [...]}.',
    { since: sinceArg, max_wait_seconds: maxWaitArg },
    READ,
  ),
  list_events: tool(
    'list_events',
    'Events whose ts > since, oldest first: {events: [{ts, event, ...}]}: dispatch_start, dispatch_end, dispatch_cancelled, dispatch_error, dispatch_abandoned, schedule_created, schedule_tick, schedule_cancelled, schedule_self_cancelled, schedule_completed, webhook_sent, webhook_failed. ' +
      'notable_only keeps the ones worth telling a human; types is an allow-list.',
    {
      since: sinceArg,
      limit: z.number().int().default(100).describe('At most this many (default 100; 0: all).'),
      types: z.array(z.string()).nullable().default(null).describe('Only these event names.'),
      notable_only: z.boolean().default(false).describe('Only terminal transitions and failures.'),
    },
    READ,
  ),
  list_channels: tool('list_channels', 'channel -> pinned session_id: {channels: {...}}.', {}, READ),
  reset_channel: tool(
    'reset_channel',
    "Drop a channel's pinned session so the next dispatch starts a fresh one: {reset, channel}. Does not cancel running work.",
    { channel: z.string().describe('The channel\'s name.') },
    DESTRUCTIVE,
  ),
};

export function createClaudeBridgeServer(ctx: ToolContext, version: string, opts: { push: boolean; defaults: ClaudeBridgeDefaults }): McpServer {
  const server = new CheckedMcpServer({ name: CLAUDE_BRIDGE_SERVER_NAME, version }, { instructions: INSTRUCTIONS, capabilities: { logging: {}, ...(opts.push ? { experimental: { 'claude/channel': {} } } : {}) } });
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
      await getRun(runs, job_id);
      const outcome = await runs.wait(job_id, { maxWaitMs: Math.min(max_wait_seconds, MAX_WAIT_SECONDS) * 1000, signal: extra.signal });
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
      const scheduleArgs = checked(scheduleArgsOf(args, defaults));
      const runs = await ctx.runs();
      const { schedule } = await createSchedule(runs, scheduleArgs);
      const view = (await bridgeScheduleOf(runs.client, schedule.schedule_id)) ?? { id: schedule.schedule_id };
      const { last_tick_at: _at, last_job_id: _job, last_tick_status: _status, tick_count: _count, status: _state, error: _error, ...facts } = view;
      try {
        await writeRecord(runs, facts as ScheduleFacts);
      } catch (err) {
        // Without its record an ended schedule would be unknown: no schedule rather than half of one.
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
      await cancelSchedule(client, schedule_id);
      if (schedule.status === 'completed') return { ok: true, cancelled: false, reason: 'already_inactive', status: 'completed' };
      await markCancelled(runs, schedule_id);
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

async function getRun(runs: RunsClient, jobId: string) {
  try {
    if (jobId === '') throw new RunNotFoundError(jobId);
    return await runs.get(jobId);
  } catch (err) {
    if (err instanceof RunNotFoundError) throw new InputError(`unknown job_id: ${jobId}`);
    throw err;
  }
}
