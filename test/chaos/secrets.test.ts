// Secrets stay secret. A canary, random per run, goes where users put secrets: notify_headers (the
// webhook goes to a loopback receiver, which must get it), a remote_a2a agent's headers and its
// bearer_token (the /secure test agent only answers with TEST_AGENT_TOKEN, which must arrive too).
// Neither may appear in workflow histories (runs and webhook children), in any tool result (status,
// events, lists, schedules), in the baton process's output (its logs at DEBUG, and every byte of its
// stdout), in the transcripts, or in any file under the data dir. And no prompt ever appears in a
// process's argv while its agent runs.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client as TemporalClient } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { startTestAgent, TEST_AGENT_TOKEN, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { connectStdioCaptured, type CapturedStdio } from '../helpers/baton-process.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { historyText, processesOf, temporalClient, workflowsOf } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

const SECRET = `canary-${randomBytes(16).toString('hex')}`;
const PROMPT = `prompt-canary-${randomBytes(16).toString('hex')}`;
const SECRETS = [SECRET, TEST_AGENT_TOKEN];

let env: TestEnv;
let mcp: CapturedStdio;
let temporal: TemporalClient;
let receiver: Receiver;
let agent: TestAgent;
/** Every tool result this test got, as the client received it. */
const results: string[] = [];
const runIds: string[] = [];
/** The run whose agent echoes its stdin. */
let echoRun: string;
/** Every process command line seen while agents ran. */
const argvs: string[] = [];

beforeAll(async () => {
  env = await makeTestEnv({ BATON_ALLOW_PRIVATE_WEBHOOKS: '1', BATON_LOG_LEVEL: 'DEBUG' });
  [mcp, temporal, receiver, agent] = await Promise.all([connectStdioCaptured(env), temporalClient(env), startReceiver(), startTestAgent()]);
});

afterAll(async () => {
  await mcp?.close();
  await receiver?.close();
  await agent?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

async function call<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> {
  const result = (await mcp.client.callTool({ name, arguments: args })) as CallToolResult;
  results.push(JSON.stringify(result));
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/** Every live process's argv, NUL-separated as the kernel keeps it. */
async function allCommandLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, 'latin1').catch(() => '');
    if (argv) lines.push(argv);
  }
  return lines;
}

/** Starts a run and, once its agent is up, records every command line on the machine. */
async function spawnAndLookAtArgv(args: Record<string, unknown>): Promise<string> {
  const { run_id } = await call<{ run_id: string }>('spawn_run', args);
  runIds.push(run_id);
  await waitFor(async () => (await processesOf(run_id)).length > 0, { what: `the agent of ${run_id}` });
  await call('get_run', { run_id });
  await call('poll_events', { run_id });
  argvs.push(...(await allCommandLines()));
  return run_id;
}

async function finished(runId: string): Promise<RunView> {
  const { run } = await call<{ finished: boolean; run: RunView }>('wait_run', { run_id: runId, max_wait_seconds: 30 });
  return run;
}

