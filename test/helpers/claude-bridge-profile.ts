// The set-up the claude-bridge profile's test files share: a test env whose notifications are
// signed, a webhook receiver, `baton mcp` with the claude-bridge profile (and the worker), the baton
// profile on the same runs, and, when asked, the real claude-bridge-mcp. The sessions are live
// bindings, assigned by the hooks setUpBridgeProfile registers (each test file has its own copy).
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { connectRealClaudeBridge } from './claude-bridge.js';
import { makeTestEnv, type TestEnv } from './env.js';
import { connectStdio, type McpSession } from './mcp.js';
import { waitFor } from './wait.js';
import { startReceiver, type Receiver } from './webhook-receiver.js';

export type Dict = Record<string, unknown>;

export let env: TestEnv;
/** The claude-bridge profile by BATON_TOOL_PROFILE, with the worker. */
export let bridge: McpSession;
/** The baton profile on the same runs, no worker of its own. */
export let baton: McpSession;
/** The real claude-bridge-mcp 0.1.0 (only when set up with `real`). */
export let real: { client: Client; close(): Promise<void> };
export let receiver: Receiver;
export const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
/** Schedules a test made: cancelled after the file. */
export const schedules: string[] = [];

export function setUpBridgeProfile(opts: { real?: boolean } = {}): void {
  beforeAll(async () => {
    env = await makeTestEnv({ BATON_ALLOW_PRIVATE_WEBHOOKS: '1', BATON_WEBHOOK_SECRET: signingSecret });
    receiver = await startReceiver();
    [bridge, baton] = await Promise.all([connectStdio(env, [], { BATON_TOOL_PROFILE: 'claude-bridge', CLAUDE_BRIDGE_CWD: env.workDir }), connectStdio(env, ['--no-worker'])]);
    if (opts.real) real = await connectRealClaudeBridge();
  });

  afterAll(async () => {
    await Promise.all(schedules.map((id) => baton?.client.callTool({ name: 'cancel_schedule', arguments: { schedule_id: id } }).catch(() => undefined)));
    await Promise.all([bridge?.close(), baton?.close(), real?.close(), receiver?.close()]);
    await env?.cleanup();
  });
}

/** A claude-bridge tool's dict: the JSON text, which must agree with structuredContent. */
export async function call(client: Client, name: string, args: Dict = {}): Promise<Dict> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = (result.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
  expect(result.isError, `${name} failed: ${text}`).toBeFalsy();
  const value = JSON.parse(text) as Dict;
  if (result.structuredContent !== undefined) expect(result.structuredContent).toEqual(value);
  return value;
}

export async function toolError(client: Client, name: string, args: Dict): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name} should have been refused: ${JSON.stringify(result.content)}`).toBe(true);
  return (result.content as { text: string }[]).map((c) => c.text).join('\n');
}

export const bridgeCall = (name: string, args: Dict = {}) => call(bridge.client, name, args);

/** Waits on a job (wait_dispatch in a loop, as claude-bridge's callers do) until it is not running. */
export async function finished(jobId: string): Promise<Dict> {
  return waitFor(
    async () => {
      const state = await bridgeCall('wait_dispatch', { job_id: jobId, max_wait_seconds: 10 });
      return state.status !== 'running' ? state : null;
    },
    { timeoutMs: 60_000, what: `job ${jobId} to finish` },
  );
}
