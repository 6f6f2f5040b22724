// A run's own input (its RunSpec), read from the first event of its history: what continue_run
// carries over to the follow-up. Needs no worker.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import { RunNotFoundError } from './errors.js';

export async function readRunInput(client: Client, runId: string): Promise<RunWorkflowInput> {
  const input = await readWorkflowInput<RunWorkflowInput>(client, runId);
  if (!input) throw new RunNotFoundError(runId);
  return input;
}

/** Any workflow's first argument (of one run of it, when runId is given), or null when there is none. */
export async function readWorkflowInput<T>(client: Client, workflowId: string, runId?: string): Promise<T | null> {
  const response = await client.workflowService
    .getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId, ...(runId ? { runId } : {}) }, maximumPageSize: 1 })
    .catch(() => null);
  const started = response?.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<T>(payload) : null;
}
