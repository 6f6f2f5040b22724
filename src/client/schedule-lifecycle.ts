// The end of a schedule and the start of the one chained after it: shared by cancel_schedule and
// by the activities that the stop marker and the chain watcher run.
import { ScheduleNotFoundError, WorkflowNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import type { EarlierScheduleState, ScheduleWatcherInput } from '../domain/schedule.js';
import { scheduleNotifierId } from '../domain/bridge-schedule-notify.js';
import { bridgeScheduleChangedSignal, earlierScheduleEndedSignal } from '../workflows/schedule-messages.js';
import { quote } from './run-list.js';

/** A schedule's description, or null when there is no such schedule. */
export async function describeSchedule(client: Client, scheduleId: string): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

/** Deletes a schedule; false when it was gone already. Runs it started go on. */
export async function endSchedule(client: Client, scheduleId: string): Promise<boolean> {
  let deleted = true;
  try {
    await client.schedule.getHandle(scheduleId).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    deleted = false;
  }
  await Promise.all([wakeChainedWatchers(client, scheduleId), wakeBridgeNotifier(client, scheduleId)]);
  return deleted;
}

/**
 * Tells the claude-bridge notifier of this schedule, if it has one, that the schedule changed, so
 * it notifies now rather than at its next look. Best effort: a notifier also looks by itself.
 */
export async function wakeBridgeNotifier(client: Client, scheduleId: string): Promise<void> {
  await client.workflow
    .getHandle(scheduleNotifierId(scheduleId))
    .signal(bridgeScheduleChangedSignal)
    .catch(() => undefined);
}

/**
 * Tells the watchers of schedules chained after this one that it has ended, so they start theirs
 * now rather than at their next look. Best effort: a watcher also looks by itself.
 */
async function wakeChainedWatchers(client: Client, scheduleId: string): Promise<void> {
  const query = `WorkflowType = 'scheduleWatcher' AND BatonParent = ${quote(scheduleId)} AND ExecutionStatus = 'Running'`;
  const signals: Promise<void>[] = [];
  for await (const watcher of client.workflow.list({ query })) {
    signals.push(
      client.workflow
        .getHandle(watcher.workflowId)
        .signal(earlierScheduleEndedSignal)
        .catch(() => undefined),
    );
  }
  await Promise.all(signals);
}

/**
 * A schedule has ended when it is gone, or when it will never fire again (past its until) and
 * no run it started is still going.
 */
export async function earlierScheduleState(client: Client, scheduleId: string): Promise<EarlierScheduleState> {
  const description = await describeSchedule(client, scheduleId);
  if (!description) return { ended: true, reason: `schedule ${scheduleId} was deleted`, end_at: null, running: 0 };
  const endAt = description.spec.endAt?.toISOString() ?? null;
  const running = description.info.runningActions.length;
  const moreFires = description.info.nextActionTimes.length > 0;
  if (!moreFires && running === 0) return { ended: true, reason: `schedule ${scheduleId} has no more fires and no run going`, end_at: endAt, running };
  const reason = moreFires ? `schedule ${scheduleId} fires next at ${description.info.nextActionTimes[0].toISOString()}` : `a run of schedule ${scheduleId} is still going`;
  return { ended: false, reason, end_at: endAt, running };
}

/** Unpauses a chained schedule; false when it was deleted while it waited. */
export async function startChainedSchedule(client: Client, input: ScheduleWatcherInput): Promise<boolean> {
  try {
    await client.schedule.getHandle(input.schedule_id).unpause(`started: schedule ${input.after_schedule_id} has ended`);
    await wakeBridgeNotifier(client, input.schedule_id);
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

/** Stops the watcher of a chained schedule that is being deleted; nothing when there is none. */
export async function stopWatcher(client: Client, watcherId: string): Promise<void> {
  try {
    await client.workflow.getHandle(watcherId).cancel();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
