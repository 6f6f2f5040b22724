// The parts every command assembles: Temporal, the runs client, the worker, the tool context.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RunsClient } from '../client/runs.js';
import { runDirOf, type BatonConfig } from '../config.js';
import { installTemporalRuntime } from '../log.js';
import type { ToolContext } from '../mcp/context.js';
import { loadSecretKey } from '../secrets/secret-key.js';
import { bootTemporal, type TemporalSession } from '../temporal/boot.js';
import { packageRoot } from '../temporal/ensure-cli.js';
import { startWorker, type BatonWorker } from '../temporal/worker.js';

export interface Services {
  temporal: TemporalSession;
  runs: RunsClient;
  worker: BatonWorker | null;
}

export async function startServices(config: BatonConfig, opts: { worker: boolean; say: (line: string) => void; origin?: string }): Promise<Services> {
  installTemporalRuntime(config.logLevel);
  const secretKey = await loadSecretKey({ envKey: config.secretKeyText, dataDir: config.dataDir, external: config.externalTemporal });
  const temporal = await bootTemporal(config, opts.say);
  const runs = new RunsClient(temporal.client, {
    taskQueue: config.taskQueue,
    allowedRoots: config.allowedRoots,
    timings: config.timings,
    secretKey,
    sessionsShared: config.sessionsShared,
    ...(opts.origin ? { origin: opts.origin } : {}),
  });
  const worker = opts.worker ? await startWorker(config, temporal.target, temporal.client, secretKey) : null;
  return { temporal, runs, worker };
}

export function toolContext(config: BatonConfig, runs: () => Promise<RunsClient>): ToolContext {
  return { runs, hostId: config.hostId, runDir: (runId) => runDirOf(config, runId) };
}

export function batonVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
