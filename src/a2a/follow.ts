// Sending the message and following its task to a stop: streaming when the card allows, else
// send + polling; a dropped stream is picked up again with resubscribe (or polling), and a task
// can be followed without sending anything (--resume-task).
import type { Message, StreamResponse } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { TaskNotFoundError, UnsupportedOperationError } from '@a2a-js/sdk/errors';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorText } from '../error-text.js';
import type { TaskTracker } from './tracker.js';

export interface FollowContext {
  client: Client;
  streaming: boolean;
  tracker: TaskTracker;
  /** Aborted on SIGTERM/SIGINT: every request in flight stops. */
  signal: AbortSignal;
  log: (line: string) => void;
  /** Polling backoff: first wait and cap, in ms. */
  poll?: { firstMs: number; maxMs: number };
}

export class FollowError extends Error {
  override name = 'FollowError';
}

const DEFAULT_POLL = { firstMs: 250, maxMs: 5_000 };
/** Resubscribe attempts that fail in a row before the bridge settles for polling. */
const MAX_RESUBSCRIBE_FAILURES = 5;

/** Sends the message and follows what comes back until the task stops (or a Message answers). */
export async function sendAndFollow(ctx: FollowContext, message: Message): Promise<void> {
  const { client, tracker, signal } = ctx;
  if (ctx.streaming) {
    let dropped: unknown = null;
    try {
      const request = { tenant: '', message, configuration: sendConfiguration(false), metadata: undefined };
      for await (const event of client.sendMessageStream(request, { signal })) {
        tracker.take(event, 'stream');
        if (tracker.stopped) return;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (!tracker.taskId) throw new FollowError(`sending the message failed: ${errorText(err)}`);
      dropped = err;
    }
    if (!tracker.taskId) throw new FollowError('the agent closed the stream before it created a task or answered');
    ctx.log(`stream for task ${tracker.taskId} ended before the task stopped${dropped ? ` (${errorText(dropped)})` : ''}; reading the task again`);
    return followTask(ctx);
  }
  let result: Awaited<ReturnType<Client['sendMessage']>>;
  try {
    // returnImmediately: the task id comes back at once, so the task can be polled and cancelled.
    result = await client.sendMessage({ tenant: '', message, configuration: sendConfiguration(true), metadata: undefined }, { signal });
  } catch (err) {
    if (signal.aborted) return;
    throw new FollowError(`sending the message failed: ${errorText(err)}`);
  }
  const event: StreamResponse = 'messageId' in result ? { payload: { $case: 'message', value: result } } : { payload: { $case: 'task', value: result } };
  tracker.take(event, 'send');
  if (!tracker.stopped) await followTask(ctx);
}

/**
 * Follows the tracker's task until it stops: resubscribe while the agent streams (its first
 * event is the whole task, so nothing done in the gap is lost), else GetTask with backoff.
 */
export async function followTask(ctx: FollowContext): Promise<void> {
  const { client, tracker, signal } = ctx;
  const id = tracker.taskId;
  if (!id) throw new FollowError('no task to follow');
  const poll = ctx.poll ?? DEFAULT_POLL;
  let resubscribe = ctx.streaming;
  let resubscribeFailures = 0;
  let waitMs = poll.firstMs;
  while (!tracker.stopped && !signal.aborted) {
    let progressed = false;
    if (resubscribe) {
      try {
        for await (const event of client.resubscribeTask({ tenant: '', id }, { signal })) {
          progressed = tracker.take(event, 'resubscribe') || progressed;
          resubscribeFailures = 0;
          if (tracker.stopped) return;
        }
      } catch (err) {
        if (signal.aborted) return;
        throwIfTaskGone(err, id);
        // A task that already ended cannot be subscribed to; neither can an agent that does not
        // offer it (or fails at it every time). Either way, reading the task is what is left.
        resubscribeFailures += 1;
        if (isA2aError(err, UnsupportedOperationError) || resubscribeFailures >= MAX_RESUBSCRIBE_FAILURES) resubscribe = false;
        ctx.log(`resubscribing to task ${id} failed: ${errorText(err)}${resubscribe ? '' : '; polling it instead'}`);
      }
    }
    try {
      const task = await client.getTask({ tenant: '', id, historyLength: 0 }, { signal });
      progressed = tracker.take({ payload: { $case: 'task', value: task } }, 'poll') || progressed;
    } catch (err) {
      if (signal.aborted) return;
      throwIfTaskGone(err, id);
      ctx.log(`reading task ${id} failed: ${errorText(err)}`);
    }
    if (tracker.stopped) return;
    waitMs = progressed ? poll.firstMs : Math.min(waitMs * 2, poll.maxMs);
    try {
      await sleep(waitMs, undefined, { signal });
    } catch {
      return;
    }
  }
}

/** The whole task once it stopped, so the transcript ends with its complete artifacts. */
export async function printFinalTask(ctx: Pick<FollowContext, 'client' | 'tracker' | 'log'>, timeoutMs = 10_000): Promise<void> {
  const { client, tracker } = ctx;
  if (!tracker.taskId) return;
  try {
    const task = await client.getTask({ tenant: '', id: tracker.taskId, historyLength: 0 }, { signal: AbortSignal.timeout(timeoutMs) });
    tracker.take({ payload: { $case: 'task', value: task } }, 'final');
  } catch (err) {
    ctx.log(`reading the final state of task ${tracker.taskId} failed: ${errorText(err)}`);
  }
}

/** Asks the agent to cancel the task and prints its answer; bounded by timeoutMs. */
export async function cancelTask(ctx: Pick<FollowContext, 'client' | 'tracker' | 'log'>, timeoutMs: number): Promise<void> {
  const { client, tracker } = ctx;
  if (!tracker.taskId || tracker.stopped) return;
  try {
    const task = await client.cancelTask({ tenant: '', id: tracker.taskId, metadata: undefined }, { signal: AbortSignal.timeout(timeoutMs) });
    tracker.take({ payload: { $case: 'task', value: task } }, 'cancel');
  } catch (err) {
    ctx.log(`cancelling task ${tracker.taskId} failed: ${errorText(err)}`);
  }
}

function sendConfiguration(returnImmediately: boolean) {
  return { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately };
}

function throwIfTaskGone(err: unknown, id: string): void {
  if (isA2aError(err, TaskNotFoundError)) throw new FollowError(`the agent does not know task ${id} (any more): ${errorText(err)}`);
}

/** SDK errors arrive as themselves, or as the cause of a stream error. */
function isA2aError(err: unknown, type: abstract new (...args: never[]) => Error): boolean {
  return err instanceof type || (err instanceof Error && err.cause instanceof type);
}
