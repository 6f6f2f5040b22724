// Agents that misbehave, through the real MCP client and the built `baton mcp` with its worker:
// garbage bytes and a 10 MB line on stdout, a long silence (longer than the heartbeat timeout:
// makeTestEnv sets BATON_HEARTBEAT_TIMEOUT_SECONDS=5), a silence cut short by timeout_seconds.
// And an agent that leaves processes behind when it exits normally: the design says "no orphans,
// ever", so Baton guarantees that once a run reports that it has ended, whatever way, no process
// of it is left: not its group, not a grandchild that left the group with setsid (found by the
// BATON_RUN_ID it inherits; one that also clears its environment is caught where runs have
// cgroups: test/chaos/process-tracking.test.ts).
// The runs run side by side: the file takes about as long as the longest silence.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { processesOf } from '../helpers/temporal.js';

let env: TestEnv;
let mcp: McpSession;

beforeAll(async () => {
  env = await makeTestEnv();
  mcp = await connectStdio(env);
});

/** Pids the agents wrote down: killed at the end whatever happened, so no test leaves an orphan. */
const pidFiles: string[] = [];

afterAll(async () => {
  for (const file of pidFiles) for (const pid of await pidsIn(file)) if (await isFakeAgent(pid)) killQuietly(pid);
  await mcp?.close();
  await env?.cleanup();
});

interface Waited {
  finished: boolean;
  run: RunView;
}
interface EventsPage {
  events: RunEvent[];
  last_seq: number;
}
interface TranscriptPage {
  text: string;
  next_offset: number;
  total_bytes: number;
  eof: boolean;
}

/** A command run of `node -e script`. */
const script = (source: string, extra: Record<string, unknown> = {}) => ({
  prompt: 'misbehave',
  backend: 'command',
  cwd: env.workDir,
  backend_config: { command: [process.execPath, '-e', source] },
  ...extra,
});

async function waitDone(runId: string): Promise<RunView> {
  for (;;) {
    const waited = await callOk<Waited>(mcp.client, 'wait_run', { run_id: runId, max_wait_seconds: 30 });
    if (waited.finished) return waited.run;
  }
}

async function allEvents(runId: string): Promise<RunEvent[]> {
  const page = await callOk<EventsPage>(mcp.client, 'poll_events', { run_id: runId, limit: 1000 });
  expect(
    page.events.map((e) => e.seq),
    'events are gapless',
  ).toEqual(page.events.map((_, i) => i + 1));
  return page.events;
}

async function pidsIn(file: string): Promise<number[]> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** Still one of the fake agent's processes (a pid may have been reused since). */
async function isFakeAgent(pid: number): Promise<boolean> {
  const argv = await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => '');
  return argv.includes('fake-agent') && (await isRunning(pid));
}

/** Alive, and not a zombie waiting for a parent (or an init that never reaps) to collect it. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== 'Z' && state !== 'X';
}

const BIG_LINE_BYTES = 10 * 1024 * 1024;
const INVALID_UTF8 = [0xff, 0xfe, 0x20, 0xc3, 0x28, 0x20, 0xe2, 0x82];

describe.concurrent('agents that misbehave', () => {
  it('invalid UTF-8 and a 10 MB line: the run completes, the event is cut with a marker, read_output pages the whole transcript', async () => {
    const source = [
      `process.stdout.write(Buffer.from([${INVALID_UTF8.join(', ')}, 0x0a]));`,
      `process.stdout.write('y'.repeat(${BIG_LINE_BYTES}) + '\\n');`,
      `process.stdout.write('after the big line\\n');`,
    ].join('\n');
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', script(source));
    const run = await waitDone(run_id);
    expect(run.status).toBe('completed');

    const events = await allEvents(run_id);
    const messages = events.filter((e) => e.type === 'agent_message').map((e) => String(e.data.text));
    expect(messages[0]).toBe(Buffer.from(INVALID_UTF8).toString('utf8'));
    expect(messages[0]).toContain('\uFFFD');
    const big = messages.find((m) => m.startsWith('yyyy'));
    expect(big, `the big line has an event; events: ${JSON.stringify(events.map((e) => [e.seq, e.type, JSON.stringify(e.data).slice(0, 60)]))}`).toBeDefined();
    expect(big!.length).toBeLessThanOrEqual(4096);
    expect(big).toMatch(new RegExp(`^y+…\\[truncated, original ${BIG_LINE_BYTES} bytes\\]$`));
    expect(messages).toContain('after the big line');
    // A big line is not a lost worker.
    expect(run.attempt).toBe(1);
    expect(events.map((e) => e.type)).not.toContain('reattached');
    expect(events.map((e) => e.type)).not.toContain('worker_lost');

    const expected = Buffer.concat([Buffer.from([...INVALID_UTF8, 0x0a]), Buffer.from(`${'y'.repeat(BIG_LINE_BYTES)}\nafter the big line\n`)]);
    let offset = 0;
    let text = '';
    let pages = 0;
    for (;;) {
      const page = await callOk<TranscriptPage>(mcp.client, 'read_output', { run_id, offset, limit_bytes: 1_048_576 });
      expect(page.total_bytes).toBe(expected.length);
      expect(page.next_offset).toBeGreaterThan(offset);
      text += page.text;
      offset = page.next_offset;
      pages += 1;
      if (page.eof) break;
    }
    expect(pages).toBeGreaterThanOrEqual(10);
    expect(offset).toBe(expected.length);
    expect(text === expected.toString('utf8'), 'the pages make up the whole transcript').toBe(true);
  });

  it('an agent silent for longer than the heartbeat timeout, then done: the run is not lost', async () => {
    const silentMs = 12_000;
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', script(`setTimeout(() => console.log('done after the silence'), ${silentMs});`));
    const run = await waitDone(run_id);
    expect(run.status).toBe('completed');
    expect(run.result!.output).toContain('done after the silence');
    expect(run.attempt).toBe(1);
    expect(Date.parse(run.finished_at!) - Date.parse(run.started_at!)).toBeGreaterThanOrEqual(silentMs - 1000);
    const types = (await allEvents(run_id)).map((e) => e.type);
    expect(types).not.toContain('worker_lost');
    expect(types).not.toContain('reattached');
    expect(types).not.toContain('resumed');
  });

  it('the same silence with a shorter timeout_seconds: timed_out, and no process left', async () => {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', script(`setTimeout(() => console.log('too late'), 12000);`, { timeout_seconds: 2 }));
    const run = await waitDone(run_id);
    expect(run.status).toBe('timed_out');
    expect(run.error).toContain('timed out after 2 s');
    expect(await processesOf(run_id)).toEqual([]);
    expect(run.result!.output).not.toContain('too late');
  });

  it('an agent that exits leaving a grandchild in its group and one that called setsid: when the run ends, neither is left', async () => {
    const pidFile = path.join(env.workDir, 'leftover-pids');
    pidFiles.push(pidFile);
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: 'start helpers and leave',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--grandchild', '--setsid-grandchild', '--pid-file', pidFile, '--lines', '1'),
    });
    const run = await waitDone(run_id);
    expect(run.status).toBe('completed');
    const pids = await pidsIn(pidFile);
    expect(pids).toHaveLength(3);
    expect(await processesOf(run_id)).toEqual([]);
    for (const pid of pids) expect(await isRunning(pid), `process ${pid} of the finished run`).toBe(false);
  });
});
