// What the MCP tools need: the runs client (ready once Temporal is) and where this server runs.
import type { RunsClient } from '../client/runs.js';

export interface ToolContext {
  /** Resolves once Temporal is reachable; rejects with the reason when it never will be. */
  runs: () => Promise<RunsClient>;
  /** This server's host id and how to find a run's directory here (read_output). */
  hostId: string;
  runDir: (runId: string) => string;
}

/** Waits stay under the ~60 s request timeout of MCP clients. */
export const MAX_WAIT_SECONDS = 55;
export const DEFAULT_WAIT_SECONDS = 50;
