// The `baton` command for people, run as the real binary (node dist/cli.js) against the test's dev
// server, with `baton mcp` as the worker (and to start pipelines and schedules): what a person types
// and what a script parses, the exit codes, and that every check of spawn_run holds for `baton spawn`.
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineView } from '../../src/domain/pipeline.js';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { startTestAgent, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { freePort } from '../setup/temporal-server.js';
import { runBaton, runBatonOnTerminal } from '../helpers/baton-cli.js';
import { fakeAgent, makeTestEnv, ROOT, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { temporalClient, workflowsOf } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

const TEAM = path.join(ROOT, 'test', 'fixtures', 'bin', 'fake-team.mjs');
let env: TestEnv;
let mcp: McpSession;

beforeAll(async () => {
  // Notifications of `baton spawn --notify-url` go to a receiver on loopback.
  env = await makeTestEnv({ BATON_ALLOW_PRIVATE_WEBHOOKS: '1' });
  mcp = await connectStdio(env);
});

afterAll(async () => {
  await mcp?.close();
  await env?.cleanup();
});

const baton = (args: string[], extraEnv: Record<string, string> = {}) => runBaton(env, args, extraEnv);
const onTerminal = (args: string[], extraEnv: Record<string, string> = {}) => runBatonOnTerminal(env, args, extraEnv);

async function ok(args: string[]): Promise<string> {
  const ran = await baton(args);
  expect(ran.code, `baton ${args.join(' ')}\n${ran.stdout}\n${ran.stderr}`).toBe(0);
  return ran.stdout;
}

const agentArgv = (...flags: string[]) => fakeAgent(...flags).command;

const role = (...args: string[]) => ({ backend: 'command', backend_config: { command: [process.execPath, TEAM, ...args] } });

async function showRun(id: string): Promise<RunView & { last_events: RunEvent[] }> {
  return JSON.parse(await ok(['show', id, '--json'])) as RunView & { last_events: RunEvent[] };
}

describe('baton spawn, tail, show, runs', () => {
  it('spawn --wait runs a command agent to its end and prints the result (exit 0)', async () => {
    const ran = await baton(['spawn', '--backend', 'command', '--cwd', env.workDir, '--wait', '--', ...agentArgv('--lines', '2')]);
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
    const events = json.trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const view = await showRun(runId);
    expect(view).toMatchObject({ status: 'completed', metadata: { team: 'cli' }, cwd: env.workDir });
  });

  it('tail -f of a run that fails exits non-zero, and says how it ended', async () => {
    const runId = (await ok(['spawn', '--backend', 'command', '--cwd', env.workDir, '--', ...agentArgv('--lines', '1', '--exit-code', '3')])).trim();
    const tail = await baton(['tail', '-f', runId]);
    expect(tail.code).toBe(1);
    expect(tail.stdout).toContain(`${runId} failed`);
    const waited = await baton(['spawn', '--backend', 'command', '--cwd', env.workDir, '--wait', '--', ...agentArgv('--exit-code', '4')]);
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(/run_\S+ failed/);
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
    // Other test files add runs meanwhile: the page is wide enough to still hold this one.
    const table = await ok(['runs', '--role', 'worker', '--backend', 'command', '--status', 'completed', '--limit', '30']);
    for (const head of ['id', 'status', 'role', 'backend', 'started', 'elapsed', 'summary']) expect(table).toContain(head);
    expect(table).toContain(page.runs[0]!.run_id);
    expect(table).not.toMatch(/\x1b\[/); // no colour in a pipe
    expect(await ok(['runs', '--parent', 'run_nothing', '--json'])).toContain('"runs": []');
  });

  it('show prints a run\'s state, result and last events', async () => {
    const runId = (await ok(['spawn', '--backend', 'command', '--cwd', env.workDir, '--wait', '--json', '--', ...agentArgv('--lines', '2')]).then((t) => JSON.parse(t) as RunView)).run_id;
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
    const message = { parts: [{ kind: 'text', text: 'Review the parser' }, { kind: 'data', data: { ticket: 42 } }] };
    await writeFile(path.join(env.workDir, 'message.json'), JSON.stringify(message, null, 2));
    // A relative @path is read from where baton runs (the test runs it in workDir).
    const fromFile = JSON.parse(await ok(['spawn', '--backend', 'command', '--cwd', env.workDir, '--input-message', '@message.json', '--wait', '--json', '--', ...agentArgv('--stdin')])) as RunView;
    expect(fromFile.status).toBe('completed');
    expect(fromFile.result!.output).toContain('stdin: Review the parser');
    expect(fromFile.result!.output).toContain('stdin:   "ticket": 42');
    const inline = JSON.parse(await ok(['spawn', '--backend', 'command', '--cwd', env.workDir, '--input-message', '{"parts": [{"kind": "text", "text": "inline words"}]}', '--wait', '--json', '--', ...agentArgv('--stdin')])) as RunView;
    expect(inline.result!.output).toContain('stdin: inline words');
  });

  it('spawn --output-schema @file and --backend-config @file read their JSON from the files', async () => {
    const answer = { verdict: 'approve', findings: ['reads well'] };
    await writeFile(path.join(env.workDir, 'answer.json'), `${JSON.stringify(answer)}\n`);
    const schema = { type: 'object', properties: { verdict: { enum: ['approve', 'request_changes'] }, findings: { type: 'array', items: { type: 'string' } } }, required: ['verdict', 'findings'] };
    await writeFile(path.join(env.workDir, 'schema.json'), JSON.stringify(schema, null, 2));
    await writeFile(path.join(env.workDir, 'config.json'), JSON.stringify({ command: ['cat', 'answer.json'] }, null, 2));
    const view = JSON.parse(await ok(['spawn', '--backend', 'command', '--cwd', env.workDir, '--backend-config', '@config.json', '--output-schema', `@${path.join(env.workDir, 'schema.json')}`, '--prompt', 'Review', '--wait', '--json'])) as RunView;
    expect(view.status, view.error ?? '').toBe('completed');
    expect(view.result!.structured_output).toEqual(answer);
    // The schema from the file is the one the output is held to: an answer it refuses fails the run.
    await writeFile(path.join(env.workDir, 'answer.json'), `${JSON.stringify({ verdict: 'maybe', findings: [] })}\n`);
    const refused = await baton(['spawn', '--backend', 'command', '--cwd', env.workDir, '--backend-config', '@config.json', '--output-schema', '@schema.json', '--prompt', 'Review', '--wait', '--json']);
    expect(refused.code).toBe(1);
    expect((JSON.parse(refused.stdout) as RunView).error).toContain('verdict');
  });

  it('spawn --notify-url with --notify-on and --notify-header: the receiver gets the ending it asked for, with the headers', async () => {
    const receiver = await startReceiver();
    try {
      const notify = ['--notify-url', receiver.url, '--notify-on', 'error,cancelled', '--notify-header', 'X-Baton-Test=from the cli', '--notify-header', 'Authorization: Bearer t0ken='];
      // --notify-on error: a run that completes sends nothing; one that fails does.
      const quiet = JSON.parse(await ok(['spawn', '--backend', 'command', '--cwd', env.workDir, ...notify, '--wait', '--json', '--', ...agentArgv('--lines', '1')])) as RunView;
      expect(quiet.status).toBe('completed');
      const failing = (await ok(['spawn', '--backend', 'command', '--cwd', env.workDir, ...notify, '--', ...agentArgv('--exit-code', '3')])).trim();
      const request = await waitFor(() => receiver.requests.find((r) => (JSON.parse(r.body) as { run_id: string }).run_id === failing), { timeoutMs: 60_000, what: 'the notification of the failed run' });
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
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Pages',
      cwd: env.workDir,
      planner: role('plan', '--steps', '2'),
      worker: role('work'),
      reviewer: role('review'),
    });
    await waitFor(async () => (JSON.parse(await ok(['show', pipeline_id, '--json'])) as PipelineView).status === 'completed', { timeoutMs: 90_000, what: 'the pipeline to complete' });
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

describe('baton cancel, approve, continue', () => {
  it('cancel --reason stops a run; show then says cancelled, and why', async () => {
    const runId = (await ok(['spawn', '--backend', 'command', '--cwd', env.workDir, '--', ...agentArgv('--lines', '1', '--sleep-ms', '60000')])).trim();
    await waitFor(async () => (await showRun(runId)).status === 'running', { what: 'the run to start' });
    expect(await ok(['cancel', runId, '--reason', 'not needed any more'])).toContain(`${runId} cancelled`);
    const view = await showRun(runId);
    expect(view.status).toBe('cancelled');
    expect(view.error).toContain('not needed any more');
    expect(await ok(['cancel', runId])).toContain('had already finished');
  });

  const gated = async (): Promise<string> => {
    const { pipeline_id } = await callOk<{ pipeline_id: string }>(mcp.client, 'spawn_pipeline', {
      goal: 'Gate',
      cwd: env.workDir,
      planner: role('plan', '--steps', '1'),
      worker: role('work'),
      reviewer: role('review'),
      require_plan_approval: true,
    });
    await waitFor(async () => (JSON.parse(await ok(['show', pipeline_id, '--json'])) as PipelineView).status === 'awaiting_approval', { timeoutMs: 60_000, what: 'awaiting_approval' });
    return pipeline_id;
  };

  it('show of a pipeline awaiting approval, approve, then show of the finished pipeline with its steps', async () => {
    const pipelineId = await gated();
    const waiting = await ok(['show', pipelineId]);
    expect(waiting).toContain('awaiting_approval');
    expect(waiting).toContain(`baton approve ${pipelineId}`);
    expect(await ok(['approve', pipelineId])).toContain(`${pipelineId} plan approved`);
    const done = await waitFor(async () => {
      const view = JSON.parse(await ok(['show', pipelineId, '--json'])) as PipelineView;
      return ['completed', 'failed'].includes(view.status) ? view : null;
    }, { timeoutMs: 90_000, what: 'the pipeline to finish' });
    expect(done.status).toBe('completed');
    const text = await ok(['show', pipelineId]);
    for (const step of done.steps) expect(text).toContain(step.run_id);
  });

  it('approve --reject --reason ends a pipeline as rejected', async () => {
    const pipelineId = await gated();
    expect(await ok(['approve', pipelineId, '--reject', '--reason', 'wrong plan'])).toContain(`${pipelineId} plan rejected`);
    const view = await waitFor(async () => {
      const v = JSON.parse(await ok(['show', pipelineId, '--json'])) as PipelineView;
      return v.status === 'rejected' ? v : null;
    }, { what: 'the pipeline to end rejected' });
    expect(view.error).toContain('wrong plan');
    const again = await baton(['approve', pipelineId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('not waiting for plan approval');
  });

  it('approve --steps @file runs the edited plan; --steps with --reject, or steps that are no plan, are refused', async () => {
    const pipelineId = await gated(); // the planner planned one step
    const steps = [
      { title: 'Alpha', instructions: 'Write the alpha file' },
      { title: 'Beta', instructions: 'Write the beta file' },
    ];
    const both = await baton(['approve', pipelineId, '--reject', '--steps', JSON.stringify(steps)]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("option '--steps <json|@file>' cannot be used with option '--reject'");
    const notAPlan = await baton(['approve', pipelineId, '--steps', '{"title": "Alpha"}']);
    expect(notAPlan.code).toBe(2);
    expect(notAPlan.stderr).toContain('--steps takes a JSON array of {"title", "instructions"}');
    const noInstructions = await baton(['approve', pipelineId, '--steps', '[{"title": "Alpha"}]']);
    expect(noInstructions.code).toBe(1);
    expect(noInstructions.stderr).toContain('baton: --steps (0.instructions): "instructions" is missing: add it (a string)');
    // None of that decided anything: the pipeline still waits.
    expect((JSON.parse(await ok(['show', pipelineId, '--json'])) as PipelineView).status).toBe('awaiting_approval');

    // The file as a planner writes its plan ({"steps": [...]}); the refusals above gave the bare array.
    await writeFile(path.join(env.workDir, 'steps.json'), JSON.stringify({ steps }, null, 2));
    expect(await ok(['approve', pipelineId, '--steps', '@steps.json'])).toContain(`${pipelineId} plan approved with your 2 steps`);
    const done = await waitFor(async () => {
      const view = JSON.parse(await ok(['show', pipelineId, '--json'])) as PipelineView;
      return ['completed', 'failed'].includes(view.status) ? view : null;
    }, { timeoutMs: 90_000, what: 'the pipeline to finish' });
    expect(done.status, done.error ?? '').toBe('completed');
    expect(done.plan).toEqual(steps);
    const workers = done.steps.filter((s) => s.role === 'worker');
    expect(workers).toHaveLength(2);
    // Each worker was given its edited step (the fake worker says which it works on).
    const outputs = await Promise.all(workers.map(async (w) => (await showRun(w.run_id!)).result!.output));
    expect(outputs.find((o) => o.includes('working on step 1 (Alpha)'))).toBeDefined();
    expect(outputs.find((o) => o.includes('working on step 2 (Beta)'))).toBeDefined();
  });

  it('show of a schedule, and cancel deletes it', async () => {
    const made = await callOk<{ schedule_id: string }>(mcp.client, 'schedule_run', {
      prompt: 'tick',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', '1'),
      cron: '0 4 * * *',
    });
    const text = await ok(['show', made.schedule_id]);
    expect(text).toContain(made.schedule_id);
    expect(text).toContain('cron 0 4 * * *');
    const json = JSON.parse(await ok(['show', made.schedule_id, '--json'])) as { schedule: { schedule_id: string; state: string } };
    expect(json.schedule).toMatchObject({ schedule_id: made.schedule_id, state: 'active' });
    expect(await ok(['cancel', made.schedule_id])).toContain(`${made.schedule_id} deleted`);
  });

  it('continue answers a remote agent that is input_required, and the same run completes', async () => {
    let agent: TestAgent | undefined;
    try {
      agent = await startTestAgent();
      const config = JSON.stringify({ agent_url: agent.url });
      const runId = (await ok(['spawn', '--backend', 'remote_a2a', '--cwd', env.workDir, '--backend-config', config, '--', 'Paint the button [a2a scenario=input]'])).trim();
      await waitFor(async () => (await showRun(runId)).status === 'input_required', { timeoutMs: 30_000, what: 'input_required' });
      expect(await ok(['continue', runId, 'blue'])).toContain(`${runId}`);
      const tail = await baton(['tail', '-f', runId]);
      expect(tail.code, tail.stdout).toBe(0);
      expect((await showRun(runId)).result!.output).toContain('Painted the button blue');
    } finally {
      await agent?.close();
    }
  });
});

// util-linux `script` gives the command a pseudo-terminal (Debian's essential bsdutils has it).
describe('on a terminal', () => {
  it('spawn --wait draws a live progress line while it waits', async () => {
    const ran = await onTerminal(['spawn', '--backend', 'command', '--cwd', env.workDir, '--wait', '--', ...agentArgv('--lines', '3', '--delay-ms', '400')]);
    expect(ran.code, ran.stdout).toBe(0);
    expect(ran.stdout).toMatch(/\r\x1b\[2K\S* run_\S+ (queued|running) /);
    expect(ran.stdout).toContain('line 3');
  });

  // After the spawn above: the table has a run in it, whichever tests ran before.
  it('colours the table unless NO_COLOR is set', async () => {
    // An empty NO_COLOR counts as unset (no-color.org), whatever the test runner's own setting.
    expect((await onTerminal(['runs', '--limit', '3'], { NO_COLOR: '' })).stdout).toMatch(/\x1b\[/);
    expect((await onTerminal(['runs', '--limit', '3'], { NO_COLOR: '1' })).stdout).not.toMatch(/\x1b\[/);
  });
});

describe('refusals and help', () => {
  it('spawn refuses a cwd outside the allowed roots, naming --cwd, and starts nothing', async () => {
    // This env's own workflows (other test files start runs meanwhile).
    const temporal = await temporalClient(env);
    const before = (await workflowsOf(env, temporal)).length;
    const ran = await baton(['spawn', '--backend', 'command', '--cwd', path.dirname(env.workDir), '--', ...agentArgv()]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^baton: --cwd: /);
    expect(ran.stderr).toContain('BATON_ALLOWED_ROOTS');
    expect((await workflowsOf(env, temporal)).length).toBe(before);
    await temporal.connection.close();
  });

  it('spawn refuses what spawn_run refuses, in the command line\'s terms', async () => {
    const turns = await baton(['spawn', '--backend', 'command', '--cwd', env.workDir, '--max-turns', '5', '--', ...agentArgv()]);
    expect(turns.code).toBe(1);
    expect(turns.stderr).toContain('--max-turns: max_turns does not apply to the command backend');
    // No argv can carry NUL, but JSON can: the shape check every MCP tool runs first refuses it.
    const nul = await baton(['spawn', '--backend', 'codex', '--cwd', env.workDir, '--backend-config', '{"env": {"A": "a\\u0000b"}}', '--', 'hi']);
    expect(nul.code).toBe(1);
    expect(nul.stderr).toContain('--backend-config');
    expect(nul.stderr).toContain('backend_config.env.A holds a NUL character');
    // One argv string holds at most 128 KiB on Linux: six words make a prompt over the 512 KiB limit.
    const huge = await baton(['spawn', '--backend', 'codex', '--cwd', env.workDir, '--', ...Array.from({ length: 6 }, () => 'x'.repeat(100 * 1024))]);
    expect(huge.code).toBe(1);
    expect(huge.stderr).toContain('prompt');
    expect(huge.stderr).toContain('over the limit of 524,288 bytes');
  });

  it('a JSON option\'s @file that is missing, not JSON, too large or no valid value is refused, naming the option', async () => {
    const missing = await baton(['spawn', '--backend', 'command', '--cwd', env.workDir, '--input-message', '@no-such.json', '--', ...agentArgv()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--input-message: cannot use @no-such.json (${path.join(env.workDir, 'no-such.json')}): no such file`);
    await writeFile(path.join(env.workDir, 'broken.json'), '{"command": ["true"],');
    const broken = await baton(['spawn', '--backend', 'command', '--cwd', env.workDir, '--backend-config', '@broken.json', '--prompt', 'hi']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('--backend-config: @broken.json is not valid JSON');
    // A sparse file of 1 GiB: refused from its size, which reading it whole would not be, fast.
    await writeFile(path.join(env.workDir, 'huge.json'), '');
    await truncate(path.join(env.workDir, 'huge.json'), 1024 ** 3);
    const huge = await baton(['spawn', '--backend', 'codex', '--cwd', env.workDir, '--output-schema', '@huge.json', '--', 'hi']);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain('--output-schema: cannot use @huge.json');
    expect(huge.stderr).toContain('it is 1,073,741,824 bytes, over the limit of 65,536 bytes for --output-schema');
    // Valid JSON that spawn_run refuses: the same check as the MCP tool, in the option's name.
    await writeFile(path.join(env.workDir, 'empty-message.json'), '{"parts": []}');
    const empty = await baton(['spawn', '--backend', 'codex', '--cwd', env.workDir, '--input-message', '@empty-message.json']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('--input-message (parts): input_message needs at least one part');
    const twice = await baton(['spawn', '--backend', 'codex', '--cwd', env.workDir, '--input-message', '{"parts": [{"kind": "text", "text": "hi"}]}', '--', 'hi']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('give the prompt after -- or as --input-message, not both');
  });

  it('notify options are checked as spawn_run checks them, naming the option', async () => {
    const spawn = (...flags: string[]) => baton(['spawn', '--backend', 'command', '--cwd', env.workDir, ...flags, '--', ...agentArgv()]);
    const badEvent = await spawn('--notify-url', 'http://127.0.0.1:9/hook', '--notify-on', 'failed');
    expect(badEvent.code).toBe(1);
    expect(badEvent.stderr).toContain('--notify-on (0): notify_on must be one of done, error, cancelled, abandoned, any (got "failed")');
    const noUrl = await spawn('--notify-header', 'X-Token=abc');
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('--notify-url: notify_on and notify_headers need notify_url');
    const badName = await spawn('--notify-url', 'http://127.0.0.1:9/hook', '--notify-header', 'X Token=secret-value');
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain('--notify-header (X Token): header names are letters, digits and -');
    expect(badName.stderr).not.toContain('secret-value');
    const noValue = await spawn('--notify-url', 'http://127.0.0.1:9/hook', '--notify-header', 'secret-value');
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain('--notify-header takes NAME=VALUE');
    expect(noValue.stderr).not.toContain('secret-value');
  });

  it('a malformed command line exits 2 with the usage', async () => {
    const unknown = await baton(['runs', '--colour']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--colour'");
    expect(unknown.stderr).toContain('usage: baton runs');
    const badNumber = await baton(['runs', '--limit', 'ten']);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--limit takes a whole number');
    const badStatus = await baton(['runs', '--status', 'done']);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain('--status');
    const noPrompt = await baton(['spawn', '--backend', 'codex', '--cwd', env.workDir]);
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toContain('no prompt');
  });

  it('an id that names nothing, or not a run, is an error that says what to use instead (exit 1)', async () => {
    const missing = await baton(['show', 'run_nothing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no run with id "run_nothing"');
    expect(missing.stderr).toContain('`baton runs` shows recent runs');
    const pipeline = await baton(['tail', 'pipe_nothing']);
    expect(pipeline.code).toBe(1);
    expect(pipeline.stderr).toContain('baton show pipe_nothing');
  });

  it('with no Temporal server, a read says so, naming the address (exit 1)', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const ran = await baton(['runs'], { TEMPORAL_ADDRESS: address });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`no Temporal server answers at ${address}`);
  });

  it('help <command> prints that command\'s options; the server commands keep theirs', async () => {
    const help = await ok(['help', 'tail']);
    expect(help).toContain('Usage: baton tail');
    expect(help).toContain('--follow');
    expect(await ok(['help', 'mcp'])).toContain('--no-worker');
    expect((await ok(['version'])).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const extra = await baton(['status', '--what']);
    expect(extra.code).toBe(2);
  });

  it('an unknown command, as a command or for help, is an error that lists the commands (exit 2)', async () => {
    const help = await baton(['help', 'spwan']);
    expect(help.code).toBe(2);
    expect(help.stdout).toBe('');
    expect(help.stderr).toContain("command-argument value 'spwan' is invalid for argument 'command'");
    expect(help.stderr).toMatch(/Allowed choices are dev, mcp, worker, status, version, runs, show, tail, spawn, cancel, approve, continue, peer, help\./);
    const command = await baton(['spwan', '--backend', 'codex']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'spwan'");
    expect(command.stderr).toContain('(Did you mean spawn?)');
    expect(command.stderr).toContain('the commands: dev, mcp, worker, status, version, runs, show, tail, spawn, cancel, approve, continue, help');
    // help alone, and for a known command, still exits 0.
    expect(await ok(['help'])).toContain('Commands:');
    expect(await ok(['help', 'approve'])).toContain('--steps');
  });
});
