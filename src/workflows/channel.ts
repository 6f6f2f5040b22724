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
import type { RunResult } from '../domain/run-view.js';
import { jsonBytes } from '../domain/sizes.js';
import { agentRun } from './agent-run.js';
import { channelStatusQuery, enqueueTurnUpdate, resetChannelUpdate, type TurnInput } from './channel-messages.js';
import { grantSignal } from './messages.js';
import { channelPublisher } from './channel-publish.js';
import { resultFromFailure } from './child-results.js';
import { CHANNEL_TURN_ORIGIN } from './patches.js';

/** Turns a channel run serves before it continues as new (when idle), to keep history short. */
const TURNS_PER_RUN = 200;

interface Turn {
  run_id: string;
  handle: ChildWorkflowHandle<typeof agentRun>;
  finished: boolean;
  outcome: Promise<RunResult | null>;
}

export async function channel(input: ChannelInput): Promise<void> {
  const state: ChannelState = input.carried ?? { name: input.name, backend: null, session_id: null, session_cost_usd: null, turns_done: 0, resets: 0 };
  const queue: Turn[] = [];
  let active: Turn | null = null;
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
      // A turn enqueued through an MCP session: its run's memo names the session, as a run the
      // client starts does, so that session is pushed the turn's end (src/mcp/push.ts); the run's
      // input does not carry it. A turn with no origin, or one taken before CHANNEL_TURN_ORIGIN
      // (replayed), is started as it was.
      const { origin, ...run } = turn;
      const handle =
        origin !== undefined && patched(CHANNEL_TURN_ORIGIN)
          ? await startChild(agentRun, {
              workflowId: run.run_id,
              args: [{ ...run, awaits_grant: true }],
              taskQueue: run.task_queue,
              parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
              ...withOrigin(runStartMetadata(run, new Date()), origin),
            })
          : await startChild(agentRun, {
              workflowId: turn.run_id,
              args: [{ ...turn, awaits_grant: true }],
              taskQueue: turn.task_queue,
              parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
              ...runStartMetadata(turn, new Date()),
            });
      load.unfinished += 1;
      const entry: Turn = { run_id: turn.run_id, handle, finished: false, outcome: Promise.resolve(null) };
      entry.outcome = handle.result().then(
        (result) => result,
        (err: unknown) => resultFromFailure(err),
      );
      void entry.outcome.finally(() => (entry.finished = true));
      void entry.outcome.then((result) => {
        load.unfinished -= 1;
        load.bytes += result ? 2 * jsonBytes(result) : TURN_RESULT_BYTES;
      });
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
    await condition(() => queue.length > 0 || idleLongEnough());
    if (queue.length === 0) {
      await condition(allHandlersFinished);
      if (queue.length === 0) return continueAsNew<typeof channel>({ ...input, carried: state });
      continue;
    }
    const turn = queue.shift()!;
    if (turn.finished) continue; // cancelled while it waited
    active = turn;
    publishChannel(view());
    const resetsBefore = state.resets;
    await turn.handle.signal(grantSignal, { session_id: state.session_id, session_cost_usd: state.session_cost_usd }).catch(() => undefined);
    const result = await turn.outcome;
    // A reset while the turn ran means its session is not the channel's any more.
    if (result?.session_id && state.resets === resetsBefore) {
      state.session_id = result.session_id;
      state.session_cost_usd = result.session_cost_usd;
    }
    state.turns_done += 1;
    turnsThisRun += 1;
    active = null;
    publishChannel(view());
  }
}

/** The memo of a turn's run names the session that enqueued it (ORIGIN_MEMO_KEY). */
function withOrigin<T extends { memo: Record<string, unknown> }>(metadata: T, origin: string): T {
  return { ...metadata, memo: { ...metadata.memo, [ORIGIN_MEMO_KEY]: origin } };
}
