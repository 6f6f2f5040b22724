// End to end through the real MCP SDK client, over stdio (the built `baton mcp`, with its
// in-process worker) and over Streamable HTTP (the built `baton dev`), against the real dev
// server and real agent processes. The core flows run over both transports.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client as TemporalClient } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, startHttpBaton, type HttpBaton, type McpSession } from '../helpers/mcp.js';
import { processesOf, temporalClient, workflowsOf } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let stdio: McpSession;
let http: HttpBaton;
let temporal: TemporalClient;

beforeAll(async () => {
  env = await makeTestEnv();
  [stdio, http, temporal] = await Promise.all([connectStdio(env), startHttpBaton(env), temporalClient(env)]);
});

afterAll(async () => {
  await stdio?.close();
  await http?.stop();
  await temporal?.connection.close();
  await env?.cleanup();
});

const transports: [string, () => McpSession][] = [
  ['stdio', () => stdio],
  ['Streamable HTTP', () => http],
];

interface Spawned {
  run_id: string;
  status: string;
  created: boolean;
  session_id: string | null;
}
interface Waited {
  finished: boolean;
  run: RunView;
}
interface EventsPage {
  status: string;
  events: RunEvent[];
  last_seq: number;
  next_after_seq: number;
  has_more: boolean;
}

const command = (flags: string[], extra: Record<string, unknown> = {}) => ({
  prompt: 'run it',
  backend: 'command',
  cwd: env.workDir,
  backend_config: fakeAgent(...flags),
  ...extra,
});

const pidCount = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).length;

describe.each(transports)('over %s', (transport, session) => {
  const client = () => session().client;

  it('a claude_code run starts at once, shows events while it runs, and ends with the result, its cost and session id', async () => {
    const spawned = await callOk<Spawned>(client(), 'spawn_run', {
      prompt: 'List the files. [fake-claude scenario=tool-use delay_ms=300]',
      backend: 'claude_code',
      cwd: env.workDir,
      permission_mode: 'acceptEdits',
      max_turns: 10,
    });
    expect(spawned.run_id).toMatch(/^run_/);
    expect(spawned.status).toBe('queued');
    const running = await waitFor(
      async () => {
        const page = await callOk<EventsPage>(client(), 'poll_events', { run_id: spawned.run_id, wait_seconds: 5 });
        return page.status === 'running' && page.events.some((e) => e.type === 'reasoning') ? page : null;
      },
      { what: 'events while the run is running' },
    );
    expect(running.events[0]).toMatchObject({ seq: 1, type: 'status_changed' });
    const done = await callOk<Waited>(client(), 'wait_run', { run_id: spawned.run_id, max_wait_seconds: 30 });
    expect(done.finished).toBe(true);
    const result = done.run.result!;
    expect(result.status).toBe('completed');
    expect(result.cost_usd).toBeGreaterThan(0);
    expect(result.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.output).toContain('README.md');
    expect(result.usage!.output_tokens).toBeGreaterThan(0);
    const all = await callOk<EventsPage>(client(), 'poll_events', { run_id: spawned.run_id, limit: 1000 });
    expect(all.events.map((e) => e.seq)).toEqual(all.events.map((_, i) => i + 1));
    expect(all.events.map((e) => e.type)).toEqual(expect.arrayContaining(['tool_started', 'tool_finished', 'usage', 'run_completed']));
    expect(all.has_more).toBe(false);
    // A finished run read in small pages: every page says completed, and has_more says whether to read on.
    const paged: RunEvent[] = [];
    for (let after = 0; ;) {
      const page = await callOk<EventsPage>(client(), 'poll_events', { run_id: spawned.run_id, after_seq: after, limit: 3 });
      expect(page.status).toBe('completed');
      paged.push(...page.events);
      expect(page.has_more).toBe(page.next_after_seq < all.last_seq);
      if (!page.has_more) break;
      after = page.next_after_seq;
    }
    expect(paged).toEqual(all.events);
  });

  it('cancel_run stops a process tree that ignores SIGTERM, leaves no process, and is harmless to repeat', async () => {
    const pidFile = path.join(env.workDir, `pids-${transport}`);
    const { run_id } = await callOk<Spawned>(
      client(),
      'spawn_run',
      command(['--ignore-sigterm', '--grandchild', '--setsid-grandchild', '--pid-file', pidFile, '--sleep-ms', '120000']),
    );
    await waitFor(async () => (await pidCount(pidFile)) >= 3, { what: 'the process tree' });
    const cancelled = await callOk<{ status: string; already_finished: boolean }>(client(), 'cancel_run', { run_id, reason: 'not needed' });
    expect(cancelled).toMatchObject({ status: 'cancelled', already_finished: false });
    expect(await processesOf(run_id)).toEqual([]);
    const again = await callOk<{ status: string; already_finished: boolean }>(client(), 'cancel_run', { run_id });
    expect(again).toMatchObject({ status: 'cancelled', already_finished: true });
  });

  it('timeout_seconds ends the run timed_out and stops the agent', async () => {
    const done = await callOk<Waited>(client(), 'dispatch', command(['--sleep-ms', '120000'], { timeout_seconds: 1 }));
    expect(done.run.status).toBe('timed_out');
    expect(done.run.error).toContain('timed out after 1 s');
    expect(await processesOf(done.run.run_id)).toEqual([]);
  });

  it('bad input gets an error that says what to change, and starts no workflow', async () => {
    const before = await workflowsOf(env, temporal);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ prompt: 'x', backend: 'command', backend_config: fakeAgent() }, /cwd/],
      [command([], { cwd: 'relative/dir' }), /cwd must be an absolute path/],
      [command([], { cwd: '/' }), /outside the allowed roots/],
      [command([], { cwd: path.join(env.workDir, 'missing') }), /does not exist/],
      [command([], { prompt: '   ' }), /prompt is empty/],
      [command([], { backend: 'gpt-agent' }), /backend must be one of claude_code, codex, remote_a2a, command/],
      [command([], { role: 'boss' }), /role must be one of worker, planner, reviewer/],
      [{ prompt: 'x', backend: 'claude_code', cwd: env.workDir, permission_mode: 'yolo' }, /permission_mode must be one of/],
      [command([], { colour: 'blue' }), /has no field "colour": remove it/],
    ];
    for (const [args, message] of cases) expect(await callError(client(), 'spawn_run', args)).toMatch(message);
    for (const tool of ['get_run', 'wait_run', 'cancel_run', 'poll_events', 'read_output']) {
      expect(await callError(client(), tool, { run_id: 'run_doesnotexist' })).toMatch(/no run with id "run_doesnotexist"/);
    }
    expect(await workflowsOf(env, temporal)).toEqual(before);
  });

  it('idempotency_key gives repeated and racing calls one run, and refuses the key with other arguments', async () => {
    const args = command(['--lines', '1'], { idempotency_key: `key-${transport}-${Date.now()}` });
    const racing = await Promise.all(Array.from({ length: 5 }, () => callOk<Spawned>(client(), 'spawn_run', args)));
    const ids = new Set(racing.map((r) => r.run_id));
    expect(ids.size).toBe(1);
    const [runId] = [...ids];
    await callOk(client(), 'wait_run', { run_id: runId });
    const again = await callOk<Spawned>(client(), 'spawn_run', args);
    expect(again).toMatchObject({ run_id: runId, created: false });
    const message = await callError(client(), 'spawn_run', { ...args, prompt: 'something else' });
    expect(message).toContain(`was already used for run ${runId} with different arguments`);
    expect((await workflowsOf(env, temporal)).filter((id) => id === runId)).toHaveLength(1);
  });
});

