// The people CLI tests' set-up, shared by test/e2e/people-cli*.test.ts: each file gets its own env
// (its own task queue and allowed root) and `baton mcp` as its worker, and runs the real binary.
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { runBaton, runBatonOnTerminal } from './baton-cli.js';
import { fakeAgent, makeTestEnv, ROOT, type TestEnv } from './env.js';
import { connectStdio, type McpSession } from './mcp.js';

export const TEAM = path.join(ROOT, 'test', 'fixtures', 'bin', 'fake-team.mjs');

/** This file's env and MCP session, set in beforeAll. */
export const cli = {} as { env: TestEnv; mcp: McpSession };

export function setUpPeopleCli(): void {
  beforeAll(async () => {
    // Notifications of `baton spawn --notify-url` go to a receiver on loopback.
    cli.env = await makeTestEnv({ BATON_ALLOW_PRIVATE_WEBHOOKS: '1' });
    cli.mcp = await connectStdio(cli.env);
  });
  afterAll(async () => {
    await cli.mcp?.close();
    await cli.env?.cleanup();
  });
}

export const baton = (args: string[], extraEnv: Record<string, string> = {}) => runBaton(cli.env, args, extraEnv);
export const onTerminal = (args: string[], extraEnv: Record<string, string> = {}) => runBatonOnTerminal(cli.env, args, extraEnv);

export async function ok(args: string[]): Promise<string> {
  const ran = await baton(args);
  expect(ran.code, `baton ${args.join(' ')}\n${ran.stdout}\n${ran.stderr}`).toBe(0);
  return ran.stdout;
}

export const agentArgv = (...flags: string[]) => fakeAgent(...flags).command;

export const role = (...args: string[]) => ({ backend: 'command', backend_config: { command: [process.execPath, TEAM, ...args] } });

export async function showRun(id: string): Promise<RunView & { last_events: RunEvent[] }> {
  return JSON.parse(await ok(['show', id, '--json'])) as RunView & { last_events: RunEvent[] };
}
