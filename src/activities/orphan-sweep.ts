// No orphans: a worker that starts (and every few minutes after) stops the agent processes of runs
// this host no longer owns: the run's workflow is closed, or the run moved to another host. An
// agent launched less than a heartbeat timeout ago is left alone: its launch may not have reached
// the workflow yet. Processes are found by BATON_RUN_ID, so those that left the group are too.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { statusQuery } from '../workflows/messages.js';
import { readAgentHandle } from './agent-launch.js';
import { pathExists } from './path-exists.js';
import { isAgentAlive, processesByRun, stopRunProcesses } from './processes.js';
import { cgroupPids, removeCgroup, runCgroupDir, runsWithCgroups } from './run-cgroups.js';

export interface SweepDeps {
  client: Client;
  hostId: string;
  runDir: (runId: string) => string;
  heartbeatTimeoutMs: number;
  killGraceMs: number;
  log: (message: string, meta: Record<string, unknown>) => void;
}

type Ownership = 'mine' | 'closed' | 'moved' | 'unknown';

export async function sweepOrphans(deps: SweepDeps): Promise<string[]> {
  const stopped: string[] = [];
  for (const [runId, procs] of await processesByRun(deps.hostId)) {
    const dir = deps.runDir(runId);
    // Only runs whose directory is on this host's disk are this host's to judge.
    if (!(await pathExists(dir))) continue;
    const agent = await readAgentHandle(dir);
    if (agent && Date.now() - Date.parse(agent.launched_at) < deps.heartbeatTimeoutMs) continue;
    const owner = await ownership(deps, runId);
    if (owner !== 'closed' && owner !== 'moved') continue;
    const pgid = agent && (await isAgentAlive(agent)) ? agent.pid : null;
    await stopRunProcesses({ runId, hostId: deps.hostId }, pgid, deps.killGraceMs);
    deps.log(`stopped the leftover processes of run ${runId} (${owner === 'closed' ? 'its run has ended' : 'it moved to another host'})`, {
      runId,
      pids: procs.map((p) => p.pid),
    });
    stopped.push(runId);
  }
  await removeEmptyCgroups(deps);
  return stopped;
}

/** A run that ended while no worker watched it leaves an empty cgroup: it goes once its run is closed. */
async function removeEmptyCgroups(deps: SweepDeps): Promise<void> {
  for (const runId of await runsWithCgroups(deps.hostId)) {
    const dir = runCgroupDir(deps.hostId, runId)!;
    if ((await cgroupPids(dir)).length > 0) continue;
    const agent = await readAgentHandle(deps.runDir(runId));
    if (agent && Date.now() - Date.parse(agent.launched_at) < deps.heartbeatTimeoutMs) continue;
    if ((await ownership(deps, runId)) === 'closed') await removeCgroup(dir);
  }
}

async function ownership(deps: SweepDeps, runId: string): Promise<Ownership> {
  const handle = deps.client.workflow.getHandle(runId);
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return 'closed';
    const view = await deps.client.withDeadline(Date.now() + 5000, () => handle.query(statusQuery));
    return view.host !== null && view.host !== deps.hostId ? 'moved' : 'mine';
  } catch (err) {
    return err instanceof WorkflowNotFoundError ? 'closed' : 'unknown';
  }
}
