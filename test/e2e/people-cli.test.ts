// The `baton` command for people, run as the real binary (node dist/cli.js) against the test's dev
// server, with `baton mcp` as the worker (and to start pipelines and schedules): what a person types
// and what a script parses, the exit codes, and that every check of spawn_run holds for `baton spawn`.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineView } from '../../src/domain/pipeline.js';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { startTestAgent, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { freePort } from '../setup/temporal-server.js';
import { runBaton, runBatonOnTerminal } from '../helpers/baton-cli.js';
import { fakeAgent, makeTestEnv, ROOT, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { waitFor } from '../helpers/wait.js';

const TEAM = path.join(ROOT, 'test', 'fixtures', 'bin', 'fake-team.mjs');
let env: TestEnv;
let mcp: McpSession;

beforeAll(async () => {
  env = await makeTestEnv();
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

  const role = (...args: string[]) => ({ backend: 'command', backend_config: { command: [process.execPath, TEAM, ...args] } });
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
    const before = (JSON.parse(await ok(['runs', '--limit', '100', '--json'])) as { runs: RunView[] }).runs.length;
    const ran = await baton(['spawn', '--backend', 'command', '--cwd', path.dirname(env.workDir), '--', ...agentArgv()]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^baton: --cwd: /);
    expect(ran.stderr).toContain('BATON_ALLOWED_ROOTS');
    expect((JSON.parse(await ok(['runs', '--limit', '100', '--json'])) as { runs: RunView[] }).runs.length).toBe(before);
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
});
