// Starting a run from validated spawn arguments: nothing is created unless every check passed;
// an idempotency key maps repeated or racing calls onto one run; a channel turn is enqueued on
// its channel, which starts it.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ARGS_HASH_MEMO_KEY, ORIGIN_MEMO_KEY, VIEW_MEMO_KEY } from '../domain/memo.js';
import { runStartMetadata } from '../domain/run-metadata.js';
import type { RunTimings, RunWorkflowInput } from '../domain/run-spec.js';
import type { RunView } from '../domain/run-view.js';
import type { NotifyFormat, NotifySpec } from '../domain/notify.js';
import { notifyOf, type SpawnRunArgs } from '../domain/spawn-input.js';
import { runStartProblem } from '../domain/start-sizes.js';
import type { TurnInput } from '../workflows/channel-messages.js';
import { checkChannelName, claimName } from './agents.js';
import { enqueueTurn } from './channels.js';
import { InputError } from './errors.js';
import { argumentsHash, idempotentRunId, newRunId, type ArgumentsDigest } from './run-ids.js';
import { resolveRunSpec, sealedNotify } from './run-request.js';

export interface StartRunOptions {
  taskQueue: string;
  allowedRoots: readonly string[];
  timings: RunTimings;
  secretKey: Buffer;
  /** BATON_SHARED_SESSIONS: a run whose host is lost may resume its session on another host. */
  sessionsShared?: boolean;
  /** The stdio MCP session starting runs through this client: recorded in each run's memo for push. */
  origin?: string;
}

export interface StartedRun {
  run_id: string;
  /** False when an idempotency key found the run an earlier call started. */
  created: boolean;
  view: RunView;
}

export interface StartRunExtra {
  parent?: string;
  sessionCostBaseline?: number | null;
  /** The notification's payload in claude-bridge's shape (its profile's dispatch_async; docs/claude-bridge.md). */
  notifyFormat?: NotifyFormat;
}

export async function startRun(client: Client, options: StartRunOptions, args: SpawnRunArgs, extra: StartRunExtra = {}): Promise<StartedRun> {
  const { idempotency_key: key, ...rest } = args;
  const argsHash = argumentsHash({ ...rest, ...(extra.parent ? { parent: extra.parent } : {}) }, options.secretKey);
  const runId = key ? idempotentRunId(key) : newRunId();
  if (key) {
    const existing = await existingRun(client, runId, argsHash, key);
    if (existing) return existing;
  }
  const spec = await resolveRunSpec({ client, allowedRoots: options.allowedRoots, secretKey: options.secretKey, sealScope: runId, binding: { run: runId } }, args, extra);
  const input: RunWorkflowInput = {
    run_id: runId,
    created_at: new Date().toISOString(),
    spec,
    args_hash: argsHash.value,
    task_queue: options.taskQueue,
    timings: options.timings,
    notify: withFormat(sealedNotify(notifyOf(args), options.secretKey, runId), extra.notifyFormat),
    ...(options.sessionsShared ? { sessions_shared: true } : {}),
  };
  // A channel turn carries the session to its channel, which puts it in the turn's memo.
  const turn: TurnInput | null = spec.channel ? { ...input, awaits_grant: true, ...(options.origin ? { origin: options.origin } : {}) } : null;
  // Checked on what is sent, after the profile file is read and secrets are sealed.
  const tooLarge = runStartProblem(turn ?? input);
  if (tooLarge) throw new InputError(tooLarge);
  const metadata = runStartMetadata(input, new Date());
  if (options.origin) metadata.memo[ORIGIN_MEMO_KEY] = options.origin;
  const view = metadata.memo[VIEW_MEMO_KEY] as RunView;
  // The agent's name first (docs/ARCHITECTURE.md, "Agent inboxes"): a name a live run or channel
  // holds is refused before anything starts. A claim whose start then fails names a run that does
  // not exist, which counts as ended: the next claim takes the name over.
  if (spec.nickname) await claimName(client, options.taskQueue, spec.nickname, runId);
  if (spec.channel) await checkChannelName(client, spec.channel);
  if (turn) {
    await enqueueTurn(client, options.taskQueue, turn);
    return { run_id: runId, created: true, view };
  }
  try {
    await client.workflow.start('agentRun', {
      workflowId: runId,
      taskQueue: options.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A finished run keeps its id: the same key must not start it again.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      ...metadata,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  if (!key) return { run_id: runId, created: true, view };
  // Two racing calls with one key: both land on one workflow; the one whose input it has created it.
  const found = (await existingRun(client, runId, argsHash, key)) ?? { run_id: runId, created: true, view };
  return { ...found, created: found.view.created_at === input.created_at };
}

/** The run an idempotency key already started, if any; the same key with other arguments is refused. */
async function existingRun(client: Client, runId: string, argsHash: ArgumentsDigest, key: string): Promise<StartedRun | null> {
  let memo: Record<string, unknown> | undefined;
  try {
    memo = (await client.workflow.getHandle(runId).describe()).memo;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  if (!memo || !argsHash.matches(memo[ARGS_HASH_MEMO_KEY])) {
    throw new InputError(`idempotency_key "${key}" was already used for run ${runId} with different arguments: send the same arguments to get that run, or use a new key`);
  }
  return { run_id: runId, created: false, view: memo[VIEW_MEMO_KEY] as RunView };
}

function withFormat(notify: NotifySpec | null, format: NotifyFormat | undefined): NotifySpec | null {
  return notify && format ? { ...notify, format } : notify;
}
