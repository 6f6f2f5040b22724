// Errors a caller can act on; the MCP layer turns them into tool errors with the message as is.

/** The request cannot be carried out as given; the message says what to change. */
export class InputError extends Error {
  override name = 'InputError';
}

export class RunNotFoundError extends InputError {
  override name = 'RunNotFoundError';
  constructor(runId: string, message = `no run with id "${runId}": check the run_id (list_runs shows recent runs)`) {
    super(message);
  }
}

/** A pipeline's id where a run's is expected: no run by that id, and the tool that reads it. */
export class PipelineNotRunError extends RunNotFoundError {
  override name = 'PipelineNotRunError';
  constructor(id: string) {
    super(id, `${id} is a pipeline, not a run: get_pipeline reads it (and waits on it), and list_runs with parent "${id}" lists its steps' runs`);
  }
}
