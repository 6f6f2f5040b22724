#!/usr/bin/env node
// The remote_a2a backend's "agent CLI": Baton runs it like any agent (detached, stdout to a file,
// SIGTERM to stop), and it speaks A2A to the remote agent. It sends the message from stdin,
// prints each A2A event as a line (src/a2a/lines.ts), and exits when the task stops. Usage: USAGE
// in ./args.ts.
import { text } from 'node:stream/consumers';
import { parseBridgeArgs, USAGE, UsageError } from './args.js';
import { errorText } from '../error-text.js';
import { connect, ConnectError, takeHeaders, type Connection } from './connect.js';
import { cancelTask, FollowError, followTask, printFinalTask, sendAndFollow, type FollowContext } from './follow.js';
import { buildMessage, InputError } from './input.js';
import { EXIT, type BridgeLine, type EndLine } from './lines.js';
import { isStopState, outcomeOfState } from './states.js';
import { TaskTracker } from './tracker.js';

/** How long a stop (SIGTERM/SIGINT) may take: the cancel request, then exit regardless. */
const STOP_BUDGET_MS = 5_000;

const log = (line: string) => process.stderr.write(`a2a-bridge: ${line}\n`);

function print(line: BridgeLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

let ended = false;
/** What is known of the task, for the end line whichever way the bridge ends. */
let tracker = new TaskTracker(print, { taskId: null, contextId: null });
/** Aborted by SIGTERM/SIGINT: the stop path then owns the end line. */
const abort = new AbortController();

/** Prints the end line once and exits when stdout has taken it. */
function end(line: Omit<EndLine, 'bridge'>): void {
  if (ended) return;
  ended = true;
  if (line.error) log(line.error);
  process.stdout.write(`${JSON.stringify({ bridge: 'end', ...line })}\n`, () => process.exit(line.exit_code));
  // stdout is a file or a pipe; should it never drain, leave anyway.
  setTimeout(() => process.exit(line.exit_code), 2_000).unref();
}

function endFromTracker(): void {
  const ids = { task_id: tracker.taskId, context_id: tracker.contextId };
  if (tracker.repliedWithMessage) return end({ outcome: 'message', state: null, ...ids, exit_code: EXIT.ok });
  if (!isStopState(tracker.state)) {
    return end({ outcome: 'error', state: tracker.state, ...ids, exit_code: EXIT.error, error: `task ${tracker.taskId ?? '?'} was left in ${tracker.state ?? 'no known state'}` });
  }
  const outcome = outcomeOfState(tracker.state!);
  const failed = outcome === 'failed' || outcome === 'canceled' || outcome === 'rejected';
  const line: Omit<EndLine, 'bridge'> = { outcome, state: tracker.state, ...ids, exit_code: failed ? EXIT.taskFailed : EXIT.ok };
  if (failed) line.error = `the agent's task ${tracker.taskId} ended ${outcome}${tracker.statusText ? `: ${tracker.statusText}` : ''}`;
  end(line);
}

let connection: Connection | null = null;
let stopping = false;

/** SIGTERM/SIGINT: ask the agent to cancel the task, print its answer, exit 143/130 within STOP_BUDGET_MS. */
function stop(signal: 'SIGTERM' | 'SIGINT'): void {
  if (ended || stopping) return;
  stopping = true;
  const exit_code = EXIT[signal];
  const finish = () => end({ outcome: 'interrupted', state: tracker.state, task_id: tracker.taskId, context_id: tracker.contextId, exit_code, signal });
  setTimeout(finish, STOP_BUDGET_MS).unref();
  abort.abort();
  log(`${signal}: ${tracker.taskId && !tracker.stopped ? `cancelling task ${tracker.taskId}` : 'stopping'}`);
  if (!connection) return finish();
  void cancelTask({ client: connection.client, tracker, log }, STOP_BUDGET_MS - 500).finally(finish);
}

async function main(): Promise<void> {
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const args = parseBridgeArgs(process.argv.slice(2));
  const headers = takeHeaders(process.env);
  const message = args.resumeTask ? null : await buildMessage(await text(process.stdin), { contextId: args.contextId, taskId: args.taskId });
  tracker = new TaskTracker(print, { taskId: args.resumeTask ?? args.taskId, contextId: args.contextId, answering: args.taskId !== null });
  if (abort.signal.aborted) return;

  connection = await connect(args.agentUrl, headers);
  if (abort.signal.aborted) return;
  const { client, card, cardUrl, streaming } = connection;
  print({
    bridge: 'connected',
    agent: card.name,
    card_url: cardUrl,
    transport: client.transport.protocolName,
    protocol_version: client.protocolVersion,
    streaming,
    ...(args.resumeTask ? { resume_task: args.resumeTask } : {}),
  });

  const ctx: FollowContext = { client, streaming, tracker, signal: abort.signal, log };
  if (message) await sendAndFollow(ctx, message);
  else await followTask(ctx);
  if (abort.signal.aborted) return;
  if (tracker.taskId && tracker.stopped) await printFinalTask(ctx);
  if (abort.signal.aborted) return;
  endFromTracker();
}

main().catch((err: unknown) => {
  if (abort.signal.aborted) return;
  const known = err instanceof UsageError || err instanceof InputError || err instanceof ConnectError || err instanceof FollowError;
  if (err instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  end({
    outcome: 'error',
    state: tracker.state,
    task_id: tracker.taskId,
    context_id: tracker.contextId,
    exit_code: EXIT.error,
    error: known ? err.message : `unexpected error: ${errorText(err)}`,
  });
});
