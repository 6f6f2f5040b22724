// The set-up the orchestration-mcp profile's test files share: `baton mcp` with the profile (and
// the worker) and the baton profile on the same runs, on one test env. Live bindings, assigned by
// the hooks setUpOrchestrationProfile registers (each test file has its own copy).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { makeTestEnv, type TestEnv } from './env.js';
import { connectStdio, type McpSession } from './mcp.js';

export let env: TestEnv;
/** The orchestration-mcp profile by BATON_TOOL_PROFILE, with the worker. */
export let orch: McpSession;
/** The baton profile on the same runs, no worker of its own. */
export let baton: McpSession;

export function setUpOrchestrationProfile(): void {
  beforeAll(async () => {
    env = await makeTestEnv();
    [orch, baton] = await Promise.all([connectStdio(env, [], { BATON_TOOL_PROFILE: 'orchestration-mcp' }), connectStdio(env, ['--no-worker'])]);
  });

  afterAll(async () => {
    await Promise.all([orch?.close(), baton?.close()]);
    await env?.cleanup();
  });
}

/** A name no other test of the run uses. */
export const unique = (base: string) => `${base}-${randomBytes(3).toString('hex')}`;
