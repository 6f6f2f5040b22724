// What an agent can reach, through the real MCP client and the built `baton mcp` with its worker:
// the environment it is given (never Baton's or Temporal's credentials), the files a caller may
// hand it (only under BATON_ALLOWED_ROOTS), the values that reach its command line (never read
// as options), and the processes it starts (none outlive the run, also those that try).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';

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
