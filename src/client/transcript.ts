// read_output: pages of a run's full transcript, read from the run directory on the agent's host
// (here, or through that host's worker).
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES } from '../domain/agent-activity.js';
import { ulid } from 'ulid';
import type { RunView } from '../domain/run-view.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import { emptyPage, readTranscriptFile, TranscriptRangeError, type TranscriptPage, type TranscriptRequest } from '../transcripts.js';
import { InputError } from './errors.js';

export async function readTranscriptPage(
  view: RunView,
  where: { client: Client; taskQueue: string; hostId: string; runDir: string },
  request: TranscriptRequest,
): Promise<TranscriptPage> {
  if (view.host === null) return emptyPage(request);
  if (view.host === where.hostId) {
    try {
      return await readTranscriptFile(where.runDir, request);
    } catch (err) {
      if (err instanceof TranscriptRangeError) throw new InputError(err.message);
      throw err;
    }
  }
  try {
    return await where.client.workflow.execute<(request: TranscriptRequest & { host: string | null }) => Promise<TranscriptPage>>('readTranscript', {
      workflowId: `${view.run_id}.read-${ulid()}`,
      taskQueue: where.taskQueue,
      args: [{ ...request, host: view.host }],
      workflowExecutionTimeout: '1 minute',
      typedSearchAttributes: [{ key: searchAttributeKeys.kind, value: 'transcript_read' }],
    });
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    if (err.cause instanceof ApplicationFailure && err.cause.type === FAILURE_TYPES.transcriptRange) throw new InputError(err.cause.message);
    throw new InputError(
      `the transcript of run ${view.run_id} is on host ${view.host}, whose worker did not answer: start a Baton worker there to read it (get_run and poll_events work without it)`,
    );
  }
}