describe('tools', () => {
  it('are listed with input and output schemas and honest annotations', async () => {
    const { tools } = await stdio.client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const name of ['spawn_run', 'dispatch', 'get_run', 'wait_run', 'poll_events', 'read_output', 'list_runs', 'cancel_run', 'help']) {
      expect(byName[name]?.outputSchema, name).toBeDefined();
      expect(byName[name].inputSchema.additionalProperties, `${name} refuses unknown fields`).toBe(false);
      expect(byName[name].description!.length, `${name} is described`).toBeGreaterThan(40);
    }
    expect(byName.get_run.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.cancel_run.annotations).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(byName.spawn_run.annotations).toMatchObject({ readOnlyHint: false });
  });
});

describe('claude_code', () => {
  it('resumes an earlier session by id', async () => {
    const first = await callOk<Waited>(stdio.client, 'dispatch', { prompt: 'hi', backend: 'claude_code', cwd: env.workDir });
    const sessionId = first.run.result!.session_id!;
    const second = await callOk<Waited>(stdio.client, 'dispatch', {
      prompt: 'and again',
      backend: 'claude_code',
      cwd: env.workDir,
      session_mode: 'resume',
      session_id: sessionId,
    });
    expect(second.run.result).toMatchObject({ status: 'completed', session_id: sessionId });
  });

  it("fails with Claude Code's own message when it reports an error", async () => {
    const done = await callOk<Waited>(stdio.client, 'dispatch', { prompt: '[fake-claude scenario=not-logged-in]', backend: 'claude_code', cwd: env.workDir });
    expect(done.run.status).toBe('failed');
    expect(done.run.error).toContain('Not logged in');
  });

  it('a chatty agent (10,000 messages) completes with gapless events and every line in its transcript', async () => {
    const done = await callOk<Waited>(stdio.client, 'dispatch', { prompt: '[fake-claude chatty=10000]', backend: 'claude_code', cwd: env.workDir });
    expect(done.run.status).toBe('completed');
    expect(done.run.last_seq).toBeGreaterThan(10_000);
    const tail = await callOk<EventsPage & { missed: number }>(stdio.client, 'poll_events', { run_id: done.run.run_id, after_seq: done.run.last_seq - 300, limit: 1000 });
    expect(tail.events.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => done.run.last_seq - 299 + i));
    const page = await callOk<{ total_bytes: number }>(stdio.client, 'read_output', { run_id: done.run.run_id, limit_bytes: 1024 });
    expect(done.run.result!.transcript!.stdout_bytes).toBe(page.total_bytes);
  });

  it('garbage on stdout becomes stderr events and the run still completes', async () => {
    const done = await callOk<Waited>(stdio.client, 'dispatch', { prompt: '[fake-claude garbage=1]', backend: 'claude_code', cwd: env.workDir });
    expect(done.run.status).toBe('completed');
    const page = await callOk<EventsPage>(stdio.client, 'poll_events', { run_id: done.run.run_id });
    expect(page.events.some((e) => e.type === 'stderr' && e.data.note === 'not JSON')).toBe(true);
  });
});

