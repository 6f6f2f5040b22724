// The read commands: `baton runs`, `baton show`, `baton tail`. Each answers from Temporal with the
// client functions the MCP tools call (list_runs, get_run, get_pipeline, get_schedule, poll_events).
import { Command, Option } from 'commander';
import { z } from 'zod';
import { listRuns } from '../../client/run-list.js';
import { previewResult } from '../../client/run-views.js';
import { getPipeline } from '../../client/pipelines.js';
import { getSchedule } from '../../client/schedules.js';
import type { PipelineView } from '../../domain/pipeline.js';
import type { RunEvent, RunView } from '../../domain/run-view.js';
import { isScheduleId } from '../../domain/schedule.js';
import { BACKENDS, isFinalStatus, ROLES, RUN_STATUSES } from '../../domain/vocabulary.js';
import { listRunsTool } from '../../mcp/tools/list-tools.js';
import { pollEventsTool } from '../../mcp/tools/read-tools.js';
import { runIdArg } from '../../mcp/tools/shared.js';
import { withSession } from './connect.js';
import { checkArgs, CliError, translate, wholeNumber } from './errors.js';
import { colour, duration, elapsedOf, eventLine, fields, forTerminal, oneLine, printable, out, printJson, statusText, summaryOf, table, when } from './format.js';
import type { ScheduleDetails } from '../../client/schedules.js';

const LIST_OPTIONS = { status: '--status', role: '--role', backend: '--backend', channel: '--channel', parent: '--parent', limit: '--limit', cursor: '--cursor' };
/** `runs --all` follows the cursors up to this many runs; past it, it says how to go on. */
export const ALL_RUNS_BOUND = 1000;
const ID_OPTIONS = { run_id: '<id>', id: '<id>' };
/** `show` lists this many of a run's newest events. */
const SHOW_EVENTS = 10;
/** How long one follow poll waits for a new event before it asks again. */
const FOLLOW_WAIT_MS = 30_000;

const idArgs = z.strictObject({ id: runIdArg });

export function runsCommand(): Command {
  return new Command('runs')
    .description('runs, newest first, as a table (id, status, role, backend, started, elapsed, summary)')
    .addOption(new Option('--status <status>', 'only runs in this status').choices(RUN_STATUSES))
    .addOption(new Option('--role <role>', 'only runs with this role').choices(ROLES))
    .addOption(new Option('--backend <backend>', 'only runs of this backend').choices(BACKENDS))
    .option('--channel <name>', 'only the turns of this channel')
    .option('--parent <id>', 'only runs that follow up or belong to this run or pipeline')
    .option('--limit <n>', 'runs a page (1-100; default 20, with --all 100)', wholeNumber('--limit'))
    .option('--cursor <cursor>', 'the next page: the cursor the previous page ended with (same filters)')
    .option('--all', `every matching run, page after page (at most ${ALL_RUNS_BOUND})`)
    .option('--json', 'print the runs as JSON (for scripts)')
    .action(async (opts: Record<string, unknown>) => {
      const { json, all, ...given } = opts;
      if (all && given.limit === undefined) given.limit = 100;
      const { limit, cursor, ...filters } = checkArgs(listRunsTool.inputSchema, given, LIST_OPTIONS);
      const page = await withSession(async (s) => {
        const found: RunView[] = [];
        let next = cursor ?? null;
        do {
          // --all never passes its bound: the last page asks only for what is left of it.
          const size = all ? Math.min(limit, ALL_RUNS_BOUND - found.length) : limit;
          const one = await listRuns(s.runs.client, filters, size, next, s.runs.options.secretKey);
          found.push(...one.runs);
          next = one.next_cursor;
        } while (all && next && found.length < ALL_RUNS_BOUND);
        return { runs: found, next_cursor: next };
      }).catch((err: unknown) => {
        throw translate(err, LIST_OPTIONS);
      });
      const runs = page.runs.map(previewResult);
      if (json) return printJson({ runs, next_cursor: page.next_cursor });
      if (runs.length === 0) return out(cursor ? 'no more runs' : 'no runs match');
      out(
        table(
          ['id', 'status', 'role', 'backend', 'started', 'elapsed', 'summary'],
          runs.map(forTerminal).map((r) => [r.run_id, statusText(r.status), r.role, r.backend, when(r.started_at ?? r.created_at), elapsedOf(r), summaryOf(r)]),
        ),
      );
      if (page.next_cursor) {
        // The very command for the next page: a cursor pages only the filters it was made for.
        const again = ['baton runs', ...filterFlags(filters), '--limit', String(limit), ...(all ? ['--all'] : []), '--cursor', page.next_cursor].join(' ');
        const said = all ? `stopped at ${runs.length} runs (--all reads at most ${ALL_RUNS_BOUND}); the rest` : 'more runs; the next page';
        out(colour.dim(`${said}: ${again}`));
      }
    });
}

