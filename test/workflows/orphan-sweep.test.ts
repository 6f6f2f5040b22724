// The sweep a worker runs when it starts (and every few minutes): agents of runs this host no
// longer owns are stopped, grandchildren that left the group included (found by BATON_RUN_ID),
// but never an agent launched less than a heartbeat timeout ago, whose launch may not have reached
// its workflow yet. Real processes, a real Temporal server.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchAgent } from '../../src/activities/agent-launch.js';
import { sweepOrphans, type SweepDeps } from '../../src/activities/orphan-sweep.js';
import { stopRunProcesses } from '../../src/activities/processes.js';
import { runDirOf } from '../../src/config.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { processesOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let client: Client;
const launched: string[] = [];

beforeAll(async () => {
  env = await makeTestEnv();
  client = await temporalClient(env);
});

afterAll(async () => {
  for (const runId of launched) await stopRunProcesses({ runId }, null, 100);
  await client?.connection.close();
  await env?.cleanup();
});

/** An agent (with a grandchild that called setsid) for a run whose workflow has ended. */
async function agentOfEndedRun(): Promise<string> {
  const runId = `run_sweep_${randomBytes(6).toString('hex')}`;
  const handle = await client.workflow.start('agentRun', { workflowId: runId, taskQueue: `${env.config.taskQueue}-nobody`, args: [{}] });
  await handle.terminate('ended while its agent still runs');
  launched.push(runId);
  await launchAgent({
    runId,
    launch: 1,
    runDir: runDirOf(env.config, runId),
    host: env.config.hostId,
    cwd: env.workDir,
    plan: { file: '/bin/sh', args: ['-c', 'setsid sleep 300 & exec sleep 300'], env: {}, input: '', session_id: null },
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BATON_RUN_ID: runId, BATON_HOST_ID: env.config.hostId },
  });
  await waitFor(async () => (await processesOf(runId)).length === 3, { what: 'the wrapper, the agent and its grandchild' });
  return runId;
}

function deps(heartbeatTimeoutMs: number): SweepDeps {
  return {
    client,
    hostId: env.config.hostId,
    runDir: (runId) => runDirOf(env.config, runId),
    heartbeatTimeoutMs,
    killGraceMs: 500,
    log: () => undefined,
  };
}

describe('the orphan sweep', () => {
  it('leaves an agent launched within the heartbeat timeout alone, even if its run has ended', async () => {
    const runId = await agentOfEndedRun();
    expect(await sweepOrphans(deps(60_000))).not.toContain(runId);
    expect(await processesOf(runId)).toHaveLength(3);
  });

  it('stops it, and the grandchild that left its group, once the window has passed', async () => {
    const runId = await agentOfEndedRun();
    expect(await sweepOrphans(deps(0))).toContain(runId);
    expect(await processesOf(runId)).toEqual([]);
  });

  it('judges only the runs of its own host', async () => {
    const runId = await agentOfEndedRun();
    expect(await sweepOrphans({ ...deps(0), hostId: `${env.config.hostId}-other` })).not.toContain(runId);
    expect(await processesOf(runId)).toHaveLength(3);
  });
});
