// A Baton worker: workflows and new agents on the shared queue; re-attached agents and short
// control steps on this host's own queues, each with slots of its own (docs/ARCHITECTURE.md).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createPipelineActivities } from '../activities/git-worktrees.js';
import { sweepOrphans, type SweepDeps } from '../activities/orphan-sweep.js';
import { BINDING_MARKER, SIGNING_MARKER, loadMarkerTime } from '../activities/launch-guard.js';
import { removeCgroup, setUpRunCgroups, type ProcessTracking } from '../activities/run-cgroups.js';
import { log } from '../log.js';
import { createAgentActivities } from '../activities/index.js';
import { writePeerShim } from '../activities/peer-shim.js';
import { createScheduleActivities } from '../activities/schedules.js';
import { activitiesOn, type AllActivities } from '../domain/activity-registry.js';
import { createWebhookActivities } from '../activities/webhook.js';
import { runDirOf, type BatonConfig } from '../config.js';
import { hostAgentQueue, hostControlQueue, shortQueue } from '../workflows/names.js';
import { readTranscriptOnHost, type TranscriptRequest } from '../transcripts.js';
import { packageRoot } from './ensure-cli.js';
import type { TemporalTarget } from './connection.js';

export interface BatonWorker {
  /** Resolves when every worker has stopped (after shutdown(), or on a fatal error). */
  readonly done: Promise<void>;
  /** Stops polling and hands in-flight agents back to Temporal; the agents go on running. */
  shutdown(): Promise<void>;
  /** Agents this worker is watching right now. */
  activeAgents(): number;
  /** How this worker finds a run's processes: a cgroup per run, or the /proc sweep. */
  readonly processTracking: ProcessTracking;
}

/** One line for people: which way "no orphans" is kept on this host. */
export function describeProcessTracking(tracking: ProcessTracking): string {
  return tracking.mode === 'cgroup' ? `a cgroup per run (under ${tracking.base})` : `/proc sweep by process group and BATON_RUN_ID (${tracking.reason})`;
}

/** How often a worker looks for agents of runs its host no longer owns. */
const SWEEP_EVERY_MS = 10 * 60_000;

/** At start, once more when agents launched just before it are past their heartbeat window, then every few minutes. */
function startOrphanSweeps(deps: SweepDeps): { stop(): void } {
  const sweep = () => void sweepOrphans(deps).catch((err: unknown) => log.warn('looking for leftover agents failed', { error: String(err) }));
  sweep();
  const again = setTimeout(sweep, deps.heartbeatTimeoutMs + 1000).unref();
  const every = setInterval(sweep, SWEEP_EVERY_MS).unref();
  return {
    stop: () => {
      clearTimeout(again);
      clearInterval(every);
    },
  };
}

/** Control steps are short (stop, read): a handful of slots is plenty and never starves. */
const CONTROL_SLOTS = 20;
/** Short shared steps (output checks, webhooks, schedules): slots of their own. */
const SHORT_SLOTS = 50;

function workflowSource(): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const root = packageRoot();
  const bundle = path.join(root, 'dist', 'workflow-bundle.js');
  if (existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  return { workflowsPath: path.join(root, 'src', 'workflows', 'index.ts') };
}