/** The filters given, as the options that give them again (shell-quoted where needed). */
function filterFlags(filters: Record<string, string | undefined>): string[] {
  const flags: string[] = [];
  for (const [field, option] of Object.entries(LIST_OPTIONS)) {
    const value = filters[field];
    if (value === undefined || field === 'limit' || field === 'cursor') continue;
    flags.push(option, /^[A-Za-z0-9._:/@+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);
  }
  return flags;
}

export function showCommand(): Command {
  return new Command('show')
    .description("a run's, pipeline's (pipe_...) or schedule's (sched_...) state, result, steps and last events")
    .argument('<id>', 'a run id (run_...), pipeline id (pipe_...) or schedule id (sched_...)')
    .option('--json', 'print it as JSON (for scripts)')
    .action(async (idText: string, opts: { json?: boolean }) => {
      const { id } = checkArgs(idArgs, { id: idText }, ID_OPTIONS);
      await withSession(async ({ runs }) => {
        if (isScheduleId(id)) {
          const details = await getSchedule(runs.client, id);
          return opts.json ? printJson(details) : printSchedule(details);
        }
        if (id.startsWith('pipe_') && !id.includes('.')) {
          const view = await getPipeline(runs, id);
          return opts.json ? printJson(view) : printPipeline(view);
        }
        const view = await runs.get(id);
        const page = await runs.events(id, Math.max(0, view.last_seq - SHOW_EVENTS), SHOW_EVENTS);
        return opts.json ? printJson({ ...view, last_events: page.events }) : printRun(view, page.events);
      }).catch((err: unknown) => {
        throw translate(err, ID_OPTIONS);
      });
    });
}

function printRun(raw: RunView, events: RunEvent[]): void {
  const view = forTerminal(raw);
  const result = view.result;
  out(
    fields([
      ['run', colour.bold(view.run_id)],
      ['status', statusText(view.status)],
      ['backend', view.backend],
      ['role', view.role],
      ['cwd', view.cwd],
      ['prompt', oneLine(view.prompt_preview, 200)],
      ...(view.parent ? [['parent', view.parent] as [string, string]] : []),
      ...(view.channel ? [['channel', view.channel] as [string, string]] : []),
      ...(view.session_id ? [['session', view.session_id] as [string, string]] : []),
      ['started', when(view.started_at ?? view.created_at)],
      ['finished', when(view.finished_at)],
      ['elapsed', elapsedOf(view)],
      ...(view.cost_usd !== null ? [['cost', `$${view.cost_usd.toFixed(4)}`] as [string, string]] : []),
      ...(view.error ? [['error', colour.red(view.error)] as [string, string]] : []),
    ]),
  );
  if (result) {
    out();
    out(colour.bold('result:'));
    out(result.output === '' ? colour.dim('(no output)') : result.output);
    if (result.output_truncated) out(colour.dim('(cut: the whole transcript is in the run directory, or read_output over MCP)'));
    // Escaped once, as JSON: the raw value, not the view's (whose strings are escaped already).
    if (raw.result?.structured_output !== undefined) out(printable(JSON.stringify(raw.result.structured_output, null, 2)));
  } else if (view.last_message) {
    out(fields([['last message', oneLine(view.last_message, 200)]]));
  }
  if (events.length > 0) {
    out();
    out(colour.bold(`last events (of ${view.last_seq}):`));
    for (const e of events) out(eventLine(e));
  }
}

function printPipeline(raw: PipelineView): void {
  const view = forTerminal(raw);
  out(
    fields([
      ['pipeline', colour.bold(view.pipeline_id)],
      ['status', statusText(view.status)],
      ['goal', oneLine(view.goal_preview, 200)],
      ['cwd', view.cwd],
      ['round', `${view.round} of ${view.max_rounds}`],
      ['started', when(view.created_at)],
      ['finished', when(view.finished_at)],
      ['runs', view.totals.runs],
      ['elapsed', duration(view.totals.elapsed_ms)],
      ...(view.verdict ? [['verdict', `${view.verdict.verdict}${view.verdict.findings.length ? `: ${view.verdict.findings.join('; ')}` : ''}`] as [string, string]] : []),
      ...(view.error ? [['error', colour.red(view.error)] as [string, string]] : []),
    ]),
  );
  if (view.plan) {
    out();
    out(colour.bold('plan:'));
    view.plan.forEach((step, i) => out(`  ${i + 1}. ${step.title}: ${oneLine(step.instructions, 120)}`));
  }
  if (view.status === 'awaiting_approval') out(colour.magenta(`\nawaiting approval: baton approve ${view.pipeline_id} (or --reject --reason TEXT)`));
  if (view.steps.length > 0) {
    out();
    out(
      table(
        ['step', 'status', 'run', 'elapsed', 'error'],
        view.steps.map((s) => [s.name, statusText(s.status), s.run_id, duration(s.elapsed_ms), oneLine(s.error, 50)]),
      ),
    );
  }
}

function printSchedule(raw: ScheduleDetails): void {
  const details = forTerminal(raw);
  const s = details.schedule;
  out(
    fields([
      ['schedule', colour.bold(s.schedule_id)],
      ['state', statusText(s.state)],
      ['when', s.every],
      ['until', s.until],
      ['backend', s.backend],
      ['role', s.role],
      ['cwd', s.cwd],
      ['prompt', oneLine(s.prompt_preview, 200)],
      ['next fires', s.next_fire_times.slice(0, 3).map(when).join(', ') || '-'],
      ['runs started', details.runs_started],
      ['running', details.running_run_ids.join(', ') || '-'],
      ...(s.note ? [['note', s.note] as [string, string]] : []),
    ]),
  );
  if (details.runs.length > 0) {
    out();
    out(
      table(
        ['run', 'status', 'started', 'elapsed', 'summary'],
        details.runs.map((r) => [r.run_id, statusText(r.status), when(r.started_at ?? r.created_at), elapsedOf(r), summaryOf(r)]),
      ),
    );
  }
}

export function tailCommand(): Command {
  return new Command('tail')
    .description("a run's events as readable lines; -f follows until the run ends (exit code 0 only if it completed)")
    .argument('<run_id>', 'the run to read')
    .option('-f, --follow', 'wait for new events until the run ends')
    .option('--json', 'print each event as one line of JSON (for scripts)')
    .action(async (idText: string, opts: { follow?: boolean; json?: boolean }) => {
      const args = checkArgs(pollEventsTool.inputSchema, { run_id: idText }, ID_OPTIONS);
      // Only runs have events; said here rather than as a failed query on another workflow type.
      if (isScheduleId(args.run_id) || (args.run_id.startsWith('pipe_') && !args.run_id.includes('.'))) {
        throw new CliError(`<run_id>: ${args.run_id} is not a run: baton show ${args.run_id} lists its runs, and baton tail takes one of them`);
      }
      const status = await withSession(async ({ runs }) => {
        let after = 0;
        for (;;) {
          const page = await runs.events(args.run_id, after, 1000, { waitMs: opts.follow ? FOLLOW_WAIT_MS : 0 });
          if (page.missed > 0 && !opts.json) out(colour.dim(`(${page.missed} earlier events are no longer kept live; the run directory has the whole transcript)`));
          for (const e of page.events) out(opts.json ? JSON.stringify(e) : eventLine(e));
          after = page.events.at(-1)?.seq ?? after;
          const done = isFinalStatus(page.status) || !opts.follow;
          if (page.events.length === 0 && done) return page.status;
          if (page.events.length < 1000 && done && page.last_seq <= after) return page.status;
        }
      }).catch((err: unknown) => {
        throw translate(err, ID_OPTIONS);
      });
      if (opts.follow) {
        if (!opts.json) out(`${args.run_id} ${statusText(status)}`);
        if (status !== 'completed') process.exitCode = 1;
      }
    });
}
