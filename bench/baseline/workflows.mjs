// The baselines' workflows: the least Temporal can do, to measure Baton against.
import { proxyActivities } from '@temporalio/workflow';

const { spawnCommand } = proxyActivities({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } });

/** A workflow that does nothing: the floor under spawn_run's latency. */
export async function minimal() {
  return 'ok';
}

/** One activity that runs the command with execa: the ceiling for runs per second. */
export async function spawnOnce(command, where) {
  return spawnCommand(command, where);
}
