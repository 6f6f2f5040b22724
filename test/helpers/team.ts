// The fake team (test/fixtures/bin/fake-team.mjs) as a pipeline's planner, workers and reviewer,
// and waiting for a pipeline to reach a status: what every pipeline test needs.
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { PipelineView } from '../../src/domain/pipeline.js';
import { ROOT } from './env.js';
import { callOk } from './mcp.js';
import { waitFor } from './wait.js';

export const TEAM = path.join(ROOT, 'test', 'fixtures', 'bin', 'fake-team.mjs');

/** A pipeline role played by the fake team with these flags (`plan`, `work`, `review`, ...). */
export const teamRole = (...args: string[]) => ({ backend: 'command', backend_config: { command: [process.execPath, TEAM, ...args] } });

/** The pipeline's view once its status is one of `statuses`. */
export function pipelineIn(client: Client, pipelineId: string, statuses: string[], timeoutMs: number): Promise<PipelineView> {
  return waitFor(
    async () => {
      const view = await callOk<PipelineView>(client, 'get_pipeline', { pipeline_id: pipelineId, wait_seconds: 20 });
      return statuses.includes(view.status) ? view : null;
    },
    { timeoutMs, what: `pipeline ${pipelineId} to be ${statuses.join(' or ')}` },
  );
}
