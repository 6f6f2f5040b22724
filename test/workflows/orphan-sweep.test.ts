// The sweep a worker runs when it starts (and every few minutes): agents of runs this host no
// longer owns are stopped, grandchildren that left the group included (found by BATON_RUN_ID),
// but never an agent launched less than a heartbeat timeout ago, whose launch may not have reached
// its workflow yet. Where runs have cgroups, it also finds a grandchild that dropped BATON_RUN_ID.
// Real processes, a real Temporal server.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchAgent } from '../../src/activities/agent-launch.js';
import { sweepOrphans, type SweepDeps } from '../../src/activities/orphan-sweep.js';
import { stopRunProcesses } from '../../src/activities/processes.js';
import { runDirOf } from '../../src/config.js';
import { removeCgroup, setUpRunCgroups, type ProcessTracking } from '../../src/activities/run-cgroups.js';
import path from 'node:path';
import { readdir, readFile, stat } from 'node:fs/promises';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { processesOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let client: Client;
const launched: string[] = [];
let tracking: ProcessTracking;

beforeAll(async () => {
  env = await makeTestEnv();
  client = await temporalClient(env);
  // As a worker of this host does at start: agents launched below get a cgroup where that works.
  tracking = await setUpRunCgroups('auto', env.config.hostId);
});

afterAll(async () => {
  for (const runId of launched) await stopRunProcesses({ runId, hostId: env.config.hostId }, null, 100);
  if (tracking?.mode === 'cgroup') await removeCgroup(path.join(tracking.base, env.config.hostId));
  await client?.connection.close();
  await env?.cleanup();
});

/** An agent (with a grandchild that called setsid) for a run whose workflow has ended. */
async function agentOfEndedRun(script = 'setsid sleep 300 & exec sleep 300', expected = 3): Promise<string> {
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
    plan: { file: '/bin/sh', args: ['-c', script], env: {}, input: '', session_id: null },
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BATON_RUN_ID: runId, BATON_HOST_ID: env.config.hostId },
  });
  await waitFor(async () => (await processesOf(runId)).length === expected, { what: 'the wrapper, the agent and its grandchild' });
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

/** Live processes whose argv has `marker` as one of its words. */
async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of (await readdir('/proc')).filter((e) => /^\d+$/.test(e))) {
    const argv = await readFile(`/proc/${entry}/cmdline`, 'latin1').catch(() => '');
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    if (argv.split('\0').includes(marker) && stat && state !== 'Z') found.push(Number(entry));
  }
  return found;
}

describe('the orphan sweep, where runs have cgroups', () => {
  it('removes the empty cgroup of a run that ended while no worker watched it', async (ctx) => {
    if (tracking.mode !== 'cgroup') ctx.skip(`no cgroups on this machine: ${tracking.reason}`);
    const runId = await agentOfEndedRun('exit 0', 0);
    const dir = path.join((tracking as { base: string }).base, env.config.hostId, runId);
    await waitFor(async () => (await processesOf(runId)).length === 0, { what: 'the agent to exit' });
    expect(await stat(dir).then(() => true, () => false)).toBe(true);
    await sweepOrphans(deps(0));
    expect(await stat(dir).then(() => true, () => false)).toBe(false);
  });

  it('stops a grandchild that left the group and dropped BATON_RUN_ID', async (ctx) => {
    if (tracking.mode !== 'cgroup') ctx.skip(`no cgroups on this machine: ${tracking.reason}`);
    const marker = `301.${randomBytes(3).readUIntBE(0, 3)}`;
    // Only the wrapper and the agent carry the mark; the escapee is found by its cgroup alone.
    const runId = await agentOfEndedRun(`setsid env -u BATON_RUN_ID -u BATON_HOST_ID sleep ${marker} & exec sleep 300`, 2);
    await waitFor(async () => (await processesWith(marker)).length === 1, { what: 'the escapee' });
    try {
      expect(await sweepOrphans(deps(0))).toContain(runId);
      expect(await processesOf(runId)).toEqual([]);
      expect(await processesWith(marker)).toEqual([]);
    } finally {
      for (const pid of await processesWith(marker)) process.kill(pid, 'SIGKILL');
    }
  });
});
