// The sweep a worker runs when it starts (and every few minutes): agents of runs this host no
// longer owns are stopped, grandchildren that left the group included (found by BATON_RUN_ID),
// but never an agent launched less than a heartbeat timeout ago, whose launch may not have reached
// its workflow yet. Where runs have cgroups, it also finds a grandchild that dropped BATON_RUN_ID;
// the fallback (no cgroups) cannot, and says so. Both ways run on every machine, so nothing shows
// as skipped: BATON_CGROUPS=off always, and auto as this machine allows it (a cgroup per run, or
// the fallback and why). Real processes, a real Temporal server.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchAgent } from '../../src/activities/agent-launch.js';
import { sweepOrphans, type SweepDeps } from '../../src/activities/orphan-sweep.js';
import { stopRunProcesses } from '../../src/activities/processes.js';
import { runDirOf } from '../../src/config.js';
import { removeCgroup, runCgroupDir, runsWithCgroups, setUpRunCgroups, type ProcessTracking } from '../../src/activities/run-cgroups.js';
import path from 'node:path';
import { readdir, readFile, stat } from 'node:fs/promises';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { processesOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

// What a worker does at start, asked of the same machine: can this host hold runs in cgroups?
const machine = await setUpRunCgroups('auto', `probe-${randomBytes(4).toString('hex')}`);
const cases = [
  {
    setting: 'auto',
    cgroups: machine.mode === 'cgroup',
    title: `BATON_CGROUPS=auto (${machine.mode === 'cgroup' ? 'this machine allows cgroups' : 'this machine does not allow cgroups'})`,
  },
  { setting: 'off', cgroups: false, title: 'BATON_CGROUPS=off (the fallback)' },
];

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

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

// The cases run one after the other (vitest runs a file's suites in order): each sets up the
// module's tracking as its worker would, so they must not overlap.
describe.each(cases)('the orphan sweep with $title', ({ setting, cgroups }) => {
  let env: TestEnv;
  let client: Client;
  const launched: string[] = [];
  let tracking: ProcessTracking;

  beforeAll(async () => {
    env = await makeTestEnv({ BATON_CGROUPS: setting });
    client = await temporalClient(env);
    // As a worker of this host does at start, from its parsed BATON_CGROUPS.
    tracking = await setUpRunCgroups(env.config.cgroups, env.config.hostId);
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

  it(cgroups ? 'the worker tracks processes by a cgroup per run' : 'the worker falls back to the /proc sweep, and says why', () => {
    if (cgroups) expect(tracking).toEqual({ mode: 'cgroup', base: machine.mode === 'cgroup' ? machine.base : null });
    else if (setting === 'off') expect(tracking).toEqual({ mode: 'sweep', reason: 'BATON_CGROUPS=off' });
    else expect(tracking).toEqual({ mode: 'sweep', reason: expect.stringMatching(/^(no cgroup v2 file system is mounted|cannot use cgroups under \/.+)$/) });
  });

  it('leaves an agent launched within the heartbeat timeout alone, even if its run has ended', async () => {
    const runId = await agentOfEndedRun();
    expect(await sweepOrphans(deps(60_000))).not.toContain(runId);
    expect(await processesOf(runId)).toHaveLength(3);
  });

  it('stops it, and the setsid grandchild that left its group (it keeps BATON_RUN_ID), once the window has passed', async () => {
    const runId = await agentOfEndedRun();
    expect(await sweepOrphans(deps(0))).toContain(runId);
    expect(await processesOf(runId)).toEqual([]);
  });

  it('judges only the runs of its own host', async () => {
    const runId = await agentOfEndedRun();
    expect(await sweepOrphans({ ...deps(0), hostId: `${env.config.hostId}-other` })).not.toContain(runId);
    expect(await processesOf(runId)).toHaveLength(3);
  });

  it(cgroups ? 'removes the empty cgroup of a run that ended while no worker watched it' : 'gives a run no cgroup to remove: nothing but the sweep tracks it', async () => {
    const runId = await agentOfEndedRun('exit 0', 0);
    await waitFor(async () => (await processesOf(runId)).length === 0, { what: 'the agent to exit' });
    if (!cgroups) {
      expect(runCgroupDir(env.config.hostId, runId)).toBeNull();
      expect(await runsWithCgroups(env.config.hostId)).toEqual([]);
      return;
    }
    const dir = runCgroupDir(env.config.hostId, runId)!;
    expect(await exists(dir)).toBe(true);
    await sweepOrphans(deps(0));
    expect(await exists(dir)).toBe(false);
  });

  it(
    cgroups
      ? 'stops a grandchild that left the group and dropped BATON_RUN_ID'
      : "cannot find a grandchild that left the group AND dropped BATON_RUN_ID (the fallback's known gap); stops the rest of its run",
    async () => {
      const marker = `301.${randomBytes(3).readUIntBE(0, 3)}`;
      // Only the wrapper and the agent carry the mark; the escapee is found by its cgroup alone.
      const runId = await agentOfEndedRun(`setsid env -u BATON_RUN_ID -u BATON_HOST_ID sleep ${marker} & exec sleep 300`, 2);
      await waitFor(async () => (await processesWith(marker)).length === 1, { what: 'the escapee' });
      try {
        expect(await sweepOrphans(deps(0))).toContain(runId);
        expect(await processesOf(runId)).toEqual([]);
        // Pinned so the docs stay true: if the sweep ever finds it, README and SECURITY.md change.
        expect(await processesWith(marker)).toHaveLength(cgroups ? 0 : 1);
      } finally {
        for (const pid of await processesWith(marker)) process.kill(pid, 'SIGKILL');
      }
    },
  );
});
