// Task queue names shared by workflows, workers and the client.

/** A host's queue for long agent activities (runAgent): pins a run to the disk its agent writes. */
export function hostAgentQueue(host: string): string {
  return `baton-host-${host}`;
}

/** A host's queue for short control activities (stopAgent, readTranscript), never starved by agents. */
export function hostControlQueue(host: string): string {
  return `baton-host-${host}-ctl`;
}
