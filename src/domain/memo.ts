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
 * by the client at start and never changed by a workflow: how `baton mcp` finds the runs whose
 * end it pushes to its client, also after a restart (src/mcp/push.ts).
 */
export const ORIGIN_MEMO_KEY = 'origin';
