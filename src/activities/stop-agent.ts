// The stopAgent activity: stop every process of a run on this host, promptly (docs/ARCHITECTURE.md).
import type { StopAgentRequest, StopAgentResult } from '../domain/agent-activity.js';
import { readAgentHandle } from './agent-launch.js';
import { isAgentAlive, stopRunProcesses } from './processes.js';
import type { AgentHostDeps } from './launch-or-reattach.js';

export async function stopAgent(deps: AgentHostDeps, request: StopAgentRequest): Promise<StopAgentResult> {
  const agent = (await readAgentHandle(deps.runDir(request.run_id))) ?? request.agent;
  // The group id is used only while the wrapper that owns it is verifiably ours.
  const pgid = agent && (await isAgentAlive(agent)) ? agent.pid : null;
  return stopRunProcesses({ runId: request.run_id, hostId: deps.hostId }, pgid, request.kill_grace_ms);
}
