// Today's workflows with one deliberately non-deterministic change: agentRun waits a moment
// before it starts, so it schedules a timer that no recorded history has.
import { sleep } from '@temporalio/workflow';
import type { RunWorkflowInput } from '../../../src/domain/run-spec.js';
import { agentRun as currentAgentRun } from '../../../src/workflows/agent-run.js';

export * from '../../../src/workflows/index.js';

export async function agentRun(input: RunWorkflowInput): ReturnType<typeof currentAgentRun> {
  await sleep(10);
  return currentAgentRun(input);
}