async function wholeTranscript(runId: string, stream: 'stdout' | 'stderr'): Promise<string> {
  let offset = 0;
  let text = '';
  for (;;) {
    const page = await call<{ text: string; next_offset: number; eof: boolean }>('read_output', { run_id: runId, stream, offset, limit_bytes: 1_048_576 });
    text += page.text;
    offset = page.next_offset;
    if (page.eof) return text;
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
}

describe('secrets and prompts', () => {
  it('runs that carry secrets, and a prompt only on stdin, complete and notify', async () => {
    const notify = { notify_url: receiver.url, notify_on: ['any'], notify_headers: { 'X-Baton-Canary': SECRET, Authorization: `Bearer ${SECRET}` } };
    const remote = (url: string, backendConfig: Record<string, unknown>, prompt: string) => ({
      prompt,
      backend: 'remote_a2a',
      cwd: env.workDir,
      backend_config: { agent_url: url, ...backendConfig },
    });
    const [claude, command, secure] = await Promise.all([
      spawnAndLookAtArgv({ prompt: `Summarize ${PROMPT} [fake-claude hang_ms=2500]`, backend: 'claude_code', cwd: env.workDir }),
      spawnAndLookAtArgv({ prompt: `Echo ${PROMPT}`, backend: 'command', cwd: env.workDir, backend_config: fakeAgent('--stdin', '--sleep-ms', '2500'), ...notify }),
      spawnAndLookAtArgv({
        ...remote(agent.secureUrl, { bearer_token: TEST_AGENT_TOKEN, headers: { 'X-Baton-Canary': SECRET } }, `Work on ${PROMPT} [a2a scenario=long steps=25]`),
        ...notify,
      }),
    ]);
    const open = await call<{ run_id: string }>('spawn_run', remote(agent.url, { bearer_token: SECRET, headers: { 'X-Api-Key': SECRET } }, 'hi'));
    runIds.push(open.run_id);

    echoRun = command;
    for (const id of [claude, command, secure, open.run_id]) expect((await finished(id)).status, id).toBe('completed');
    // The secure agent answered, so the bearer token arrived; the receiver shows the webhook headers did.
    await waitFor(() => receiver.requests.length >= 2, { what: 'both notifications' });
    for (const req of receiver.requests) {
      expect(req.headers['x-baton-canary']).toBe(SECRET);
      expect(req.headers.authorization).toBe(`Bearer ${SECRET}`);
    }
    // The command lines were taken while the three agents ran.
    for (const program of ['fake-claude.mjs', 'fake-agent.mjs', 'bridge.js'])
      expect(
        argvs.some((a) => a.includes(program)),
        program,
      ).toBe(true);
  });

  it('a schedule carrying notify_headers shows them nowhere', async () => {
    const created = await call<{ schedule_id: string }>('schedule_run', {
      prompt: 'tick',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', '1'),
      interval_seconds: 3600,
      notify_url: receiver.url,
      notify_headers: { 'X-Baton-Canary': SECRET },
    });
    await call('get_schedule', { schedule_id: created.schedule_id });
    await call('list_schedules', { limit: 200 });
    const described = await temporal.schedule.getHandle(created.schedule_id).describe();
    expectNoSecret('the Temporal schedule', JSON.stringify(described.action));
    await call('cancel_schedule', { schedule_id: created.schedule_id });
  });

  it("no prompt and no secret was in any process's argv while the agents ran", () => {
    for (const argv of argvs) {
      expect(argv.includes(PROMPT), `the prompt in argv: ${argv.replaceAll('\0', ' ').slice(0, 300)}`).toBe(false);
      expectNoSecret(`argv ${argv.replaceAll('\0', ' ').slice(0, 300)}`, argv);
    }
  });

  it('no secret in workflow histories: runs and their webhook children', async () => {
    const workflows = await workflowsOf(env, temporal);
    expect(workflows.filter((id) => id.endsWith('.webhook')).length).toBeGreaterThanOrEqual(2);
    let sealed = 0;
    for (const id of workflows) {
      const history = await historyText(temporal, id);
      expectNoSecret(`the history of ${id}`, history);
      if (history.includes('baton-sealed:v2:')) sealed += 1;
    }
    // The secrets were there, sealed: in the runs that had them and in their webhook children.
    expect(sealed).toBeGreaterThanOrEqual(4);
  });

  it('no secret in status, events, lists or transcripts, nor in any tool result', async () => {
    for (const id of runIds) {
      await call('get_run', { run_id: id });
      await call('poll_events', { run_id: id, limit: 1000 });
      for (const stream of ['stdout', 'stderr'] as const) expectNoSecret(`the ${stream} of ${id}`, await wholeTranscript(id, stream));
    }
    // The prompt reached the agent: on stdin, so in the transcript of the one that echoes it.
    expect(await wholeTranscript(echoRun, 'stdout')).toContain(`stdin: Echo ${PROMPT}`);
    await call('list_runs', { limit: 100 });
    await call('list_runs', { backend: 'remote_a2a', limit: 100 });
    expect(results.length).toBeGreaterThan(20);
    for (const result of results) expectNoSecret(`a tool result: ${result.slice(0, 200)}`, result);
  });

  it('no secret in anything the baton process printed, nor in any file it wrote', async () => {
    expect(mcp.stderr().length).toBeGreaterThan(0);
    expectNoSecret("baton mcp's stderr", mcp.stderr());
    expectNoSecret("baton mcp's stdout", mcp.stdout());
    for (const file of await filesUnder(env.dataDir)) expectNoSecret(file, await readFile(file, 'latin1'));
  });
});
