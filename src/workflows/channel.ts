// channel: a named lane (docs/ARCHITECTURE.md). Turns run one after another on one backend session: each
// is enqueued by update-with-start, started at once as a queued agentRun child (so its run_id works
// immediately) and granted the channel's session when its turn comes. The session is pinned after
// the first turn; reset_channel unpins it. Continues-as-new only when idle.
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { channelFullProblem, channelView, turnBytes, TURN_RESULT_BYTES, type ChannelInput, type ChannelLoad, type ChannelState } from '../domain/channel.js';
import { ORIGIN_MEMO_KEY, originProblem } from '../domain/memo.js';
import { runStartMetadata } from '../domain/run-metadata.js';
import type { ChannelGrant } from '../domain/run-ledger.js';
import type { RunResult } from '../domain/run-view.js';
import { jsonBytes } from '../domain/sizes.js';
import { agentRun } from './agent-run.js';
import { channelStatusQuery, enqueueTurnUpdate, resetChannelUpdate, type EnqueuedTurn, type TurnInput } from './channel-messages.js';
import { grantSignal } from './messages.js';
import { channelPublisher } from './channel-publish.js';
import { resultFromFailure } from './child-results.js';
import { CHANNEL_IDLE_GRANT, CHANNEL_TURN_ORIGIN } from './patches.js';

/** Turns a channel run serves before it continues as new (when idle), to keep history short. */
const TURNS_PER_RUN = 200;

interface Turn {
  run_id: string;
  /** Null while a turn granted at its start is still being started. */
  handle: ChildWorkflowHandle<typeof agentRun> | null;
  finished: boolean;
  /** The run's result; null when it failed without one, or (granted at start) never started. */
  outcome: Promise<RunResult | null>;
  /** The channel's resets when the turn was granted: one since means its session is not the channel's. */
  resetsAtGrant: number;
}

