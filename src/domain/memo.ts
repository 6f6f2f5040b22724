// Memo keys of Baton's workflows: what a reader with no worker can learn of a run.

/** The RunView, with the RunResult once the run has finished. */
export const VIEW_MEMO_KEY = 'view';
/** Hash of the spawn arguments, to refuse a reused idempotency key with other arguments. */
export const ARGS_HASH_MEMO_KEY = 'args_hash';
/**
 * The newest events of a finished run, for poll_events when no worker can answer a query (none
 * running, or one too busy replaying closed runs): all of a short run's, within a size that
 * keeps the memo small in history and in visibility.
 */
export const TAIL_MEMO_KEY = 'tail';
export const TAIL_MEMO_EVENTS = 200;
export const TAIL_MEMO_BYTES = 64 * 1024;
/**
 * The stdio MCP session that started a run or pipeline (BATON_SESSION, or one per directory), set
 * by the client at start (for a channel turn, by the channel workflow, from the enqueued turn) and
 * never changed after: how `baton mcp` finds the runs whose end it pushes to its client, also
 * after a restart (src/mcp/push.ts).
 */
export const ORIGIN_MEMO_KEY = 'origin';
/**
 * What an origin may be: BATON_SESSION's form (src/config.ts), which the per-directory default
 * (`dir-` and 20 hex digits) also has. A channel turn carries its origin into the channel
 * workflow, whose enqueue validator refuses any other (a raw update may send anything).
 */
export const ORIGIN_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Why `origin` cannot go into a run's memo, or null when it can. */
export function originProblem(origin: unknown): string | null {
  if (typeof origin === 'string' && ORIGIN_PATTERN.test(origin)) return null;
  const shown = typeof origin === 'string' ? `${origin.length} characters` : typeof origin;
  return `origin (the MCP session that starts the run) must be 1-64 letters, digits, ".", "_" or "-" (got ${shown})`;
}
