// scheduleWatcher (`schedwatch_<schedule id>`): starts a chained schedule (after_schedule_id) once
// the schedule before it has ended. Durable timers between looks, never a busy poll: it sleeps
// until the earlier schedule's end when it has one, and is woken by a signal when Baton deletes it.
import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EarlierScheduleState, ScheduleActivities, ScheduleWatcherInput } from '../domain/schedule.js';
import { shortActivities } from './activity-stubs.js';
import { earlierScheduleEndedSignal } from './schedule-messages.js';

/** While a run of the earlier schedule is finishing (its last fire is past). */
const ENDING_CHECK_MS = 30_000;
/** While it may fire for a long time yet: a schedule deleted outside Baton is noticed this late. */
const IDLE_CHECK_MS = 5 * 60_000;
/** Looks before the history is handed to a fresh run (each look is about ten events). */
const LOOKS_PER_RUN = 500;

const scheduleSteps = () =>
  shortActivities<ScheduleActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });

export async function scheduleWatcher(input: ScheduleWatcherInput): Promise<{ started: boolean; reason: string }> {
  const steps = scheduleSteps();
  let woken = false;
  setHandler(earlierScheduleEndedSignal, () => void (woken = true));
  for (let look = 0; look < LOOKS_PER_RUN && !workflowInfo().continueAsNewSuggested; look++) {
    woken = false;
    const earlier = await steps.earlierScheduleState(input.after_schedule_id);
    if (earlier.ended) {
      const { started } = await steps.startChainedSchedule(input);
      return { started, reason: started ? earlier.reason : `${earlier.reason}, but schedule ${input.schedule_id} was deleted meanwhile` };
    }
    await condition(() => woken, nextLookMs(earlier, Date.now()));
  }
  return continueAsNew<typeof scheduleWatcher>(input);
}

/** Until just after the earlier schedule's end when that is near; otherwise a slow, steady look. */
export function nextLookMs(earlier: EarlierScheduleState, now: number): number {
  const endAt = earlier.end_at ? Date.parse(earlier.end_at) : null;
  if (endAt !== null && endAt > now) return Math.min(endAt - now + 1000, IDLE_CHECK_MS);
  return earlier.running > 0 || endAt !== null ? ENDING_CHECK_MS : IDLE_CHECK_MS;
}
