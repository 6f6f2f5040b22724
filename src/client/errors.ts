// Errors a caller can act on; the MCP layer turns them into tool errors with the message as is.

/** The request cannot be carried out as given; the message says what to change. */
export class InputError extends Error {
  override name = 'InputError';
}

export class RunNotFoundError extends InputError {
  override name = 'RunNotFoundError';
  constructor(runId: string) {
    super(`no run with id "${runId}": check the run_id (list_runs shows recent runs)`);
  }
}
