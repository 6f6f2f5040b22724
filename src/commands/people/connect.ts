// How the people commands reach Baton: straight to the Temporal server (no MCP server needed),
// found as every Baton process finds it: TEMPORAL_ADDRESS plus the envconfig profile, else the
// dev server this data directory's `npm start` runs. The runs client is built with the same
// options as the MCP server's, so `baton spawn` signs and checks a run exactly like spawn_run.
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { RunsClient } from '../../client/runs.js';
import { loadConfig, type BatonConfig } from '../../config.js';
import { loadSecretKey } from '../../secrets/secret-key.js';
import { externalTarget, localTarget, type TemporalTarget } from '../../temporal/connection.js';
import { readState } from '../../temporal/dev-server-owner.js';
import { CliError } from './errors.js';

export interface Session {
  config: BatonConfig;
  runs: RunsClient;
  close(): Promise<void>;
}

export async function targetOf(config: BatonConfig): Promise<TemporalTarget> {
  if (config.externalTemporal) return externalTarget();
  const state = await readState(path.join(config.dataDir, 'temporal'));
  return localTarget(state?.address ?? `127.0.0.1:${config.devServer.port}`, config.namespace);
}

/** A connection to Temporal, or a CliError at once with what to do. */
export async function connectTemporal(config: BatonConfig): Promise<{ connection: Connection; target: TemporalTarget }> {
  const target = await targetOf(config);
  const { address, tls, apiKey, metadata } = target.connectionOptions;
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address,
      ...(tls !== undefined ? { tls } : {}),
      ...(apiKey !== undefined ? { apiKey: apiKey } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
      connectTimeout: 3000,
    });
    await connection.withDeadline(Date.now() + 5000, () => connection.workflowService.getSystemInfo({}));
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const how = config.externalTemporal
      ? 'check TEMPORAL_ADDRESS (and the envconfig profile) and that the server is up'
      : 'start Baton with `npm start` (or `baton dev`), or set TEMPORAL_ADDRESS to your Temporal server';
    throw new CliError(`no Temporal server answers at ${address} (${why}): ${how}`);
  }
  return { connection, target };
}

/** Connects, or fails at once with what to do: a person waiting on a hung prompt learns nothing. */
export async function openSession(): Promise<Session> {
  const config = loadConfig();
  const { connection, target } = await connectTemporal(config);
  const secretKey = await loadSecretKey({ envKey: config.secretKeyText, dataDir: config.dataDir, external: config.externalTemporal });
  const client = new Client({ connection, namespace: target.namespace });
  const runs = new RunsClient(client, {
    taskQueue: config.taskQueue,
    allowedRoots: config.allowedRoots,
    timings: config.timings,
    secretKey,
    sessionsShared: config.sessionsShared,
  });
  return { config, runs, close: () => connection.close().catch(() => undefined) };
}

/** Runs `work` on a session and closes it whatever happens. */
export async function withSession<T>(work: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession();
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
