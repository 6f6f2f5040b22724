// An agent that cannot be started: the run fails at once with this message (no retry helps).
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES } from '../domain/agent-activity.js';

export class LaunchError extends Error {
  override name = 'LaunchError';
}

export function toLaunchFailure(err: LaunchError): ApplicationFailure {
  return ApplicationFailure.create({ type: FAILURE_TYPES.launchFailed, message: err.message, nonRetryable: true });
}
