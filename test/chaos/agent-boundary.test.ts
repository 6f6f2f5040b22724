// What an agent can reach, through the real MCP client and the built `baton mcp` with its worker:
// the environment it is given (never Baton's or Temporal's credentials), the files a caller may
// hand it (only under BATON_ALLOWED_ROOTS), the values that reach its command line (never read
// as options), and the processes it starts (none outlive the run, also those that try).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { temporalClient, workflowsOf } from '../helpers/temporal.js';

let env: TestEnv;
let mcp: McpSession;
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const CANARY = `canary-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  env = await makeTestEnv({
    BATON_WEBHOOK_SECRET: WEBHOOK_SECRET,
    BATON_AGENT_ENV_DENY: 'DEPLOY_*',
    DEPLOY_TOKEN: CANARY,
    KEPT_FOR_AGENTS: 'kept',
  });
  mcp = await connectStdio(env);
});

afterAll(async () => {
  await mcp?.close();
  await env?.cleanup();
});

interface Waited {
  finished: boolean;
  run: RunView;
}

async function waitDone(runId: string): Promise<RunView> {
  for (;;) {
    const waited = await callOk<Waited>(mcp.client, 'wait_run', { run_id: runId, max_wait_seconds: 30 });
    if (waited.finished) return waited.run;
  }
}

async function transcript(runId: string): Promise<string> {
  let text = '';
  for (let offset = 0; ; ) {
    const page = await callOk<{ text: string; next_offset: number; eof: boolean }>(mcp.client, 'read_output', { run_id: runId, offset });
    text += page.text;
    offset = page.next_offset;
    if (page.eof) return text;
  }
}

describe('the environment an agent gets', () => {
  it('`env` run as an agent shows its run id and the caller\'s env, never Baton\'s or Temporal\'s settings and secrets', async () => {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: 'print your environment',
      backend: 'command',
      cwd: env.workDir,
      backend_config: { command: ['env'], env: { FROM_CALLER: 'yes' } },
    });
    const run = await waitDone(run_id);
    expect(run.status).toBe('completed');
    const lines = (await transcript(run_id)).split('\n');
    const names = lines.map((l) => l.slice(0, l.indexOf('=')));
    expect(lines).toContain(`BATON_RUN_ID=${run_id}`);
    expect(lines).toContain(`BATON_HOST_ID=${env.config.hostId}`);
    expect(lines).toContain('FROM_CALLER=yes');
    expect(lines).toContain('KEPT_FOR_AGENTS=kept');
    expect(lines).toContain(`PATH=${process.env.PATH}`);
    const baton = names.filter((n) => n.startsWith('BATON_')).sort();
    expect(baton).toEqual(['BATON_HOST_ID', 'BATON_RUN_ID']);
    expect(names.filter((n) => n.startsWith('TEMPORAL_'))).toEqual([]);
    const all = lines.join('\n');
    expect(all).not.toContain(env.env.BATON_SECRET_KEY!);
    expect(all).not.toContain(WEBHOOK_SECRET);
    // BATON_AGENT_ENV_DENY withholds more, by name or prefix.
    expect(all).not.toContain(CANARY);
    expect(names).not.toContain('DEPLOY_TOKEN');
  });
});

describe('values that could be read as options', () => {
  it.each([
    ['claude_code', '--dangerously-skip-permissions', 'is not a Claude Code session'],
    ['claude_code', '-p', 'is not a Claude Code session'],
    ['claude_code', 'title\nwith a newline', 'is not a Claude Code session'],
    ['codex', '--last', 'is not a codex thread id'],
    ['codex', 'my-thread', 'is not a codex thread id'],
    ['remote_a2a', '--resume-task', 'is not an A2A context id'],
  ])('%s session_id %j is refused, naming the field and the format, and nothing starts', async (backend, sessionId, says) => {
    const temporal = await temporalClient(env);
    const before = await workflowsOf(env, temporal);
    const message = await callError(mcp.client, 'spawn_run', {
      prompt: 'continue',
      backend,
      cwd: env.workDir,
      session_mode: 'resume',
      session_id: sessionId,
      ...(backend === 'remote_a2a' ? { backend_config: { agent_url: 'http://127.0.0.1:9/' } } : {}),
    });
    expect(message).toContain('session_id');
    expect(message).toContain(says);
    expect(await workflowsOf(env, temporal)).toEqual(before);
  });

  it('a Claude Code session id still resumes: `--resume=<id>` reaches the CLI as one value', async () => {
    const started = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', { prompt: 'hello', backend: 'claude_code', cwd: env.workDir });
    const first = await waitDone(started.run_id);
    expect(first.status).toBe('completed');
    const resumed = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: 'again',
      backend: 'claude_code',
      cwd: env.workDir,
      session_mode: 'resume',
      session_id: first.session_id!,
    });
    const run = await waitDone(resumed.run_id);
    expect(run.status).toBe('completed');
    expect(run.session_id).toBe(first.session_id);
  });
});
