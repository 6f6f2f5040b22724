// Direct Temporal access for assertions: the things a person would check in the Web UI or CLI.
import { Client, Connection } from '@temporalio/client';
import { RunsClient } from '../../src/client/runs.js';
import { localTarget } from '../../src/temporal/connection.js';
import { startWorker, type BatonWorker } from '../../src/temporal/worker.js';
import { findRunProcesses } from '../../src/activities/processes.js';
import { installTemporalRuntime } from '../../src/log.js';
import { loadSecretKey } from '../../src/secrets/secret-key.js';
import type { TestEnv } from './env.js';

export async function temporalClient(env: TestEnv): Promise<Client> {
  const connection = await Connection.connect({ address: env.address });
  return new Client({ connection, namespace: 'default' });
}

/** The env's BATON_SECRET_KEY, as its Baton processes load it. */
export function secretKeyOf(env: TestEnv): Promise<Buffer> {
  return loadSecretKey({ envKey: env.config.secretKeyText, dataDir: env.dataDir, external: true });
}

export async function runsClient(env: TestEnv, client: Client): Promise<RunsClient> {
  return new RunsClient(client, { taskQueue: env.config.taskQueue, allowedRoots: env.config.allowedRoots, timings: env.config.timings, secretKey: await secretKeyOf(env) });
}

/** An in-process Baton worker for this test env. */
export async function inProcessWorker(env: TestEnv, client: Client): Promise<BatonWorker> {
  installTemporalRuntime('WARN');
  return startWorker(env.config, localTarget(env.address), client, await secretKeyOf(env));
}

/** Workflows this env's Baton started (its task queue is its own). */
export async function workflowsOf(env: TestEnv, client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: `TaskQueue = '${env.config.taskQueue}'` })) ids.push(wf.workflowId);
  return ids;
}

/** Live processes of a run: its group and anything that carries its BATON_RUN_ID. */
export async function processesOf(runId: string): Promise<number[]> {
  return (await findRunProcesses({ runId }, null)).map((p) => p.pid);
}

/** A workflow's whole history as text, payloads decoded: what `temporal workflow show` would show. */
export async function historyText(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  // The history comes in its JSON form: payload bytes are base64 strings under "data".
  return JSON.stringify(history, (key, value: unknown) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));
}
