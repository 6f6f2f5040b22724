// Getting to a ready Temporal: the one named by TEMPORAL_ADDRESS (checked, never changed), or the
// local dev server (started or reused, its namespace set up for Baton).
import type { Client } from '@temporalio/client';
import type { BatonConfig } from '../config.js';
import { externalTarget, localTarget, openClient, type TemporalTarget } from './connection.js';
import { startOrReuseDevServer, type DevServer } from './dev-server.js';
import { prepareNamespace } from './namespace-setup.js';
import { reachability } from './reachability.js';

export interface TemporalSession {
  target: TemporalTarget;
  client: Client;
  /** The local dev server, when Baton uses one (null with TEMPORAL_ADDRESS). */
  devServer: DevServer | null;
  close(): Promise<void>;
}

export async function bootTemporal(config: BatonConfig, say: (line: string) => void): Promise<TemporalSession> {
  let devServer: DevServer | null = null;
  let target: TemporalTarget;
  if (config.externalTemporal) {
    target = externalTarget();
  } else {
    devServer = await startOrReuseDevServer({
      dataDir: config.dataDir,
      port: config.devServer.port,
      uiPort: config.devServer.uiPort,
      log: say,
    });
    target = localTarget(devServer.address, config.namespace);
  }
  const { client, connection } = await openClient(target);
  await prepareNamespace(connection, target.namespace, {
    manage: config.manageNamespace,
    retentionDays: config.devServer.retentionDays,
  });
  // From here on an outage is noticed, said once, and answered at once by the tools.
  reachability.configure({ address: target.address, restartedByBaton: devServer?.owned ?? false, say });
  reachability.watch(connection);
  return {
    target,
    client,
    devServer,
    close: async () => {
      reachability.stop();
      await connection.close();
    },
  };
}
