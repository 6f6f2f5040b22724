// What an agent can reach, through the real MCP client and the built `baton mcp` with its worker:
// the environment it is given (never Baton's or Temporal's credentials), the files a caller may
// hand it (only under BATON_ALLOWED_ROOTS), the values that reach its command line (never read
// as options). The processes it starts, and what outlives a run: test/chaos/process-tracking.test.ts.
import { randomBytes } from 'node:crypto';
import { mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client as TemporalClient } from '@temporalio/client';
import { readRunInput } from '../../src/client/run-input.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { secretKeyOf, temporalClient, workflowsOf } from '../helpers/temporal.js';
import { signRunSpec } from '../../src/secrets/launch-mac.js';

let env: TestEnv;
let mcp: McpSession;
let temporal: TemporalClient;
/** A directory outside the allowed root, with a file in it. */
let outside: string;
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
  temporal = await temporalClient(env);
  outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'baton-outside-')));
  await writeFile(path.join(outside, 'secret.txt'), 'outside the roots');
  await writeFile(path.join(env.workDir, 'notes.txt'), 'inside the roots');
  await symlink(path.join(outside, 'secret.txt'), path.join(env.workDir, 'secret-link.txt'));
});

afterAll(async () => {
  await mcp?.close();
  await temporal?.connection.close();
  if (outside) await rm(outside, { recursive: true, force: true });
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
  for (let offset = 0; ;) {
    const page = await callOk<{ text: string; next_offset: number; eof: boolean }>(mcp.client, 'read_output', { run_id: runId, offset });
    text += page.text;
    offset = page.next_offset;
    if (page.eof) return text;
  }
}

describe('the environment an agent gets', () => {
  it("`env` run as an agent shows its run id, the caller's env and where Temporal is, never Baton's or Temporal's other settings and secrets", async () => {
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
    // The `baton` shim for `baton peer` comes first on PATH; then the worker's PATH as it was.
    expect(lines).toContain(`PATH=${path.join(env.dataDir, 'agent-bin')}:${process.env.PATH}`);
    const baton = names.filter((n) => n.startsWith('BATON_')).sort();
    // Where Temporal is, for `baton peer` only (not a secret); never its credentials, and no
    // TEMPORAL_* that an agent's own Temporal or Baton tools would take up.
    expect(baton).toEqual(['BATON_HOST_ID', 'BATON_PEER_NAMESPACE', 'BATON_PEER_TASK_QUEUE', 'BATON_PEER_TEMPORAL_ADDRESS', 'BATON_RUN_ID']);
    expect(names.filter((n) => n.startsWith('TEMPORAL_'))).toEqual([]);
    expect(lines).toContain(`BATON_PEER_TEMPORAL_ADDRESS=${env.address}`);
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

describe('files a caller names in input_message', () => {
  const withFile = (uri: string, backend = 'command') => ({
    input_message: {
      parts: [
        { kind: 'text', text: 'read the attachment' },
        { kind: 'file', file: { uri } },
      ],
    },
    backend,
    cwd: env.workDir,
    ...(backend === 'command' ? { backend_config: { command: ['cat'] } } : { backend_config: { agent_url: 'http://127.0.0.1:9/' } }),
  });

  it.each([
    ['an absolute path outside the roots', () => path.join(outside, 'secret.txt')],
    ['a file: URL outside the roots', () => `file://${path.join(outside, 'secret.txt')}`],
    ['a symlink in the root that leads out', () => path.join(env.workDir, 'secret-link.txt')],
    ['".." that climbs out', () => `${env.workDir}/../../..${outside}/secret.txt`],
  ])('%s is refused for a remote agent and a CLI agent, naming the field; nothing starts', async (_what, uri) => {
    const before = await workflowsOf(env, temporal);
    for (const backend of ['remote_a2a', 'command']) {
      const message = await callError(mcp.client, 'spawn_run', withFile(uri(), backend));
      expect(message).toContain('input_message.parts[1].file.uri');
      expect(message).toMatch(/outside the allowed roots/);
    }
    expect(await workflowsOf(env, temporal)).toEqual(before);
  });

  it('the answer does not tell whether a path outside the roots exists', async () => {
    const exists = await callError(mcp.client, 'spawn_run', withFile(path.join(outside, 'secret.txt'), 'remote_a2a'));
    const missing = await callError(mcp.client, 'spawn_run', withFile(path.join(outside, 'no-such-file.txt'), 'remote_a2a'));
    expect(missing.replace('no-such-file.txt', 'X')).toBe(exists.replace('secret.txt', 'X'));
    const viaLinkExists = await callError(mcp.client, 'spawn_run', withFile(path.join(env.workDir, 'secret-link.txt', '..', 'secret-link.txt')));
    await symlink(path.join(outside, 'gone.txt'), path.join(env.workDir, 'dangling-link.txt'));
    const viaLinkMissing = await callError(mcp.client, 'spawn_run', withFile(path.join(env.workDir, 'dangling-link.txt')));
    expect(viaLinkMissing.replace('dangling-link.txt', 'X')).toBe(viaLinkExists.replace('secret-link.txt', 'X').replace('/X/../X', '/X'));
  });

  it('a scheme other than a path, file: or http(s) is refused, saying what is accepted', async () => {
    const message = await callError(mcp.client, 'spawn_run', withFile('ftp://example.com/x'));
    expect(message).toContain('input_message.parts[1].file.uri');
    expect(message).toContain('neither an absolute path, a file: URL nor an http(s) URL');
  });

  it('continue_run holds its input_message to the roots too', async () => {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', { prompt: 'hi', backend: 'command', cwd: env.workDir, backend_config: { command: ['true'] } });
    expect((await waitDone(run_id)).status).toBe('completed');
    const message = await callError(mcp.client, 'continue_run', {
      run_id,
      input_message: { parts: [{ kind: 'file', file: { uri: `file://${path.join(outside, 'secret.txt')}` } }] },
    });
    expect(message).toContain('input_message.parts[0].file.uri');
    expect(message).toMatch(/outside the allowed roots/);
  });

  it('a file under the roots is accepted and the agent is told where it is', async () => {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', withFile(path.join(env.workDir, 'notes.txt')));
    const run = await waitDone(run_id);
    expect(run.status).toBe('completed');
    expect(await transcript(run_id)).toContain(`Attached file: ${path.join(env.workDir, 'notes.txt')}`);
  });

  it('the worker holds a spec it is handed to its own roots: a run naming a file or a cwd outside them fails before any agent starts, even signed with the key', async () => {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', { prompt: 'hi', backend: 'command', cwd: env.workDir, backend_config: { command: ['true'] } });
    expect((await waitDone(run_id)).status).toBe('completed');
    const genuine = await readRunInput(temporal, run_id);
    const marker = path.join(outside, `ran-${randomBytes(4).toString('hex')}`);
    // Signed with Baton's key, so the signature check lets them by: the roots check must stop them.
    const key = await secretKeyOf(env);
    const forgeries = [
      {
        ...genuine.spec,
        input: { role: 'user' as const, parts: [{ kind: 'file' as const, file: { uri: `file://${path.join(outside, 'secret.txt')}` } }] },
        backend_config: { command: ['touch', marker], env: {} },
      },
      { ...genuine.spec, cwd: outside, backend_config: { command: ['touch', marker], env: {} } },
    ];
    for (const spec of forgeries) {
      const forgedId = `run_forged_${randomBytes(6).toString('hex')}`;
      await temporal.workflow.start('agentRun', {
        workflowId: forgedId,
        taskQueue: genuine.task_queue,
        args: [{ ...genuine, run_id: forgedId, spec: signRunSpec(spec, key, { run: forgedId }) }],
      });
      const run = await waitDone(forgedId);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/launch (the|its) agent/);
      expect(run.error).toMatch(/outside the allowed roots/);
      expect(run.error).not.toContain('MAC');
    }
    await expect(realpath(marker)).rejects.toThrow(/ENOENT/);
  });
});
