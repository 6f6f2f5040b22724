// Sessions that carry on, through a real MCP client: structured output, profiles, continue_run,
// sessions refused across backends, and channels (turns in order on one session, across a worker
// restart, reset).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, startWorkerProcess, type McpSession } from '../helpers/mcp.js';
import { processesOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let mcp: McpSession;
let worker: { stop(): Promise<number | null> };

beforeAll(async () => {
  env = await makeTestEnv();
  [mcp, worker] = await Promise.all([connectStdio(env, ['--no-worker']), startWorkerProcess(env)]);
});

afterAll(async () => {
  await worker?.stop();
  await mcp?.close();
  await env?.cleanup();
});

interface Waited {
  finished: boolean;
  run: RunView;
}

const claude = (prompt: string, extra: Record<string, unknown> = {}) => ({ prompt, backend: 'claude_code', cwd: env.workDir, ...extra });
const dispatch = (args: Record<string, unknown>) => callOk<Waited>(mcp.client, 'dispatch', args);
const answerSchema = { type: 'object', properties: { answer: { type: 'number' }, explanation: { type: 'string' } }, required: ['answer'] };

describe('output_schema', () => {
  it('gives the validated value in structured_output (claude_code --json-schema)', async () => {
    const done = await dispatch(claude('What is 2+2? [fake-claude scenario=structured-output]', { output_schema: answerSchema }));
    expect(done.run.status).toBe('completed');
    expect(done.run.result!.structured_output).toEqual({ answer: 4, explanation: '2 + 2 equals 4.' });
  });

  it('fails the run with the validation errors when the output does not match', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer', 'sources'] };
    const done = await dispatch(claude('[fake-claude scenario=structured-output]', { output_schema: schema }));
    expect(done.run.status).toBe('failed');
    expect(done.run.error).toContain('does not match output_schema');
    expect(done.run.error).toContain("must have required property 'sources'");
    expect(done.run.error).toContain('/answer must be string');
  });

  it('fails the run when the agent gives no structured output at all', async () => {
    const done = await dispatch(claude('[fake-claude scenario=structured-output-missing]', { output_schema: answerSchema }));
    expect(done.run.status).toBe('failed');
    expect(done.run.error).toContain('output_schema');
  });

  it("reads a command's JSON output", async () => {
    const done = await dispatch({
      prompt: 'x',
      backend: 'command',
      cwd: env.workDir,
      backend_config: { command: [process.execPath, '-e', 'console.log("working..."); console.log(JSON.stringify({answer: 42}))'] },
      output_schema: answerSchema,
    });
    expect(done.run.result!.structured_output).toEqual({ answer: 42 });
  });

  it('refuses a schema that is not valid JSON Schema at spawn time', async () => {
    expect(await callError(mcp.client, 'spawn_run', claude('x', { output_schema: { type: 'nonsense' } }))).toContain('output_schema is not a valid JSON Schema');
  });
});

describe('claude_code options', () => {
  it('passes the profile, tool lists and schema on the command line, never the prompt', async () => {
    const profileFile = path.join(env.workDir, 'reviewer.md');
    await writeFile(profileFile, 'You review code. Be terse.');
    const { run_id } = await callOk<{ run_id: string }>(
      mcp.client,
      'spawn_run',
      claude('secret task [fake-claude hang_ms=60000]', {
        profile: profileFile,
        backend_config: { allowed_tools: ['Read', 'Bash(git diff *)'], disallowed_tools: ['WebFetch'] },
      }),
    );
    const argv = await waitFor(
      async () => {
        for (const pid of await processesOf(run_id)) {
          const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
          if (cmdline.some((arg) => arg.startsWith('--append-system-prompt='))) return cmdline;
        }
        return null;
      },
      { what: 'the claude process' },
    );
    // Each value glued to its option, so none can be read as an option of its own.
    expect(argv).toContain('--append-system-prompt=You review code. Be terse.');
    expect(argv).toContain('--allowedTools=Read,Bash(git diff *)');
    expect(argv).toContain('--disallowedTools=WebFetch');
    expect(argv.join(' ')).not.toContain('secret task');
    await callOk(mcp.client, 'cancel_run', { run_id });
  });

  it('refuses a profile file outside the allowed roots', async () => {
    expect(await callError(mcp.client, 'spawn_run', claude('x', { profile: '/etc/hostname' }))).toContain('profile "/etc/hostname" is outside the allowed roots');
  });
});

describe('continue_run', () => {
  it('starts a follow-up run on the same session, linked to the first by parent', async () => {
    const first = await dispatch(claude('Remember the number 7.'));
    const session = first.run.result!.session_id!;
    const continued = await callOk<{ run_id: string; how: string; parent_run_id: string }>(mcp.client, 'continue_run', {
      run_id: first.run.run_id,
      prompt: 'Which number?',
    });
    expect(continued).toMatchObject({ how: 'follow_up', parent_run_id: first.run.run_id });
    const done = await callOk<Waited>(mcp.client, 'wait_run', { run_id: continued.run_id });
    expect(done.run).toMatchObject({ status: 'completed', parent: first.run.run_id, session_id: session, cwd: env.workDir });
    const children = await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { parent: first.run.run_id });
    expect(children.runs.map((r) => r.run_id)).toEqual([continued.run_id]);
  });

  it('refuses a run that is still going, and a run with no session', async () => {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', claude('[fake-claude hang_ms=60000]'));
    expect(await callError(mcp.client, 'continue_run', { run_id, prompt: 'more' })).toMatch(/is still (queued|running): wait for it/);
    await callOk(mcp.client, 'cancel_run', { run_id });
    const command = await dispatch({ prompt: 'x', backend: 'command', cwd: env.workDir, backend_config: fakeAgent() });
    expect(await callError(mcp.client, 'continue_run', { run_id: command.run.run_id, prompt: 'more' })).toContain('the command backend has none');
  });

  it('a session from one backend is refused by another', async () => {
    const first = await dispatch(claude('hi'));
    const message = await callError(mcp.client, 'spawn_run', {
      prompt: 'go on',
      backend: 'codex',
      cwd: env.workDir,
      session_mode: 'resume',
      session_id: first.run.result!.session_id,
    });
    expect(message).toContain(`is a claude_code session (run ${first.run.run_id}), so backend "codex" cannot resume it`);
  });
});

