// One real Temporal dev server for the whole test run (vitest global setup), on free loopback
// ports and a SQLite file in a temp dir; stopped when the run ends.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startOrReuseDevServer, type DevServer } from '../../src/temporal/dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalDataDir: string;
    /** The guarded Web UI, as `npm start` prints it. */
    temporalUiUrl: string;
    /** The dev server's own HTTP ports (real UI, HTTP API, metrics). */
    temporalHttpPort: number;
    temporalInternalUiPort: number;
    temporalMetricsPort: number;
  }
}

/**
 * A free loopback port below the kernel's ephemeral range. A port that `listen(0)` hands out lies
 * in that range, which is also where every outgoing connection gets its local port: a server
 * stopped and started again on it (the supervision tests kill dev servers) can find it taken by
 * some other test file's client socket meanwhile.
 */
export async function freePort(): Promise<number> {
  const low = await ephemeralLow();
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between 10000 and ${low}`);
}

async function ephemeralLow(): Promise<number> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
  const low = Number.parseInt(range.trim().split(/\s+/)[0], 10);
  return Number.isFinite(low) && low > 11_000 ? low : 32_768;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

interface SharedServer {
  server: DevServer;
  dataDir: string;
}

// Every project that names this file calls setup (and teardown) once, all in vitest's main process:
// the first starts the server, the others share it, and the last teardown stops it.
const shared = globalThis as { batonTestServer?: Promise<SharedServer>; batonTestServerUsers?: number };

async function startServer(): Promise<SharedServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'baton-test-temporal-'));
  const server = await startOrReuseDevServer({
    dataDir,
    port: await freePort(),
    uiPort: await freePort(),
    log: (line) => process.stderr.write(`[test setup] ${line}\n`),
    // History limits far below Temporal's defaults (4096 events, 10,000 signals), so that long
    // runs prove they continue as new in segments without running for minutes.
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 500, 'history.maximumSignalsPerExecution': 100 },
  });
  return { server, dataDir };
}

export async function setup(project: TestProject): Promise<void> {
  shared.batonTestServerUsers = (shared.batonTestServerUsers ?? 0) + 1;
  shared.batonTestServer ??= startServer();
  const { server, dataDir } = await shared.batonTestServer;
  project.provide('temporalAddress', server.address);
  project.provide('temporalDataDir', dataDir);
  project.provide('temporalUiUrl', server.uiUrl);
  project.provide('temporalHttpPort', server.ports!.http);
  project.provide('temporalInternalUiPort', server.ports!.ui);
  project.provide('temporalMetricsPort', server.ports!.metrics);
}

export async function teardown(): Promise<void> {
  shared.batonTestServerUsers = (shared.batonTestServerUsers ?? 1) - 1;
  if (shared.batonTestServerUsers > 0 || !shared.batonTestServer) return;
  const { server, dataDir } = await shared.batonTestServer;
  shared.batonTestServer = undefined;
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
