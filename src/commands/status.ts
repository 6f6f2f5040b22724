// `baton status`: whether the Temporal server, a worker and the MCP endpoint are up, asked from
// outside (any terminal), so a person can tell an outage from a hang. `baton dev` records where
// its endpoint is in the data dir (baton-dev.json) while it runs.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { BatonConfig } from '../config.js';
import type { TemporalSession } from '../temporal/boot.js';
import { externalTarget } from '../temporal/connection.js';
import { isSameProcess, readState, selfAsOwner } from '../temporal/dev-server-owner.js';
import { printable } from '../terminal-text.js';

interface DevRecord {
  pid: number;
  startTime?: number;
  mcpUrl: string;
  temporalAddress: string;
}

const RECORD = 'baton-dev.json';

export async function writeDevRecord(config: BatonConfig, where: { mcpUrl: string; temporalAddress: string }): Promise<void> {
  const self = await selfAsOwner();
  const record: DevRecord = { pid: self.ownerPid, ...(self.ownerStartTime !== undefined ? { startTime: self.ownerStartTime } : {}), ...where };
  await writeFile(path.join(config.dataDir, RECORD), JSON.stringify(record, null, 2)).catch(() => undefined);
}

export async function removeDevRecord(config: BatonConfig): Promise<void> {
  await rm(path.join(config.dataDir, RECORD), { force: true });
}

/** The banner's Temporal line: where, and who restarts it when it stops. */
export function describeTemporal(temporal: TemporalSession): string {
  const server = temporal.devServer;
  if (!server) return `up at ${temporal.target.address} (TEMPORAL_ADDRESS: not Baton's to restart; Baton waits for it when it is away)`;
  if (server.owned) return `up at ${server.address} (Baton's dev server, pid ${server.pid}: restarted if it stops, stopped with Baton)`;
  return `up at ${server.address} (not started by this Baton: it waits for it when it is away)`;
}

async function temporalUp(address: string, connectOptions: Record<string, unknown>): Promise<{ up: boolean; why?: string; connection?: Connection }> {
  try {
    const connection = await Connection.connect({ ...connectOptions, address, connectTimeout: 2000 });
    await connection.withDeadline(Date.now() + 3000, () => connection.workflowService.getSystemInfo({}));
    return { up: true, connection };
  } catch (err) {
    return { up: false, why: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
}

/** Prints one line per part; exits non-zero when any is down. */
export async function runStatus(config: BatonConfig): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let address: string;
  let options: Record<string, unknown> = {};
  if (config.externalTemporal) {
    const target = externalTarget();
    address = target.address;
    options = target.connectionOptions as Record<string, unknown>;
  } else {
    address = (await readState(path.join(config.dataDir, 'temporal')))?.address ?? `127.0.0.1:${config.devServer.port}`;
  }
  const temporal = await temporalUp(address, options);
  out(`Temporal server:  ${temporal.up ? 'up' : 'down'} at ${address}${temporal.why ? ` (${temporal.why})` : ''}`);
  let workerUp = false;
  if (temporal.connection) {
    try {
      const namespace = config.externalTemporal ? externalTarget().namespace : config.namespace;
      const answer = await temporal.connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: config.taskQueue }, taskQueueType: 1 });
      const recent = (answer.pollers ?? []).filter((p) => Date.now() - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < 90_000);
      workerUp = recent.length > 0;
      out(
        `Worker:           ${workerUp ? `up (${printable(recent.map((p) => p.identity).join(', '))})` : `down (no worker polled task queue ${config.taskQueue} in the last 90 s)`}`,
      );
    } catch (err) {
      out(`Worker:           unknown (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    } finally {
      await temporal.connection.close().catch(() => undefined);
    }
  } else {
    out('Worker:           unknown (no Temporal server to ask)');
  }
  const record = await readFile(path.join(config.dataDir, RECORD), 'utf8')
    .then((t) => JSON.parse(t) as DevRecord)
    .catch(() => null);
  let mcpUp = false;
  if (record && (await isSameProcess(record.pid, record.startTime))) {
    mcpUp = await fetch(record.mcpUrl, { signal: AbortSignal.timeout(3000) }).then(
      () => true,
      () => false,
    );
    out(`MCP endpoint:     ${mcpUp ? 'up' : 'down'} at ${record.mcpUrl} (baton dev, pid ${record.pid})`);
  } else {
    out('MCP endpoint:     down (no `baton dev` runs on this data directory; a stdio `baton mcp` lives as long as its client)');
  }
  return temporal.up && workerUp && mcpUp ? 0 : 1;
}
