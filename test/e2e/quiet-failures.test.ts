// A run that fails for a reason of its own (a backend whose CLI is not installed, a command that
// exits non-zero) is a result the run reports to its caller, not a problem of Baton's: the log
// says it in at most one line, with no WARN and no task token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdioCaptured, type CapturedStdio } from '../helpers/baton-process.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk } from '../helpers/mcp.js';

let env: TestEnv;
let mcp: CapturedStdio;

beforeAll(async () => {
  env = await makeTestEnv({ BATON_CLAUDE_BIN: '/nonexistent/claude' });
  mcp = await connectStdioCaptured(env);
});

afterAll(async () => {
  await mcp?.close();
  await env?.cleanup();
});

async function dispatch(args: Record<string, unknown>): Promise<{ status: string; error: string | null }> {
  const { finished, run } = await callOk<{ finished: boolean; run: { status: string; error: string | null } }>(mcp.client, 'dispatch', {
    prompt: 'go',
    cwd: env.workDir,
    max_wait_seconds: 50,
    ...args,
  });
  expect(finished).toBe(true);
  return run;
}

describe('expected failures in the log', () => {
  it('a backend whose CLI is missing fails its run, saying what to fix, and logs no WARN or task token', async () => {
    const run = await dispatch({ backend: 'claude_code' });
    expect(run.status).toBe('failed');
    expect(run.error).toContain('BATON_CLAUDE_BIN is set to "/nonexistent/claude", which is not an executable file');
  });

  it('a command that exits non-zero fails its run and logs no WARN or task token', async () => {
    const run = await dispatch({ backend: 'command', backend_config: fakeAgent('--exit-code', '3') });
    expect(run.status).toBe('failed');
  });

  it('a command whose program does not exist fails its run, naming it, and logs no WARN or task token', async () => {
    const run = await dispatch({ backend: 'command', backend_config: { command: ['/nonexistent/agent'] } });
    expect(run.status).toBe('failed');
    expect(run.error).toContain('/nonexistent/agent');
  });

  it('after all three: nothing in the log is a warning or carries a task token', () => {
    expect(mcp.stderr()).not.toMatch(/taskToken|\[baton\] warn|\[baton\] error/);
  });
});
