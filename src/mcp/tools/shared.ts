// Pieces several tools share: the run_id argument, progress notifications, wait bounds.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RunView } from '../../domain/run-view.js';
import { DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS } from '../context.js';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export const runIdArg = z
  .string()
  .min(1, 'run_id is required: the id spawn_run returned (run_...)')
  .max(200)
  .describe('The run id that spawn_run or dispatch returned, e.g. "run_01J...".');

export const maxWaitArg = z
  .number()
  .min(0)
  .max(MAX_WAIT_SECONDS, `max_wait_seconds is at most ${MAX_WAIT_SECONDS}, under MCP clients' 60 s request limit; call again to wait longer`)
  .default(DEFAULT_WAIT_SECONDS)
  .describe(`How long to wait, in seconds (default ${DEFAULT_WAIT_SECONDS}, at most ${MAX_WAIT_SECONDS}). Call again if the run is still going.`);

/** The annotations of a tool that only reads. */
export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

/** MCP progress notifications with a message, when the client sent a progressToken. */
export function progressNotifier(extra: Extra): ((message: string) => void) | undefined {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  let progress = 0;
  return (message) => {
    progress += 1;
    void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message } }).catch(() => undefined);
  };
}

/** Progress notifications about one run while a call waits on it. */
export function progressReporter(extra: Extra): ((view: RunView) => void) | undefined {
  const notify = progressNotifier(extra);
  if (!notify) return undefined;
  return (view) => {
    const last = view.last_message ? `: ${view.last_message.split('\n')[0].slice(0, 120)}` : '';
    notify(`${view.run_id} ${view.status}, ${view.last_seq} events${last}`);
  };
}
