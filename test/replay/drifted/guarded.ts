// The same change as unguarded.ts, guarded as docs/ARCHITECTURE.md says: workflows that started
// before it take the old path, new ones the new path.
import { patched, sleep } from '@temporalio/workflow';
import type { RunWorkflowInput } from '../../../src/domain/run-spec.js';
import { agentRun as currentAgentRun } from '../../../src/workflows/agent-run.js';

export * from '../../../src/workflows/index.js';

export async function agentRun(input: RunWorkflowInput): ReturnType<typeof currentAgentRun> {
  if (patched('replay-test-wait-before-start')) await sleep(10);
  return currentAgentRun(input);
}
