// bridgeScheduleNotifier (`bridgenotify_<schedule id>`): claude-bridge's schedule notifications
// for a schedule of its profile (docs/claude-bridge.md, "Schedule notifications"). It looks at the
// schedule at its next fire, at its until, every few seconds while a tick runs, and at once when
// Baton ends the schedule (a signal); each look is one short activity. A tick it has not seen yet
// is told as `tick` (and, if its agent never started, `tick_error`); the schedule's end as
// `tick_with_sentinel` (a tick's stop marker) and `schedule_end`. Each notification is a webhook
// child, checked by the worker like a run's (src/activities/webhook-origin.ts).
import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  scheduleEndPayload,
  scheduleWebhookId,
  tickPayload,
  type BridgeScheduleEvent,
  type BridgeScheduleLook,
  type BridgeScheduleNotifierInput,
  type BridgeSchedulePayload,
  type LiveFacts,
} from '../domain/bridge-schedule-notify.js';
import type { ScheduleActivities } from '../domain/schedule.js';
import { shortActivities } from './activity-stubs.js';
import { bridgeScheduleChangedSignal } from './schedule-messages.js';
import { startNotification } from './webhook-start.js';

/** Looks before the history is handed to a fresh run (each look is about ten events). */
const LOOKS_PER_RUN = 300;
/** Ticks told as errors that a run remembers (ticks are far apart: only the newest matter). */
const KEPT_ERRORS = 20;
/** A look never waits longer than this: a schedule changed outside Baton is noticed this late. */
const LONGEST_WAIT_MS = 5 * 60_000;

const lookStep = () =>
  shortActivities<ScheduleActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  }).lookAtBridgeSchedule;

export async function bridgeScheduleNotifier(input: BridgeScheduleNotifierInput): Promise<{ ended: string }> {
  let seen = input.seen_ticks ?? 0;
  /** Runs of ticks already told as errors (by run id: a deleted schedule's ticks are numbered from its runs, which may differ). */
  const toldErrors = [...(input.told_errors ?? [])];
  /** The schedule as last seen while it existed: what its end says if its record is gone by then. */
  let lastLive = input.last_live ?? null;
  const wanted = new Set<BridgeScheduleEvent>(input.notify_on);
  let woken = false;
  setHandler(bridgeScheduleChangedSignal, () => void (woken = true));
  const notify = (payload: BridgeSchedulePayload, tick: number | null) =>
    startNotification({ id: workflowInfo().workflowId, webhookId: scheduleWebhookId(workflowInfo().workflowId, payload.event, tick), notify: input.notify, payload });

  for (let look = 0; look < LOOKS_PER_RUN && !workflowInfo().continueAsNewSuggested; look++) {
    woken = false;
    const looked: BridgeScheduleLook = await lookStep()(input.schedule_id);
    // Gone with no record (it never existed, or its record outlived its retention): a schedule this
    // notifier saw has ended all the same, as cancelled; one it never saw is nobody's to tell about.
    if (looked.unknown && !lastLive) return { ended: 'unknown' };
    const state = looked.unknown ? vanished(lastLive!) : looked;
    if (!state.ended) lastLive = { tick_count: state.tick_count, last_tick_at: state.last_tick_at, last_job_id: state.last_job_id };
    for (const tick of state.ticks) {
      if (tick.tick > seen) {
        if (wanted.has('tick')) await notify(tickPayload(input, tick, 'tick'), tick.tick);
        seen = tick.tick;
      }
      if (tick.spawn_error !== null && !toldErrors.includes(tick.job_id)) {
        if (wanted.has('tick_error')) await notify(tickPayload(input, tick, 'tick_error'), tick.tick);
        toldErrors.push(tick.job_id);
        toldErrors.splice(0, Math.max(0, toldErrors.length - KEPT_ERRORS));
      }
    }
    seen = Math.max(seen, state.tick_count);
    if (state.ended) {
      state.tick_count = seen;
      if (state.ended === 'stop_marker' && wanted.has('tick_with_sentinel')) await notify(scheduleEndPayload(input, state, 'tick_with_sentinel'), null);
      if (wanted.has('schedule_end')) await notify(scheduleEndPayload(input, state, 'schedule_end'), null);
      return { ended: state.ended };
    }
    await condition(() => woken, Math.min(Math.max(state.look_again_at - Date.now(), 1000), LONGEST_WAIT_MS));
  }
  return continueAsNew<typeof bridgeScheduleNotifier>({ ...input, seen_ticks: seen, told_errors: toldErrors, last_live: lastLive });
}

/** The end of a schedule that vanished with its record: cancelled, with the counters last seen. */
function vanished(last: LiveFacts): BridgeScheduleLook {
  return { unknown: false, ended: 'cancelled', status: 'cancelled', ...last, last_tick_result: null, last_tick_truncated: false, error: null, ticks: [], look_again_at: 0 };
}
