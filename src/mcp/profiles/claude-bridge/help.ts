// bridge_help: claude-bridge's structured guide (same keys), telling what Baton does under each tool.
import { BRIDGE_NOTABLE_EVENTS, BRIDGE_STOP_MARKER } from '../../../domain/claude-bridge.js';
import { STOP_SCHEDULE_MARKER } from '../../../domain/notify.js';

type Entry = { group: string; summary: string; when_to_use: string; when_not_to_use: string };

const TOOLS: Record<string, Entry> = {
  dispatch: {
    group: 'synchronous',
    summary: 'Run a prompt and wait (up to 55 s) for the full result.',
    when_to_use: 'Short prompts: quick checks, smoke tests, simple questions.',
    when_not_to_use:
      'Longer work: use dispatch_async + wait_dispatch. A dispatch still going after 55 s answers ok=false, status "running" and its job_id: wait_dispatch(job_id) picks it up; the work is never lost.',
  },
  dispatch_async: {
    group: 'asynchronous',
    summary: 'Start a durable background job; return job_id (a Baton run id).',
    when_to_use: 'Anything over ~30 s. The job is a Temporal workflow: it survives transport timeouts and restarts of Baton, the MCP client and the worker.',
    when_not_to_use: 'Trivial prompts where an extra round trip is not worth it.',
  },
  wait_dispatch: {
    group: 'asynchronous',
    summary: "Long-poll a job for up to max_wait_seconds (default 50, held to 55); call again while status == 'running'.",
    when_to_use: 'Right after dispatch_async, in a loop.',
    when_not_to_use: 'For a non-blocking peek, use get_dispatch.',
  },
  get_dispatch: {
    group: 'asynchronous',
    summary: "Non-blocking status read of any job (also runs started through Baton's own tools).",
    when_to_use: 'One-shot status checks.',
    when_not_to_use: 'To block until the result lands: wait_dispatch.',
  },
  cancel_dispatch: {
    group: 'asynchronous',
    summary: "Cancel a job: SIGTERM to the agent's whole process tree, SIGKILL after the grace period; status 'cancelled'.",
    when_to_use: 'When you want to stop the work.',
    when_not_to_use: "When the job has finished already (returns {cancelled: false, reason: 'already_finished'}).",
  },
  list_jobs: {
    group: 'asynchronous',
    summary: 'The newest jobs (at most 500), running and finished, of every profile.',
    when_to_use: 'Diagnostics, dashboards.',
    when_not_to_use: 'If you have a job_id, get_dispatch.',
  },
  schedule_dispatch: {
    group: 'recurring',
    summary: `A Temporal Schedule firing the prompt every interval_seconds (whole seconds, at least 10, aligned to the clock) until until/until_seconds, or until a tick's result contains ${BRIDGE_STOP_MARKER}.`,
    when_to_use: 'Watch-this-condition-over-time work. after_schedule_id chains schedules.',
    when_not_to_use: 'One-shot work: dispatch or dispatch_async. Ticks are plain runs labelled with the channel, each in a new session.',
  },
  list_schedules: {
    group: 'recurring',
    summary: 'Every schedule: current ones, and the ones schedule_dispatch made that have ended (status cancelled).',
    when_to_use: 'Discover what schedules exist.',
    when_not_to_use: 'If you have a schedule_id, get_schedule.',
  },
  get_schedule: {
    group: 'recurring',
    summary: 'One schedule with tick_count, last_job_id and last_tick_status.',
    when_to_use: 'After scheduling something, to inspect progress.',
    when_not_to_use: 'For the latest result: get_dispatch(last_job_id).',
  },
  cancel_schedule: {
    group: 'recurring',
    summary: 'Stop a schedule (its Temporal Schedule is deleted; get_schedule still shows it, cancelled); in-flight ticks go on.',
    when_to_use: 'To end a schedule before its until or its stop marker.',
    when_not_to_use: "If it ended already (returns {cancelled: false, reason: 'already_inactive'}).",
  },
  list_completions: {
    group: 'completion_polling',
    summary: 'Jobs whose finished_at > since, oldest finish first.',
    when_to_use: "Top of every turn: 'anything new since I last checked?'",
    when_not_to_use: 'To wait for new completions: wait_any_completion.',
  },
  wait_any_completion: {
    group: 'completion_polling',
    summary: 'Long-poll (default 50 s, held to 55) for any completion since a cursor.',
    when_to_use: 'To wait until something finishes without polling each job_id.',
    when_not_to_use: 'If you know the job_id, wait_dispatch.',
  },
  list_events: {
    group: 'event_log',
    summary:
      'Events derived from the jobs and schedules themselves: dispatch_start/_end/_cancelled/_error/_abandoned, schedule_created, schedule_activated, schedule_tick, schedule_tick_error, schedule_cancelled, schedule_self_cancelled, schedule_completed, webhook_sent/_failed. notable_only keeps the terminal ones.',
    when_to_use: "'What happened while I was offline?'",
    when_not_to_use: 'For job results only, list_completions.',
  },
  list_channels: {
    group: 'channels',
    summary: 'channel -> pinned session_id.',
    when_to_use: 'Checking which conversations have a session.',
    when_not_to_use: 'Whether a job runs on a channel: list_jobs.',
  },
  reset_channel: {
    group: 'channels',
    summary: "Drop a channel's session so the next dispatch starts a fresh one.",
    when_to_use: 'When a session has gone off the rails.',
    when_not_to_use: 'To stop in-flight work: cancel_dispatch.',
  },
};

