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

export function agentEnvironment(opts: {
  workerEnv: NodeJS.ProcessEnv;
  /** The backend's additions and the caller's backend_config.env: chosen for this run, so kept. */
  planEnv: Record<string, string>;
  deny: readonly EnvPattern[];
  runId: string;
  hostId: string;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.workerEnv)) {
    if (value !== undefined && !denied(name, opts.deny)) env[name] = value;
  }
  return { ...env, ...opts.planEnv, BATON_RUN_ID: opts.runId, BATON_HOST_ID: opts.hostId };
}
