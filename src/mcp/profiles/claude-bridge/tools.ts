// claude-bridge-mcp 0.1.0's 16 tools as its server declares them: names, descriptions, argument
// names, defaults and annotations (compared with the real server in the differential test). The
// handlers are in server.ts.
import { z } from 'zod';
import { strictObject } from '../../../domain/strict.js';
import { MAX_WAIT_SECONDS } from '../../context.js';
import { BRIDGE_STOP_MARKER } from '../../../domain/claude-bridge.js';
import { READ_ONLY } from '../../tools/shared.js';
import { MAX_LISTED_JOBS } from './runs.js';

export const INSTRUCTIONS = [
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
const permissionArg = nullableString().describe(
  'Claude Code permission mode: default | acceptEdits | plan | bypassPermissions (and the others Claude Code knows). Default CLAUDE_BRIDGE_DEFAULT_PERMISSION_MODE, else acceptEdits.',
);
const cwdArg = nullableString().describe("Working directory: absolute, under BATON_ALLOWED_ROOTS. Default CLAUDE_BRIDGE_CWD, else the server's directory.");
const notifyUrlArg = nullableString().describe(
  "http(s) URL Baton POSTs claude-bridge's JSON payload to when the job ends as notify_on says (retried for hours; signed when BATON_WEBHOOK_SECRET is set).",
);
const notifyHeadersArg = z.record(z.string(), z.string()).nullable().default(null).describe('Extra request headers (e.g. auth) for the notification; sealed, never shown.');
const jobIdArg = z.string().describe('The job_id dispatch_async returned (a Baton run id, run_...).');
const maxWaitArg = z
  .number()
  .int()
  .min(0)
  .default(50)
  .describe(`Seconds to wait (default 50; more than ${MAX_WAIT_SECONDS} is held to ${MAX_WAIT_SECONDS}, under the MCP request ceiling).`);
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
  notify_url: notifyUrlArg.describe("http(s) URL POSTed claude-bridge's schedule payload on the events notify_on names; retried until it answers."),
  notify_on: z
    .array(z.string())
    .nullable()
    .default(null)
    .describe(
      'Events to push: tick (every tick fired), tick_with_sentinel (the tick that printed the stop marker), tick_error (a tick whose run was refused at launch), schedule_end (cancelled, stopped, or past until). Default ["schedule_end"].',
    ),
  notify_headers: notifyHeadersArg,
};

const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const;
const READ = READ_ONLY;
const DESTRUCTIVE = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false } as const;

const tool = <S extends z.ZodRawShape>(name: string, description: string, shape: S, annotations: typeof READ | typeof WRITE | typeof DESTRUCTIVE) => ({
  description,
  inputSchema: strictObject(shape, name),
  annotations,
});

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
export const TOOLS = {
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
      "With notify_url, claude-bridge's payload {event, job_id, channel, status, ok, started_at, finished_at, result_preview, error} is POSTed when the job ends as notify_on says.",
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
  get_schedule: tool(
    'get_schedule',
    "One schedule: {ok: true, schedule} with last_job_id, last_tick_status and tick_count; status 'cancelled' once it has ended (cancel_schedule, or a tick's stop marker); unknown: {ok: false, error}.",
    { schedule_id: scheduleIdArg },
    READ,
  ),
  cancel_schedule: tool(
    'cancel_schedule',
    'Stop a schedule from firing further ticks: {ok: true, cancelled: true, schedule}. In-flight ticks go on (cancel_dispatch(last_job_id) stops one).',
    { schedule_id: scheduleIdArg },
    DESTRUCTIVE,
  ),
  list_completions: tool(
    'list_completions',
    'Jobs whose finished_at > since, oldest first: {completions: [...]}. Track the largest finished_at you have seen and pass it as the next since.',
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
    { channel: z.string().describe("The channel's name.") },
    DESTRUCTIVE,
  ),
};
