// A run's own input (its RunSpec), read from the first event of its history: what continue_run
// carries over to the follow-up. Needs no worker.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import { RunNotFoundError } from './errors.js';

export async function readRunInput(client: Client, runId: string): Promise<RunWorkflowInput> {
  const response = await client.workflowService
    .getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId: runId }, maximumPageSize: 1 })
    .catch(() => null);
  const started = response?.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  if (!payload) throw new RunNotFoundError(runId);
  return defaultPayloadConverter.fromPayload(payload) as RunWorkflowInput;
}
