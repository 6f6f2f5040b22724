// A caller's output_schema can hold a pattern with catastrophic backtracking (`^(a+)+$` against
// 31 a's and a `!` backtracks for minutes). Validating it must not freeze the process that runs
// the worker and the MCP endpoint (one process under `baton mcp`, as under `npm start`): other
// calls answer, other runs complete, and the run whose schema ran over fails, once, saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { processesOf } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let mcp: McpSession;

beforeAll(async () => {
  env = await makeTestEnv({ BATON_OUTPUT_CHECK_SECONDS: '3' });
  mcp = await connectStdio(env);
});

afterAll(async () => {
  await mcp?.close();
  await env?.cleanup();
});

/** A command that prints one JSON string: 31 a's and a '!'. */
const EVIL_OUTPUT = [process.execPath, '-e', 'console.log(JSON.stringify("a".repeat(31) + "!"))'];

async function finished(runId: string): Promise<RunView> {
  for (;;) {
    const { finished: done, run } = await callOk<{ finished: boolean; run: RunView }>(mcp.client, 'wait_run', { run_id: runId, max_wait_seconds: 30 });
    if (done) return run;
  }
}

describe('an output_schema whose pattern backtracks catastrophically', () => {
  it('fails its own run, not retried, while the MCP endpoint and other runs go on', async () => {
    const evil = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: 'answer',
      backend: 'command',
      cwd: env.workDir,
      backend_config: { command: EVIL_OUTPUT },
      output_schema: { type: 'string', pattern: '^(a+)+$' },
    });
    // Its agent has printed and exited: the output check is next.
    await waitFor(async () => (await callOk<RunView>(mcp.client, 'get_run', { run_id: evil.run_id })).last_message !== null && (await processesOf(evil.run_id)).length === 0, {
      what: `the agent of ${evil.run_id} to print and exit`,
    });

    // Meanwhile, another caller's run starts and completes, and get_run answers.
    const other = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: 'work',
      backend: 'command',
      cwd: env.workDir,
      backend_config: { command: [process.execPath, '-e', 'console.log(JSON.stringify("done 2"))'] },
      output_schema: { type: 'string', pattern: '^done [0-9]+$' },
    });
    const otherRun = await finished(other.run_id);
    expect(otherRun.status).toBe('completed');
    expect(otherRun.result?.structured_output).toBe('done 2');

    const evilRun = await finished(evil.run_id);
    expect(evilRun.status).toBe('failed');
    expect(evilRun.result?.error).toMatch(/output_schema exceeded 3 s/);
    expect(evilRun.result?.error).toMatch(/backtracks catastrophically/);
  }, 90_000);
});