describe('command', () => {
  it('gets an input_message rendered as text on stdin: text as is, data as JSON, files by reference', async () => {
    // (a file part names a file under the allowed roots: test/chaos/agent-boundary.test.ts)
    const log = path.join(env.workDir, 'log.txt');
    await writeFile(log, 'a log line\n');
    const done = await callOk<Waited>(stdio.client, 'dispatch', {
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--stdin'),
      input_message: {
        parts: [
          { kind: 'text', text: 'Fix it.' },
          { kind: 'data', data: { file: 'a.ts' } },
          { kind: 'file', file: { uri: log, name: 'log' } },
        ],
      },
    });
    const output = done.run.result!.output;
    expect(output).toContain('stdin: Fix it.');
    expect(output).toContain('stdin:   "file": "a.ts"');
    expect(output).toContain(`stdin: Attached file (log): ${log}`);
  });

  it('an agent that crashes (SIGKILL) fails the run, saying so', async () => {
    const done = await callOk<Waited>(stdio.client, 'dispatch', command(['--lines', '2', '--crash']));
    expect(done.run.status).toBe('failed');
    expect(done.run.error).toContain('killed by SIGKILL');
  });

  it('read_output pages the whole transcript on line boundaries', async () => {
    const done = await callOk<Waited>(stdio.client, 'dispatch', command(['--lines', '3000']));
    expect(done.run.status).toBe('completed');
    let offset = 0;
    let text = '';
    for (;;) {
      const page = await callOk<{ text: string; next_offset: number; eof: boolean }>(stdio.client, 'read_output', {
        run_id: done.run.run_id,
        offset,
        limit_bytes: 4096,
      });
      expect(page.text.endsWith('\n') || page.eof).toBe(true);
      text += page.text;
      offset = page.next_offset;
      if (page.eof) break;
    }
    expect(text.trim().split('\n')).toEqual(Array.from({ length: 3000 }, (_, i) => `line ${i + 1}`));
  });

  it('list_runs filters by status and backend and pages with a cursor', async () => {
    const first = await callOk<{ runs: RunView[]; next_cursor: string | null }>(stdio.client, 'list_runs', { backend: 'command', limit: 2 });
    expect(first.runs).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
    const second = await callOk<{ runs: RunView[] }>(stdio.client, 'list_runs', { backend: 'command', limit: 2, cursor: first.next_cursor });
    expect(second.runs.map((r) => r.run_id)).not.toContain(first.runs[0].run_id);
    // The cursor pages the query it came from: with other filters it is refused, not misread.
    expect(await callError(stdio.client, 'list_runs', { backend: 'codex', limit: 2, cursor: first.next_cursor })).toMatch(/cursor belongs to a list_runs call with other filters/);
    const timedOut = await callOk<{ runs: RunView[] }>(stdio.client, 'list_runs', { status: 'timed_out' });
    expect(timedOut.runs.length).toBeGreaterThan(0);
    expect(timedOut.runs.every((r) => r.status === 'timed_out')).toBe(true);
  });
});

