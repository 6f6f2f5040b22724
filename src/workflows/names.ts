// Task queue names shared by workflows, workers and the client.

/**
 * The shared queue for short activities (output checks, webhooks, schedules, git set-up), with
 * slots of their own so a worker full of agents never delays them.
 */
export function shortQueue(sharedQueue: string): string {
  return `${sharedQueue}-short`;
}

/** A host's queue for long agent activities (runAgent): pins a run to the disk its agent writes. */
export function hostAgentQueue(host: string): string {
  return `baton-host-${host}`;
}

/** A host's queue for short control activities (stopAgent, readTranscript), never starved by agents. */
export function hostControlQueue(host: string): string {
  return `baton-host-${host}-ctl`;
}
