// The environment an agent gets: the worker's, minus Baton's and Temporal's own settings and
// credentials, plus the backend's additions and the caller's backend_config.env, plus the run's
// mark. Deny-listing, not allow-listing: agents legitimately need much of the host's environment
// (API keys and config of Claude Code and Codex, cloud credentials for Bedrock or Vertex, git
// and package-registry tokens, proxies, HOME, PATH, locale), and an allow-list would silently
// break them; what they must never see is Baton's own, which is named by a fixed prefix.

/** Prefixes no agent inherits from the worker: Baton's keys and secrets, Temporal's address and credentials. */
const ALWAYS_DENIED_PREFIXES = ['BATON_', 'TEMPORAL_'];

/** A name or a `PREFIX*` pattern from BATON_AGENT_ENV_DENY (parsed in src/config.ts). */
export type EnvPattern = string;

function denied(name: string, extra: readonly EnvPattern[]): boolean {
  const upper = name.toUpperCase();
  if (ALWAYS_DENIED_PREFIXES.some((prefix) => upper.startsWith(prefix))) return true;
  return extra.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/**
 * What an agent needs to reach its peers (README, "Agents that talk to each other"): the directory
 * of the `baton` shim, prepended to its PATH, and where Temporal is. The address, namespace and
 * task queue are not secrets; Temporal's credentials (TEMPORAL_API_KEY, TLS keys) are never passed,
 * so `baton peer` works where Temporal needs none (the dev server, a private cluster).
 */
/** Where `baton peer` finds Temporal inside an agent: read only by `baton peer`. */
export const PEER_ENV = { address: 'BATON_PEER_TEMPORAL_ADDRESS', namespace: 'BATON_PEER_NAMESPACE', taskQueue: 'BATON_PEER_TASK_QUEUE' } as const;

export interface PeerSetup {
  binDir: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
}

export function agentEnvironment(opts: {
  workerEnv: NodeJS.ProcessEnv;
  /** The backend's additions and the caller's backend_config.env: chosen for this run, so kept. */
  planEnv: Record<string, string>;
  deny: readonly EnvPattern[];
  runId: string;
  hostId: string;
  peer?: PeerSetup | null;
  /** The run's agent name: its nickname, or its channel's name. */
  agentName?: string | null;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.workerEnv)) {
    if (value !== undefined && !denied(name, opts.deny)) env[name] = value;
  }
  const merged: Record<string, string> = { ...env, ...opts.planEnv, BATON_RUN_ID: opts.runId, BATON_HOST_ID: opts.hostId };
  if (opts.peer) {
    merged.PATH = merged.PATH ? `${opts.peer.binDir}${pathDelimiter()}${merged.PATH}` : opts.peer.binDir;
    // Under names of their own: an agent's own Temporal or Baton tools (a `baton mcp` from its MCP
    // configuration) must not be pointed at this server by them.
    merged[PEER_ENV.address] = opts.peer.temporalAddress;
    merged[PEER_ENV.namespace] = opts.peer.namespace;
    merged[PEER_ENV.taskQueue] = opts.peer.taskQueue;
  }
  if (opts.agentName) merged.BATON_AGENT_NAME = opts.agentName;
  return merged;
}

function pathDelimiter(): string {
  return process.platform === 'win32' ? ';' : ':';
}
