// The stop marker: a scheduled run whose final output holds it deletes the schedule that started
// it (docs/ARCHITECTURE.md). Called from onRunEnded.
import { log } from '@temporalio/workflow';
import { STOP_SCHEDULE_MARKER } from '../domain/notify.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import type { RunResult } from '../domain/run-view.js';
import type { ScheduleActivities } from '../domain/schedule.js';
import { shortActivities } from './activity-stubs.js';


export async function stopScheduleIfAsked(input: RunWorkflowInput, result: RunResult): Promise<void> {
  if (!input.schedule_id || !result.output.includes(STOP_SCHEDULE_MARKER)) return;
  try {
    const { deleteSchedule } = shortActivities<ScheduleActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumAttempts: 5 } });
    const { deleted } = await deleteSchedule(input.schedule_id);
    log.info('the run printed the stop marker: its schedule is deleted', { scheduleId: input.schedule_id, wasThere: deleted });
  } catch (err) {
    // The run's own outcome stands; the schedule goes on, and cancel_schedule still ends it.
    log.warn('the run printed the stop marker, but its schedule could not be deleted', { scheduleId: input.schedule_id, error: String(err) });
  }
}
