// Values no tool can use are refused as the caller's mistake, naming the field, at once, with
// nothing started and no "[baton] error" logged: a list_runs cursor Baton never handed out (which
// Temporal would answer with a retried internal failure), ids holding a lone UTF-16 surrogate (no
// UTF-8 can carry them), input nested thousands of levels deep (a recursive walk would overflow),
// and NUL bytes bound for argv or the environment (C strings cannot hold them).
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client as TemporalClient } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibilityQuery } from '../../src/client/run-list.js';
import { connectStdioCaptured, type CapturedStdio } from '../helpers/baton-process.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError } from '../helpers/mcp.js';
import { temporalClient, workflowsOf } from '../helpers/temporal.js';

let env: TestEnv;
let mcp: CapturedStdio;
let temporal: TemporalClient;
let outside: string;

beforeAll(async () => {
  env = await makeTestEnv();
  outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'baton-outside-')));
  [mcp, temporal] = await Promise.all([connectStdioCaptured(env, ['--no-worker']), temporalClient(env)]);
});

afterAll(async () => {
  await mcp?.close();
  await temporal?.connection.close();
  await rm(outside, { recursive: true, force: true });
  await env?.cleanup();
});

function nested(depth: number, key: string): Record<string, unknown> {
  let value: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < depth; i++) value = { [key]: value };
  return value;
}

describe('a list_runs cursor', () => {
  it.concurrent.each(['xcVQ$x', 'AAAA', '__'])('that list_runs never returned (%j) is refused at once as an input error', async (cursor) => {
    const message = await callError(mcp.client, 'list_runs', { cursor });
    expect(message).toMatch(/cursor is not one list_runs returned/);
    expect(message).not.toContain('This is not a problem with your arguments');
  });

  it("forged from the query and a made-up page token is refused at once (cursors are signed with Baton's key)", async () => {
    // What anyone could make before: the digest of the query had no key.
    const q = createHash('sha256').update(visibilityQuery({})).digest('base64url').slice(0, 16);
    const t = Buffer.from('a page token of my own').toString('base64url');
    for (const forged of [
      { v: 1, q, t },
      { v: 2, q, t, s: 'x'.repeat(43) },
    ]) {
      const message = await callError(mcp.client, 'list_runs', { cursor: Buffer.from(JSON.stringify(forged)).toString('base64url') });
      expect(message).toMatch(/cursor is not one list_runs returned/);
    }
  });
});

describe('an id holding a lone surrogate', () => {
  it.each([
    ['get_run', { run_id: 'run_\ud800' }],
    ['poll_events', { run_id: '\udfff\ud800' }],
    ['cancel_run', { run_id: 'run_\udc00x' }],
    ['get_pipeline', { pipeline_id: 'pipe_\ud800' }],
    ['reset_channel', { channel: '\ud800' }],
  ])('%s answers it as an input error naming the field', async (tool, args) => {
    const message = await callError(mcp.client, tool, args);
    expect(message).not.toContain('This is not a problem with your arguments');
    expect(message).toMatch(/^(run_id|pipeline_id|channel) holds a lone UTF-16 surrogate/);
  });
});

describe('input nested 3000 levels deep', () => {
  // Each would be refused anyway (codex add_dirs outside the roots, the last check): so nothing starts.
  const run = () => ({ prompt: 'x', backend: 'codex', cwd: env.workDir, backend_config: { add_dirs: [outside] } });

  it.each([
    ['spawn_run', 'an output_schema', () => ({ ...run(), output_schema: nested(3000, 'not') }), 'output_schema'],
    ['dispatch', 'an output_schema', () => ({ ...run(), max_wait_seconds: 1, output_schema: nested(3000, 'items') }), 'output_schema'],
    ['spawn_run', 'a data part', () => ({ ...run(), prompt: undefined, input_message: { parts: [{ kind: 'data', data: nested(3000, 'a') }] } }), 'input_message'],
    ['schedule_run', 'an output_schema', () => ({ ...run(), interval_seconds: 3600, output_schema: nested(3000, 'not') }), 'output_schema'],
  ])('%s with %s is refused, naming the argument', async (tool, _what, args, field) => {
    const message = await callError(mcp.client, tool, args());
    expect(message).toBe(`${field} is nested more than 64 levels deep: Baton accepts at most 64 levels of arrays and objects in one argument`);
  });
});

describe('a NUL byte in what becomes argv or the environment', () => {
  const run = (backendConfig: Record<string, unknown>) => ({ prompt: 'x', backend: 'command', backend_config: backendConfig });

  it.each([
    ['a command argument', run({ command: [process.execPath, 'a\u0000b'] }), /^backend_config\.command\[1\] holds a NUL/],
    ['the program', run({ command: ['fake\u0000agent'] }), /^backend_config\.command\[0\] holds a NUL/],
    ['an environment value', run({ ...fakeAgent(), env: { X: 'a\u0000b' } }), /^backend_config\.env\.X holds a NUL/],
    ['the model name', { prompt: 'x', backend: 'claude_code', model: 'son\u0000net' }, /^model holds a NUL/],
  ])('in %s is refused by the tool, and nothing starts', async (_what, args, message) => {
    const before = await workflowsOf(env, temporal);
    expect(await callError(mcp.client, 'spawn_run', { ...args, cwd: env.workDir })).toMatch(message);
    expect(await workflowsOf(env, temporal)).toEqual(before);
  });
});

describe("a tool's schema refuses in the same words as the tools themselves", () => {
  it.each([
    ['a missing backend and cwd', { prompt: 'x' }, [/^backend is required: one of claude_code, codex, remote_a2a, command$/m, /^cwd is required: give a string$/m]],
    ['the command backend without its command', { prompt: 'x', backend: 'command' }, [/^the command backend needs backend_config\.command: the program and its arguments/m]],
    ['a prompt of the wrong type', { prompt: 5, backend: 'codex' }, [/^prompt must be a string, not a number$/m]],
    ['an unknown backend', { prompt: 'x', backend: 'nope' }, [/^backend must be one of claude_code, codex, remote_a2a, command \(got "nope"\)$/m]],
    [
      'a field no tool has',
      { prompt: 'x', backend: 'command', backend_config: fakeAgent(), promt: 'y' },
      [/^spawn_run has no field "promt": remove it\. Accepted fields: prompt, /m],
    ],
  ])('%s: one line per problem, naming the field and what to give, with no protocol noise', async (_what, args, lines) => {
    const before = await workflowsOf(env, temporal);
    // Without a backend the cwd is left out too, so that two problems are reported at once.
    const message = await callError(mcp.client, 'spawn_run', 'backend' in args ? { cwd: env.workDir, ...args } : args);
    expect(message).not.toMatch(/MCP error|-32602|Input validation error|"code":/);
    for (const line of lines) expect(message).toMatch(line);
    expect(await workflowsOf(env, temporal)).toEqual(before);
  });
});

describe('after all of it', () => {
  it("the log holds no error: each was the caller's, and said so", () => {
    expect(mcp.alive()).toBe(true);
    expect(mcp.stderr()).not.toContain('[baton] error');
  });
});
