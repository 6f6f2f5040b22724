// The `baton` command for people, run as the real binary (node dist/cli.js) against the test's dev
// server, with `baton mcp` as the worker: spawn, tail, show and runs, what a person types and what a
// script parses, and the exit codes. (people-cli-act: cancel, approve, continue; people-cli-refusals.)
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PipelineView } from '../../src/domain/pipeline.js';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { callOk } from '../helpers/mcp.js';
import { agentArgv, baton, cli, ok, role, setUpPeopleCli, showRun } from '../helpers/people-cli.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

setUpPeopleCli();

describe('baton spawn, tail, show, runs', () => {
  it('spawn --wait runs a command agent to its end and prints the result (exit 0)', async () => {
    const ran = await baton(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--wait', '--', ...agentArgv('--lines', '2')]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('line 1');
    expect(ran.stdout).toContain('line 2');
    expect(ran.stderr).toMatch(/run_\S+ completed/);
  });

  it('spawn without --wait prints the run id; tail -f prints its events in order and exits 0 once it completed', async () => {
    const runId = (await ok(['spawn', '--backend', 'command', '--cwd', '.', '--label', 'team=cli', '--', ...agentArgv('--lines', '3')])).trim();
    expect(runId).toMatch(/^run_/);
    const tail = await baton(['tail', runId, '-f']);
    expect(tail.code, tail.stderr).toBe(0);
    const lines = tail.stdout.split('\n');
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at('started')).toBeGreaterThanOrEqual(0);
    expect(at('line 1')).toBeGreaterThan(at('started'));
    expect(at('line 2')).toBeGreaterThan(at('line 1'));
    expect(at('line 3')).toBeGreaterThan(at('line 2'));
    expect(lines.at(-2)).toBe(`${runId} completed`);
    const json = await ok(['tail', runId, '--json']);
    const events = json
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunEvent);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const view = await showRun(runId);
    expect(view).toMatchObject({ status: 'completed', metadata: { team: 'cli' }, cwd: cli.env.workDir });
  });

  it('tail -f of a run that fails exits non-zero, and says how it ended', async () => {
    const runId = (await ok(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--', ...agentArgv('--lines', '1', '--exit-code', '3')])).trim();
    const tail = await baton(['tail', '-f', runId]);
    expect(tail.code).toBe(1);
    expect(tail.stdout).toContain(`${runId} failed`);
    const waited = await baton(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--wait', '--', ...agentArgv('--exit-code', '4')]);
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(/run_\S+ failed/);
  });

  it("an agent's terminal controls are shown, never sent to the reader's terminal: spawn --wait, tail, show, runs", async () => {
    // A title, the clipboard (OSC 52), a cleared screen, a carriage return and a bidi override.
    const hostile = 'title\x1b]0;pwned\x07 clip\x1b]52;c;cHduZWQ=\x07 clear\x1b[2J cr\r over \u202eevil';
    const printer = [process.execPath, '-e', `process.stdout.write(${JSON.stringify(hostile)} + '\\n')`];
    const waited = await baton(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--wait', '--', ...printer]);
    expect(waited.code, waited.stderr).toBe(0);
    const runId = /(run_\S+) completed/.exec(waited.stderr)![1];
    const printed = [waited.stdout, (await baton(['tail', runId])).stdout, await ok(['show', runId]), await ok(['runs', '--limit', '20'])];
    for (const text of printed) {
      expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
      expect(text).toContain('title\\x1b]0;pwned\\x07');
    }
    expect(printed[2]).toContain('cr\\x0d over \\u202eevil');
    // What a script reads keeps the bytes as they were.
    expect((await showRun(runId)).result!.output).toContain(hostile);
  });

  it('runs lists newest first with filters, as a table or as JSON', async () => {
    const page = JSON.parse(await ok(['runs', '--backend', 'command', '--status', 'completed', '--limit', '50', '--json'])) as { runs: RunView[] };
    expect(page.runs.length).toBeGreaterThanOrEqual(2);
    expect(page.runs.every((r) => r.backend === 'command' && r.status === 'completed')).toBe(true);
    const created = page.runs.map((r) => r.created_at);
    expect(created).toEqual([...created].sort().reverse());
    const failed = JSON.parse(await ok(['runs', '--status', 'failed', '--json'])) as { runs: RunView[] };
    expect(failed.runs.length).toBeGreaterThanOrEqual(2);
    expect(failed.runs.every((r) => r.status === 'failed')).toBe(true);
    const workers = JSON.parse(await ok(['runs', '--role', 'worker', '--limit', '10', '--json'])) as { runs: RunView[] };
    expect(workers.runs.length).toBeGreaterThan(0);
    expect(workers.runs.every((r) => r.role === 'worker')).toBe(true);
    // Other test files add runs meanwhile (and workflows started through Temporal with Baton's
    // search attributes but no run in their memo, which a page leaves out), so the table is
    // checked by its shape and its ids: each one a run that the filters list.
    const table = await ok(['runs', '--backend', 'command', '--status', 'completed', '--limit', '5']);
    for (const head of ['id', 'status', 'role', 'backend', 'started', 'elapsed', 'summary']) expect(table).toContain(head);
    const rows = table.match(/(run|pipe)_[0-9A-Z]{26}\S*/g) ?? [];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(5);
    const listed = JSON.parse(await ok(['runs', '--backend', 'command', '--status', 'completed', '--limit', '100', '--json'])) as { runs: RunView[] };
    expect(listed.runs.map((r) => r.run_id)).toEqual(expect.arrayContaining(rows));
    expect(table).not.toMatch(/\x1b\[/); // no colour in a pipe
    expect(await ok(['runs', '--parent', 'run_nothing', '--json'])).toContain('"runs": []');
  });

  it("show prints a run's state, result and last events", async () => {
    const runId = (
      await ok(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--wait', '--json', '--', ...agentArgv('--lines', '2')]).then((t) => JSON.parse(t) as RunView)
    ).run_id;
    const text = await ok(['show', runId]);
    expect(text).toContain(runId);
    expect(text).toContain('completed');
    expect(text).toContain('result:');
    expect(text).toContain('line 2');
    expect(text).toContain('last events');
    const view = await showRun(runId);
    expect(view.result!.output).toContain('line 2');
    expect(view.last_events.at(-1)!.type).toBe('run_completed');
  });

  it('spawn --input-message sends a message of parts (inline or @file), which the agent reads', async () => {
    const message = {
      parts: [
        { kind: 'text', text: 'Review the parser' },
        { kind: 'data', data: { ticket: 42 } },
      ],
    };
    await writeFile(path.join(cli.env.workDir, 'message.json'), JSON.stringify(message, null, 2));
    // A relative @path is read from where baton runs (the test runs it in workDir).
    const fromFile = JSON.parse(
      await ok(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--input-message', '@message.json', '--wait', '--json', '--', ...agentArgv('--stdin')]),
    ) as RunView;
    expect(fromFile.status).toBe('completed');
    expect(fromFile.result!.output).toContain('stdin: Review the parser');
    expect(fromFile.result!.output).toContain('stdin:   "ticket": 42');
    const inline = JSON.parse(
      await ok([
        'spawn',
        '--backend',
        'command',
        '--cwd',
        cli.env.workDir,
        '--input-message',
        '{"parts": [{"kind": "text", "text": "inline words"}]}',
        '--wait',
        '--json',
        '--',
        ...agentArgv('--stdin'),
      ]),
    ) as RunView;
    expect(inline.result!.output).toContain('stdin: inline words');
  });

  it('spawn --output-schema @file and --backend-config @file read their JSON from the files', async () => {
    const answer = { verdict: 'approve', findings: ['reads well'] };
    await writeFile(path.join(cli.env.workDir, 'answer.json'), `${JSON.stringify(answer)}\n`);
    const schema = {
      type: 'object',
      properties: { verdict: { enum: ['approve', 'request_changes'] }, findings: { type: 'array', items: { type: 'string' } } },
      required: ['verdict', 'findings'],
    };
    await writeFile(path.join(cli.env.workDir, 'schema.json'), JSON.stringify(schema, null, 2));
    await writeFile(path.join(cli.env.workDir, 'config.json'), JSON.stringify({ command: ['cat', 'answer.json'] }, null, 2));
    const view = JSON.parse(
      await ok([
        'spawn',
        '--backend',
        'command',
        '--cwd',
        cli.env.workDir,
        '--backend-config',
        '@config.json',
        '--output-schema',
        `@${path.join(cli.env.workDir, 'schema.json')}`,
        '--prompt',
        'Review',
        '--wait',
        '--json',
      ]),
    ) as RunView;
    expect(view.status, view.error ?? '').toBe('completed');
    expect(view.result!.structured_output).toEqual(answer);
    // The schema from the file is the one the output is held to: an answer it refuses fails the run.
    await writeFile(path.join(cli.env.workDir, 'answer.json'), `${JSON.stringify({ verdict: 'maybe', findings: [] })}\n`);
    const refused = await baton([
      'spawn',
      '--backend',
      'command',
      '--cwd',
      cli.env.workDir,
      '--backend-config',
      '@config.json',
      '--output-schema',
      '@schema.json',
      '--prompt',
      'Review',
      '--wait',
      '--json',
    ]);
    expect(refused.code).toBe(1);
    expect((JSON.parse(refused.stdout) as RunView).error).toContain('verdict');
  });

  it('spawn --notify-url with --notify-on and --notify-header: the receiver gets the ending it asked for, with the headers', async () => {
    const receiver = await startReceiver();
    try {
      const notify = [
        '--notify-url',
        receiver.url,
        '--notify-on',
        'error,cancelled',
        '--notify-header',
        'X-Baton-Test=from the cli',
        '--notify-header',
        'Authorization: Bearer t0ken=',
      ];
      // --notify-on error: a run that completes sends nothing; one that fails does.
      const quiet = JSON.parse(await ok(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, ...notify, '--wait', '--json', '--', ...agentArgv('--lines', '1')])) as RunView;
      expect(quiet.status).toBe('completed');
      const failing = (await ok(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, ...notify, '--', ...agentArgv('--exit-code', '3')])).trim();
      const request = await waitFor(() => receiver.requests.find((r) => (JSON.parse(r.body) as { run_id: string }).run_id === failing), {
        timeoutMs: 60_000,
        what: 'the notification of the failed run',
      });
      expect(JSON.parse(request.body)).toMatchObject({ run_id: failing, status: 'failed' });
      expect(request.headers['x-baton-test']).toBe('from the cli');
      expect(request.headers.authorization).toBe('Bearer t0ken=');
      expect(receiver.requests.map((r) => (JSON.parse(r.body) as { run_id: string }).run_id)).not.toContain(quiet.run_id);
      // The headers are secrets: the run's view shows them nowhere.
      expect(await ok(['show', failing, '--json'])).not.toContain('t0ken');
    } finally {
      await receiver.close();
    }
  });

  it('runs pages with --cursor, the table says how to get the next page, and --all follows every page', async () => {
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(cli.mcp.client, 'spawn_pipeline', {
      goal: 'Pages',
      cwd: cli.env.workDir,
      planner: role('plan', '--steps', '2'),
      worker: role('work'),
      reviewer: role('review'),
    });
    await waitFor(async () => (JSON.parse(await ok(['show', pipeline_id, '--json'])) as PipelineView).status === 'completed', {
      timeoutMs: 90_000,
      what: 'the pipeline to complete',
    });
    type Page = { runs: RunView[]; next_cursor: string | null };
    const page = async (...args: string[]) => JSON.parse(await ok(['runs', '--parent', pipeline_id, ...args, '--json'])) as Page;
    const ids = (p: Page) => p.runs.map((r) => r.run_id);
    const every = await page('--limit', '100');
    expect(every.runs.length).toBeGreaterThanOrEqual(4); // planner, two workers, reviewer
    expect(every.next_cursor).toBeNull();
    const first = await page('--limit', String(every.runs.length - 1));
    expect(first.runs).toHaveLength(every.runs.length - 1);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await page('--limit', String(every.runs.length - 1), '--cursor', first.next_cursor!);
    expect(second.runs).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    expect([...ids(first), ...ids(second)].sort()).toEqual(ids(every).sort());
    // The table ends with the very command that shows the next page.
    const table = await ok(['runs', '--parent', pipeline_id, '--limit', '2']);
    const footer = table.trim().split('\n').at(-1)!;
    expect(footer).toMatch(new RegExp(`^more runs; the next page: baton runs --parent ${pipeline_id} --limit 2 --cursor \\S+$`));
    const next = await ok(footer.slice(footer.indexOf('baton runs ') + 'baton '.length).split(' '));
    const shown = [...ids(every)].filter((id) => next.includes(id));
    expect(shown.length).toBe(Math.min(2, every.runs.length - 2));
    for (const id of shown) expect(table).not.toContain(id);
    // --all reads page after page (here one run a page) until there is none left.
    const all = await page('--all', '--limit', '1');
    expect(ids(all).sort()).toEqual(ids(every).sort());
    expect(all.next_cursor).toBeNull();
    // A cursor pages the filters it came from.
    const other = await baton(['runs', '--status', 'failed', '--cursor', first.next_cursor!]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('--cursor: cursor belongs to a `baton runs` call with other filters');
  });
});