export function bridgeHelp(version: string): Record<string, unknown> {
  return {
    name: 'claude-bridge',
    version,
    summary:
      "Baton's claude-bridge profile: claude-bridge's tools over Baton's durable runs. Every job is a Temporal workflow running Claude Code; " +
      'it survives transport timeouts, MCP cancellations and restarts of Baton, the client and the worker host.',
    stop_sentinel: BRIDGE_STOP_MARKER,
    notable_event_types: [...BRIDGE_NOTABLE_EVENTS],
    tools: TOOLS,
    workflows: [
      { name: 'Short prompt', steps: ["result = dispatch(prompt='...', channel='...')", "if result['ok']: use result['result']"] },
      {
        name: 'Long prompt',
        steps: ["j = dispatch_async(prompt='...', channel='...')", 'while True:', "    state = wait_dispatch(j['job_id'])", "    if state['status'] != 'running': break"],
      },
      {
        name: 'Watch a condition',
        steps: [`schedule_dispatch(prompt='check ... if X end with ${BRIDGE_STOP_MARKER}', channel='watcher', interval_seconds=300, until_seconds=14400)`],
      },
      { name: 'New completions at the top of a turn', steps: ['comps = wait_any_completion(since=last_seen_finished_at, max_wait_seconds=2)'] },
    ],
    concepts: {
      channel:
        'A conversation thread: dispatches on one channel run one at a time on its pinned Claude Code session (a Baton channel). Any name; one of 1-100 letters, digits, ".", "_" or "-" is the Baton channel of that name.',
      job_id: "A Baton run id (run_...): Baton's own tools (get_run, list_runs) show the same run.",
      stop_sentinel: `A scheduled tick whose result contains ${BRIDGE_STOP_MARKER} (or Baton's ${STOP_SCHEDULE_MARKER}) ends its schedule.`,
      job_status:
        "running, done (ok tells success; a non-zero exit or a timeout is done with ok=false), error (a launch refused), cancelled, abandoned (lost with its worker under on_worker_loss 'fail'). orphaned never happens: no job loses its state.",
      cwd: "Absolute directory under BATON_ALLOWED_ROOTS; default CLAUDE_BRIDGE_CWD, else the server's directory.",
      webhooks:
        "notify_url gets claude-bridge's payload (a job's on its notify_on statuses; a schedule's on tick, tick_with_sentinel, tick_error, schedule_end), retried for hours, signed with BATON_WEBHOOK_SECRET when set; URL and headers are sealed in history.",
      schedule_chaining: "schedule_dispatch's after_schedule_id starts a schedule only once the named one has ended; until then its status is 'waiting'.",
      event_log: 'list_events derives its events from the jobs, schedules and notifications themselves (no buffer that fills): pass the largest ts you have seen as since.',
      session_pinning:
        "A channel's first dispatch starts a session; later ones resume it, one at a time. reset_channel drops it. Scheduled ticks each start a session of their own.",
      permission_mode:
        'Claude Code permission mode (default, acceptEdits, plan, bypassPermissions, ...); default CLAUDE_BRIDGE_DEFAULT_PERMISSION_MODE, else acceptEdits. An unknown one is refused.',
    },
    durability: {
      persists_to_disk: [
        "every job and schedule, as Temporal workflows and schedules (in the Temporal server's store)",
        "each agent's transcript on its host",
        'a record of each schedule schedule_dispatch made, for 30 days after',
      ],
      survives: ['MCP transport timeouts and cancellations', 'restarts of Baton and of the MCP client', "a worker's death (its agents are re-attached or resumed)"],
      does_not_survive: ["deletion of the Temporal server's data"],
    },
    gotchas: [
      "wait_dispatch returning status='running' is normal: call it again.",
      'Arguments are checked: an unknown permission_mode, a cwd outside BATON_ALLOWED_ROOTS or an unknown argument is refused with {ok: false, error} naming it.',
      "A schedule that has ended (cancel_schedule, or a tick's stop marker) shows as status 'cancelled' for 30 days (and the Temporal namespace's retention); after that get_schedule answers unknown schedule_id.",
    ],
  };
}
