// The start of a runAgent attempt: re-attach to the agent of this very launch when it is still
// there (or left its exit status), else check the spec and launch it. Either way the workflow
// learns of the agent in one signal before anything else (docs/ARCHITECTURE.md).
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { RunAgentRequest } from '../domain/agent-activity.js';
import { channelAgentName } from '../domain/agent-inbox.js';
import type { AgentHandle } from '../domain/event-batch.js';
import { sealScopesOf, unseal } from '../secrets/seal.js';
import { agentEnvironment, type EnvPattern, type PeerSetup } from './agent-env.js';
import { launchAgent, readAgentHandle, readExitStatus, runFiles } from './agent-launch.js';
import { backends } from './backends/index.js';
import type { BatchSender } from './batch-sender.js';
import { LaunchError, toLaunchFailure } from './launch-error.js';
import { checkLaunch, type LaunchGuardDeps } from './launch-guard.js';
import { checkLaunchPaths } from './launch-paths.js';
import { pathExists } from './path-exists.js';
import { isAgentAlive, stopRunProcesses } from './processes.js';

export interface AgentHostDeps extends LaunchGuardDeps {
  client: Client;
  hostId: string;
  runDir: (runId: string) => string;
  /** Opens secrets sealed at spawn time (A2A headers). */
  secretKey: Buffer;
  /** Least time between two event signals that are not full (about a second: docs/PERFORMANCE.md). */
  flushIntervalMs?: number;
  /** BATON_ALLOWED_ROOTS of this worker: every path of a run is checked against them before a launch. */
  allowedRoots: readonly string[];
  /** More variables agents never inherit (BATON_AGENT_ENV_DENY), besides BATON_* and TEMPORAL_*. */
  agentEnvDeny?: readonly EnvPattern[];
  /** The `baton` shim and Temporal's address for `baton peer` inside agents (absent: agents get neither). */
  peer?: PeerSetup | null;
}

export async function findOrLaunch(deps: AgentHostDeps, request: RunAgentRequest, runDir: string, sender: BatchSender): Promise<{ agent: AgentHandle } | { lost: string }> {
  const now = () => new Date().toISOString();
  const found = (await readAgentHandle(runDir)) ?? request.agent;
  // Only the agent of this very launch is re-attached; an older launch's agent is history.
  const recorded = found && found.launch === request.launch ? found : null;
  if (recorded) {
    const alive = await isAgentAlive(recorded);
    if (!alive && !(await readExitStatus(runDir))) {
      return { lost: `agent process ${recorded.pid} on host ${recorded.host} is gone and left no exit status` };
    }
    sender.together(() => {
      if (request.attempt > 1 && !request.continuation) sender.note({ ts: now(), type: 'reattached', data: { host: deps.hostId, pid: recorded.pid, alive } });
      sender.announce(recorded);
    });
    return { agent: recorded };
  }
  // A launch that died before it recorded its agent may have left processes: none may survive.
  // launchAgent opens the stdout log before it spawns, so without one no process of this run was
  // ever started here: a run's first launch skips the scan of every process on the machine.
  if (await pathExists(runFiles(runDir).stdout)) await stopRunProcesses({ runId: request.run_id, hostId: deps.hostId }, null, 1000);
  let agent: AgentHandle;
  try {
    // Who made this spec, and Baton's own checks again; then the files it names.
    const execution = Context.current().info.workflowExecution;
    const checked = await checkLaunch(deps, { workflowId: execution?.workflowId ?? request.run_id, runId: execution?.runId, spec: request.spec, input: request.input });
    const cwd = checked.cwd;
    const input = await checkLaunchPaths(request.spec, checked.input, deps.allowedRoots);
    const plan = await backends[request.spec.backend].plan({
      run_id: request.run_id,
      spec: request.spec,
      mode: request.mode,
      session_id: request.session_id,
      input,
      task_id: request.task_id,
      runDir,
      // Opened only for this run (or the schedule or pipeline that started it), by its workflow id.
      openSecret: (value, field) => unseal(value, deps.secretKey, sealScopesOf(Context.current().info.workflowExecution?.workflowId ?? request.run_id), field),
      env: process.env,
    });
    const env = agentEnvironment({
      workerEnv: process.env,
      planEnv: plan.env,
      deny: deps.agentEnvDeny ?? [],
      runId: request.run_id,
      hostId: deps.hostId,
      peer: deps.peer ?? null,
      agentName: request.spec.nickname ?? channelAgentName(request.spec.channel),
    });
    agent = await launchAgent({ runId: request.run_id, launch: request.launch, runDir, host: deps.hostId, cwd, plan, env });
    // Before anything else the workflow learns where the agent runs (a retry re-attaches to it,
    // never launches a second one), with its session: one signal.
    sender.together(() => {
      if (plan.session_id) sender.add({ stream: 'stdout', end: request.offsets.stdout, events: [], facts: { session_id: plan.session_id } });
      if (request.mode === 'resume' || request.mode === 'restart') {
        sender.note({ ts: now(), type: 'resumed', data: { mode: request.mode, session_id: plan.session_id, host: deps.hostId } });
      }
      sender.announce(agent);
    });
  } catch (err) {
    if (err instanceof LaunchError) throw toLaunchFailure(err);
    throw err;
  }
  await sender.flush();
  return { agent };
}