describe('poll_events types', () => {
  /** Every event of a finished run, unfiltered. */
  async function allEvents(runId: string): Promise<{ events: RunEvent[]; last_seq: number }> {
    const events: RunEvent[] = [];
    for (let after = 0; ;) {
      const page = await callOk<EventsPage>(stdio.client, 'poll_events', { run_id: runId, after_seq: after, limit: 1000 });
      events.push(...page.events);
      after = page.next_after_seq;
      if (!page.has_more) return { events, last_seq: page.last_seq };
    }
  }

  it('returns only events of those types, and its cursor moves past the others so none is read twice', async () => {
    const done = await callOk<Waited>(stdio.client, 'dispatch', command(['--stderr', 'warn one', '--lines', '4', '--stderr', 'warn two']));
    expect(done.run.status).toBe('completed');
    const all = await allEvents(done.run.run_id);
    const types = ['stderr', 'run_completed'];
    const wanted = all.events.filter((e) => types.includes(e.type));
    expect(wanted.map((e) => e.type)).toEqual(expect.arrayContaining(['stderr', 'run_completed']));

    // One page: every match, the cursor at the run's last event.
    const whole = await callOk<EventsPage & { missed: number }>(stdio.client, 'poll_events', { run_id: done.run.run_id, types, limit: 1000 });
    expect(whole.events).toEqual(wanted);
    expect(whole).toMatchObject({ next_after_seq: all.last_seq, last_seq: all.last_seq, has_more: false, missed: 0, status: 'completed' });

    // A page of one at a time: each cursor is past what was read, and has_more is truthful.
    const paged: RunEvent[] = [];
    let after = 0;
    for (;;) {
      const page = await callOk<EventsPage>(stdio.client, 'poll_events', { run_id: done.run.run_id, types, after_seq: after, limit: 1 });
      expect(page.events.length).toBeLessThanOrEqual(1);
      expect(page.events.every((e) => types.includes(e.type) && e.seq > after)).toBe(true);
      expect(page.next_after_seq).toBeGreaterThanOrEqual(page.events.at(-1)?.seq ?? after);
      expect(page.has_more).toBe(page.next_after_seq < all.last_seq);
      paged.push(...page.events);
      if (!page.has_more) break;
      expect(page.next_after_seq).toBeGreaterThan(after);
      after = page.next_after_seq;
    }
    expect(paged).toEqual(wanted);

    // From a cursor past every match: nothing, and the cursor at the end.
    const lastMatch = wanted.at(-1)!.seq;
    const none = await callOk<EventsPage>(stdio.client, 'poll_events', { run_id: done.run.run_id, types: ['run_started'], after_seq: lastMatch, limit: 10 });
    expect(none).toMatchObject({ events: [], next_after_seq: all.last_seq, has_more: false });
  });

  it('with wait_seconds, waits for an event of those types past events of other types', async () => {
    const name = `typed-wait-${Date.now().toString(36)}`;
    const spawned = await callOk<Spawned>(stdio.client, 'spawn_run', {
      prompt: 'wait for a word',
      backend: 'command',
      cwd: env.workDir,
      nickname: name,
      backend_config: { command: ['sh', '-c', 'echo ready; baton peer wait --timeout 50 >/dev/null; echo done'] },
    });
    const completed = callOk<EventsPage>(stdio.client, 'poll_events', { run_id: spawned.run_id, types: ['run_completed'], wait_seconds: 45 });
    // (awaited below; a failure before then is not an unhandled rejection)
    completed.catch(() => undefined);
    // Events of other types come first: the run has said "ready" and now waits for a message.
    await waitFor(
      async () => {
        const page = await callOk<EventsPage>(stdio.client, 'poll_events', { run_id: spawned.run_id, types: ['agent_message'], limit: 10 });
        return page.events.some((e) => e.data.text === 'ready');
      },
      { what: 'the agent\'s "ready"' },
    );
    await callOk(stdio.client, 'send_agent_message', { to: name, text: 'go on' });
    const page = await completed;
    expect(page.events.map((e) => e.type)).toEqual(['run_completed']);
    expect(page.status).toBe('completed');
    expect(page.next_after_seq).toBeGreaterThanOrEqual(page.events[0].seq);
    expect(page.events[0].seq).toBeGreaterThan(3);
  });

  it('refuses an unknown type and an empty list, naming the field and the types to give', async () => {
    const done = await callOk<Waited>(stdio.client, 'dispatch', command(['--lines', '1']));
    const unknown = await callError(stdio.client, 'poll_events', { run_id: done.run.run_id, types: ['agent_message', 'message'] });
    expect(unknown).toContain('types.1');
    expect(unknown).toContain('must be one of run_started, status_changed, agent_message');
    expect(unknown).toContain('(got "message")');
    expect(await callError(stdio.client, 'poll_events', { run_id: done.run.run_id, types: [] })).toContain(
      'types needs at least one event type, e.g. ["agent_message"]: leave it out for events of every type',
    );
  });
});
