// Where the Temporal server is and how to reach it: the embedded dev server, or the cluster or
// Cloud namespace that TEMPORAL_ADDRESS and the envconfig profile describe.
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Address, TLS, API key, gRPC metadata: usable by Connection and NativeConnection alike. */
  connectionOptions: NativeConnectionOptions;
}

/** TEMPORAL_ADDRESS plus the envconfig profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE, TEMPORAL_API_KEY, TLS, ...). */
export function externalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const profile = env.TEMPORAL_PROFILE;
  const loaded = loadClientConnectConfig(profile ? { profile } : {});
  const address = loaded.connectionOptions.address ?? env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is empty: set it to host:port of your Temporal frontend');
  return { address, namespace: loaded.namespace ?? 'default', connectionOptions: { ...loaded.connectionOptions, address } };
}

export function localTarget(address: string, namespace = 'default'): TemporalTarget {
  return { address, namespace, connectionOptions: { address } };
}

export async function openClient(target: TemporalTarget): Promise<{ client: Client; connection: Connection }> {
  const { address, tls, apiKey, metadata } = target.connectionOptions;
  const connection = await Connection.connect({
    address,
    ...(tls !== undefined ? { tls } : {}),
    ...(apiKey !== undefined ? { apiKey: apiKey } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    // gRPC's reconnect back-off grows to two minutes: after an outage the client would go on
    // failing long after the server is back. Two seconds at most keeps the recovery prompt.
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2000 },
  });
  return { client: new Client({ connection, namespace: target.namespace }), connection };
}