describe('channels', () => {
  it('runs three turns sent at once one after another on one session, and survives a worker restart between turns', async () => {
    const channel = `lane-${Date.now()}`;
    const busyFile = path.join(env.dataDir, `${channel}.busy`);
    const turns = await Promise.all(
      // Each turn's agent holds one busy file while it runs: an agent that finds it held fails.
      [1, 2, 3].map((n) => callOk<{ run_id: string; status: string }>(mcp.client, 'spawn_run', claude(`turn ${n} [fake-claude delay_ms=150 busy_file=${busyFile}]`, { channel }))),
    );
    expect(turns.every((t) => t.status === 'queued')).toBe(true);
    const firstDone = await callOk<Waited>(mcp.client, 'wait_run', { run_id: turns[0].run_id });
    expect(firstDone.run.status).toBe('completed');
    await worker.stop();
    worker = await startWorkerProcess(env);
    const views: RunView[] = [];
    for (const turn of turns) views.push((await callOk<Waited>(mcp.client, 'wait_run', { run_id: turn.run_id })).run);
    // Never two at once: an overlapping turn would have found the busy file held and failed.
    expect(views.map((v) => [v.status, v.error])).toEqual([
      ['completed', null],
      ['completed', null],
      ['completed', null],
    ]);
    expect(new Set(views.map((v) => v.session_id)).size).toBe(1);
    // The first turn creates the session; the others resume it, each after the one before.
    const started = views.map((v) => Date.parse(v.started_at!)).sort((a, b) => a - b);
    expect(started[0]).toBeLessThan(started[1]);
    expect(started[1]).toBeLessThan(started[2]);
    const listed = await waitFor(
      async () => {
        const { channels } = await callOk<{ channels: { channel: string; session_id: string; turns_done: number }[] }>(mcp.client, 'list_channels');
        const mine = channels.find((c) => c.channel === channel);
        return mine?.turns_done === 3 ? mine : null;
      },
      { what: 'the channel to count three turns' },
    );
    expect(listed).toMatchObject({ session_id: views[0].session_id, queued_run_ids: [], active_run_id: null });
  });

  it('starts a turn sent to an idle channel already granted; a turn sent while one runs waits for its grant', async () => {
    const channel = `idle-${Date.now()}`;
    const busyFile = path.join(env.dataDir, `${channel}.busy`);
    const first = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', claude(`first [fake-claude delay_ms=300 busy_file=${busyFile}]`, { channel }));
    const second = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', claude(`second [fake-claude busy_file=${busyFile}]`, { channel }));
    const views = [];
    for (const turn of [first, second]) views.push((await callOk<Waited>(mcp.client, 'wait_run', { run_id: turn.run_id })).run);
    expect(views.map((v) => [v.status, v.error])).toEqual([
      ['completed', null],
      ['completed', null],
    ]);
    expect(views[1].session_id).toBe(views[0].session_id);
    // What the histories show: the idle channel's turn carried its grant (no grant signal, its agent
    // scheduled in its first workflow task); the next one was queued and signalled.
    const client = await temporalClient(env);
    try {
      const [firstEvents, secondEvents] = await Promise.all([first, second].map(async (t) => (await client.workflow.getHandle(t.run_id).fetchHistory()).events!));
      const grants = (events: typeof firstEvents) => events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'grant').length;
      expect(grants(firstEvents)).toBe(0);
      expect(grants(secondEvents)).toBe(1);
      // The commands of the first turn's first workflow task: up to the next task scheduled.
      const firstTaskDone = firstEvents.findIndex((e) => e.workflowTaskCompletedEventAttributes);
      const nextTask = firstEvents.findIndex((e, i) => i > firstTaskDone && e.workflowTaskScheduledEventAttributes);
      const firstCommands = firstEvents.slice(firstTaskDone, nextTask);
      expect(firstCommands.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runAgent')).toBe(true);
    } finally {
      await client.connection.close();
    }
  });

  it('reset_channel makes the next turn start a new session; a turn for another backend is refused', async () => {
    const channel = `reset-${Date.now()}`;
    const first = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', claude('one', { channel }));
    const one = (await callOk<Waited>(mcp.client, 'wait_run', { run_id: first.run_id })).run;
    const reset = await callOk<{ session_id: string | null }>(mcp.client, 'reset_channel', { channel });
    expect(reset.session_id).toBeNull();
    const second = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', claude('two', { channel }));
    const two = (await callOk<Waited>(mcp.client, 'wait_run', { run_id: second.run_id })).run;
    expect(two.status).toBe('completed');
    expect(two.session_id).not.toBe(one.session_id);
    const other = await callError(mcp.client, 'spawn_run', { prompt: 'x', backend: 'command', cwd: env.workDir, backend_config: fakeAgent(), channel });
    expect(other).toContain(`channel "${channel}" runs claude_code turns on one session; this turn asks for command`);
    expect(await callError(mcp.client, 'reset_channel', { channel: 'no-such-channel' })).toContain('there is no channel "no-such-channel"');
  });
});
