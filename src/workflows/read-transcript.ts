// readTranscript: reading a transcript on the host whose disk holds it, for an MCP server on
// another host (read_output). A short workflow whose one activity runs on that host's queue.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../domain/agent-activity.js';
import type { TranscriptPage, TranscriptRequest } from '../transcripts.js';
import type { TranscriptActivities } from '../domain/activity-registry.js';
import { controlActivities } from './activity-stubs.js';

export async function readTranscript(request: TranscriptRequest & { host: string }): Promise<TranscriptPage> {
  const { readTranscriptPage } = controlActivities<TranscriptActivities>(request.host, {
    // The host's worker answers at once or is not running: then say so quickly.
    scheduleToStartTimeout: '15 seconds',
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 1 },
  });
  try {
    return await readTranscriptPage(request);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === FAILURE_TYPES.transcriptRange) throw cause;
    throw ApplicationFailure.create({ type: FAILURE_TYPES.transcriptUnreachable, message: String((err as Error).cause ?? err), nonRetryable: true });
  }
}
