// The activities a Baton worker registers. Each gets the worker's client and host identity.
import type { AgentActivities } from '../domain/agent-activity.js';
import type { AgentHostDeps } from './launch-or-reattach.js';
import { runAgent } from './run-agent.js';
import { checkOutput } from './check-output.js';
import { stopAgent } from './stop-agent.js';

export type { AgentHostDeps };

export function createAgentActivities(deps: AgentHostDeps): AgentActivities {
  return {
    runAgent: (request) => runAgent(deps, request),
    stopAgent: (request) => stopAgent(deps, request),
    checkOutput,
  };
}