export async function startWorker(config: BatonConfig, target: TemporalTarget, client: Client, secretKey: Buffer): Promise<BatonWorker> {
  const processTracking = await setUpRunCgroups(config.cgroups, config.hostId);
  log.info(`agent processes are tracked by ${describeProcessTracking(processTracking)}`, { hostId: config.hostId });
  const connection = await NativeConnection.connect(target.connectionOptions);
  const signingSince = await loadMarkerTime(config.dataDir, SIGNING_MARKER);
  const bindingSince = await loadMarkerTime(config.dataDir, BINDING_MARKER);
  const peerBin = await writePeerShim(config.dataDir, packageRoot()).catch((err: unknown) => {
    log.warn('could not write the `baton` command for agents: `baton peer` will not be on their PATH', { error: String(err) });
    return null;
  });
  const activities = createAgentActivities({
    client,
    hostId: config.hostId,
    runDir: (runId) => runDirOf(config, runId),
    secretKey,
    flushIntervalMs: config.eventFlushMs,
    agentEnvDeny: config.agentEnvDeny,
    allowedRoots: config.allowedRoots,
    worktreesDir: path.join(config.dataDir, 'worktrees'),
    signingSince,
    bindingSince,
    peer: peerBin ? { binDir: peerBin, temporalAddress: target.address, namespace: target.namespace, taskQueue: config.taskQueue } : null,
  });
  const git = createPipelineActivities({ hostId: config.hostId, dataDir: config.dataDir });
  // A worker that died leaves its cached workflows' next tasks on its sticky queue: after 3 s
  // they go to the shared queue instead (the SDK's default waits longer), so recovery is prompt.
  // Shutting down never waits long: agents do not depend on the worker, and a poll stuck on a
  // server that restarted must not hold the process for its long-poll timeout.
  const common = {
    connection,
    namespace: target.namespace,
    shutdownGraceTime: '1 second',
    shutdownForceTime: '5 seconds',
    stickyQueueScheduleToStartTimeout: '3 seconds',
  } as const;
  // Each activity on the queues the registry names (src/domain/activity-registry.ts), no other.
  const all: AllActivities = {
    ...activities,
    ...git,
    ...createWebhookActivities({ secretKey, origin: { client, secretKey, signingSince, bindingSince } }),
    ...createScheduleActivities({ client, secretKey }),
    readTranscriptPage: (request: TranscriptRequest) => readTranscriptOnHost(runDirOf(config, request.run_id), request),
  };
  const agentActivities = activitiesOn('agents', all);
  const [sharedAgents, shortSteps, hostAgents, hostControl] = await Promise.all([
    Worker.create({ ...common, taskQueue: config.taskQueue, ...workflowSource(), activities: agentActivities, maxConcurrentActivityTaskExecutions: config.maxConcurrentAgents }),
    Worker.create({ ...common, taskQueue: shortQueue(config.taskQueue), activities: activitiesOn('short', all), maxConcurrentActivityTaskExecutions: SHORT_SLOTS }),
    Worker.create({ ...common, taskQueue: hostAgentQueue(config.hostId), activities: agentActivities, maxConcurrentActivityTaskExecutions: config.maxConcurrentAgents }),
    Worker.create({ ...common, taskQueue: hostControlQueue(config.hostId), activities: activitiesOn('control', all), maxConcurrentActivityTaskExecutions: CONTROL_SLOTS }),
  ]);
  const workers = [sharedAgents, shortSteps, hostAgents, hostControl];
  const done = Promise.all(workers.map((w) => w.run())).then(
    () => undefined,
    async (err: unknown) => {
      await Promise.allSettled(workers.map(async (w) => (w.getState() === 'RUNNING' ? w.shutdown() : undefined)));
      throw err;
    },
  );
  const sweeper = startOrphanSweeps({
    client,
    hostId: config.hostId,
    runDir: (runId) => runDirOf(config, runId),
    heartbeatTimeoutMs: config.timings.heartbeat_timeout_ms,
    killGraceMs: config.timings.kill_grace_ms,
    log: (message, meta) => log.info(message, meta),
  });
  const closed = done.finally(async () => {
    sweeper.stop();
    // The host's cgroup directory goes if no run of it is left (agents that go on keep theirs).
    if (processTracking.mode === 'cgroup') await removeCgroup(path.join(processTracking.base, config.hostId));
    return connection.close();
  });
  return {
    done: closed,
    async shutdown() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await closed.catch(() => undefined);
    },
    processTracking,
    activeAgents: () => sharedAgents.getStatus().numInFlightActivities + hostAgents.getStatus().numInFlightActivities,
  };
}