export async function channel(input: ChannelInput): Promise<void> {
  const state: ChannelState = input.carried ?? { name: input.name, backend: null, session_id: null, session_cost_usd: null, turns_done: 0, resets: 0 };
  const queue: Turn[] = [];
  let active: Turn | null = null;
  /** Queued turns whose runs are being started: they come before any turn enqueued after them. */
  let starting = 0;
  let turnsThisRun = 0;
  // What this run's turns put in its history, counted from the updates and results in it (so a
  // replay counts the same); the validator refuses a turn that would take it over its budget.
  // A validator leaves no trace in history and is not run on replay: refusing is replay-safe.
  const load: ChannelLoad = { bytes: 0, unfinished: 0 };
  const publishChannel = channelPublisher();
  const view = () =>
    channelView(
      state,
      active?.run_id ?? null,
      queue.map((t) => t.run_id),
    );

  setHandler(channelStatusQuery, view);
  setHandler(
    enqueueTurnUpdate,
    async (turn: TurnInput) => {
      state.backend ??= turn.spec.backend;
      load.bytes += turnBytes(jsonBytes(turn));
      // An idle channel (nothing running, queued or being started) grants the turn as it starts
      // it: the turn takes the lane now, before its start completes, so no later turn can pass it.
      if (active === null && queue.length === 0 && starting === 0 && patched(CHANNEL_IDLE_GRANT)) return startGranted(turn);
      // A queued turn: every step, awaits included, as before CHANNEL_IDLE_GRANT, so the
      // histories of earlier releases replay with the same commands in the same order.
      starting += 1;
      let handle: ChildWorkflowHandle<typeof agentRun>;
      try {
        handle = await startTurn(turn, null);
      } finally {
        starting -= 1;
      }
      load.unfinished += 1;
      const entry: Turn = { run_id: turn.run_id, handle, finished: false, outcome: Promise.resolve(null), resetsAtGrant: state.resets };
      entry.outcome = outcomeOf(entry, handle);
      queue.push(entry);
      publishChannel(view());
      return { run_id: turn.run_id, position: queue.length + (active ? 1 : 0) };
    },
    {
      validator: (turn: TurnInput) => {
        // Baton's client sends its own session's id; a raw update may send anything.
        const badOrigin = turn.origin === undefined ? null : originProblem(turn.origin);
        if (badOrigin) throw ApplicationFailure.create({ message: badOrigin, nonRetryable: true });
        if (state.backend !== null && turn.spec.backend !== state.backend) {
          throw ApplicationFailure.create({
            message: `channel "${state.name}" runs ${state.backend} turns on one session; this turn asks for ${turn.spec.backend}: use another channel, or reset_channel first if it is idle`,
            nonRetryable: true,
          });
        }
        const full = channelFullProblem(state.name, load, queue.length, jsonBytes(turn));
        if (full) throw ApplicationFailure.create({ message: full, nonRetryable: true });
      },
    },
  );
  setHandler(resetChannelUpdate, () => {
    state.session_id = null;
    state.session_cost_usd = null;
    state.resets += 1;
    if (!active && queue.length === 0) state.backend = null;
    publishChannel(view());
    return view();
  });

  publishChannel(view());
  for (;;) {
    const idleLongEnough = () => turnsThisRun >= TURNS_PER_RUN || workflowInfo().continueAsNewSuggested;
    // A turn granted at its start is already active: the loop only waits for it to end.
    await condition(() => active !== null || queue.length > 0 || idleLongEnough());
    if (active === null) {
      if (queue.length === 0) {
        await condition(allHandlersFinished);
        if (active === null && queue.length === 0) return continueAsNew<typeof channel>({ ...input, carried: state });
        continue;
      }
      const next = queue.shift()!;
      if (next.finished) continue; // cancelled while it waited
      next.resetsAtGrant = state.resets;
      active = next;
      publishChannel(view());
      await next.handle!.signal(grantSignal, { session_id: state.session_id, session_cost_usd: state.session_cost_usd }).catch(() => undefined);
    }
    const turn: Turn = active;
    const result = await turn.outcome;
    // A reset while the turn ran means its session is not the channel's any more.
    if (result?.session_id && state.resets === turn.resetsAtGrant) {
      state.session_id = result.session_id;
      state.session_cost_usd = result.session_cost_usd;
    }
    // A turn granted at its start whose start failed never ran (its update was refused).
    if (turn.handle !== null) {
      state.turns_done += 1;
      turnsThisRun += 1;
    }
    active = null;
    publishChannel(view());
  }

  /** Starts a turn's run as a child: queued (grant null) or already granted the channel's session. */
  function startTurn(turn: TurnInput, grant: ChannelGrant | null): Promise<ChildWorkflowHandle<typeof agentRun>> {
    // A turn enqueued through an MCP session: its run's memo names the session, as a run the
    // client starts does, so that session is pushed the turn's end (src/mcp/push.ts); the run's
    // input does not carry it. A turn with no origin, or one taken before CHANNEL_TURN_ORIGIN
    // (replayed), is started as it was.
    const { origin, ...run } = turn;
    const originInMemo = origin !== undefined && patched(CHANNEL_TURN_ORIGIN);
    const input = originInMemo ? run : turn;
    const metadata = runStartMetadata(input, new Date());
    return startChild(agentRun, {
      workflowId: turn.run_id,
      args: [grant ? { ...input, awaits_grant: true, grant } : { ...input, awaits_grant: true }],
      taskQueue: turn.task_queue,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      ...(originInMemo ? withOrigin(metadata, origin) : metadata),
    });
  }

  /**
   * The run's result as the channel keeps it: the turn is finished once it comes, and it counts
   * against the channel's budget (the same callbacks, in the same order, as before CHANNEL_IDLE_GRANT).
   */
  function outcomeOf(entry: Turn, handle: ChildWorkflowHandle<typeof agentRun>): Promise<RunResult | null> {
    const outcome = handle.result().then(
      (result) => result,
      (err: unknown) => resultFromFailure(err),
    );
    void outcome.finally(() => (entry.finished = true));
    void outcome.then((result) => {
      load.unfinished -= 1;
      load.bytes += result ? 2 * jsonBytes(result) : TURN_RESULT_BYTES;
    });
    return outcome;
  }

  /** A turn enqueued while the channel is idle: active at once, its run started with the grant. */
  async function startGranted(turn: TurnInput): Promise<EnqueuedTurn> {
    const entry: Turn = { run_id: turn.run_id, handle: null, finished: false, outcome: Promise.resolve(null), resetsAtGrant: state.resets };
    const started = startTurn(turn, { session_id: state.session_id, session_cost_usd: state.session_cost_usd });
    entry.outcome = started.then(
      (handle) => {
        load.unfinished += 1;
        return outcomeOf(entry, handle);
      },
      () => {
        entry.finished = true;
        return null;
      },
    );
    active = entry;
    publishChannel(view());
    entry.handle = await started;
    return { run_id: turn.run_id, position: 1 };
  }
}

/** The memo of a turn's run names the session that enqueued it (ORIGIN_MEMO_KEY). */
function withOrigin<T extends { memo: Record<string, unknown> }>(metadata: T, origin: string): T {
  return { ...metadata, memo: { ...metadata.memo, [ORIGIN_MEMO_KEY]: origin } };
}
