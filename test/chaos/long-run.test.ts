// A run that sends more event batches than one workflow history may hold (the test server's
// limits are lowered: 100 signals, continue-as-new suggested at 500 events) goes on through
// continue-as-new segments, re-attaching to the same agent, with gapless seqs.
import type { Client as TemporalClient } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { followEvents } from '../helpers/follow.js';
import { processesOf, temporalClient } from '../helpers/temporal.js';

let env: TestEnv;
let mcp: McpSession;
let temporal: TemporalClient;

beforeAll(async () => {
  // Signals every 20 ms, so the run sends hundreds of them in a few seconds.
  env = await makeTestEnv({ BATON_EVENT_FLUSH_MS: '20' });
  [mcp, temporal] = await Promise.all([connectStdio(env), temporalClient(env)]);
});

afterAll(async () => {
  await mcp?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

describe('a long run', () => {
  it('continues as new in segments with gapless events, one agent, and its search attributes and memo intact', async () => {
    const LINES = 600;
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: 'talk a lot',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', String(LINES), '--delay-ms', '8'),
    });
    const pids = new Set<number>();
    const { events: seen, status } = await followEvents(mcp.client, run_id, {
      waitSeconds: 5,
      onPage: async () => {
        for (const pid of await processesOf(run_id)) pids.add(pid);
      },
    });
    expect(status).toBe('completed');
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    const lines = seen.filter((e) => e.type === 'agent_message').map((e) => e.data.text);
    expect(lines).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));
    expect(seen.some((e) => e.type === 'reattached')).toBe(false);

    const executions: string[] = [];
    for await (const execution of temporal.workflow.list({ query: `WorkflowId = '${run_id}'` })) executions.push(execution.status.name);
    expect(executions.filter((s) => s === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(2);
    // One agent: the fake agent and its wrapper, the same two processes all along.
    expect(pids.size).toBeLessThanOrEqual(2);

    const view = await callOk<RunView>(mcp.client, 'get_run', { run_id });
    expect(view).toMatchObject({ status: 'completed', last_seq: seen.length, attempt: 1 });
    const listed = await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { status: 'completed', limit: 100 });
    expect(listed.runs.map((r) => r.run_id)).toContain(run_id);
  });
});
