// The stop marker: a scheduled run whose final output holds it deletes the schedule that started
// it (docs/ARCHITECTURE.md). Called from onRunEnded.
import { log, patched } from '@temporalio/workflow';
import { BRIDGE_STOP_MARKER } from '../domain/claude-bridge.js';
import { STOP_SCHEDULE_MARKER } from '../domain/notify.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import type { RunResult } from '../domain/run-view.js';
import type { ScheduleActivities } from '../domain/schedule.js';
import { shortActivities } from './activity-stubs.js';
import { BRIDGE_STOP_MARKER_PATCH } from './patches.js';

export async function stopScheduleIfAsked(input: RunWorkflowInput, result: RunResult): Promise<void> {
  if (!input.schedule_id || !asksToStop(result.output)) return;
  try {
    const { deleteSchedule } = shortActivities<ScheduleActivities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumAttempts: 5 } });
    const { deleted } = await deleteSchedule(input.schedule_id);
    log.info('the run printed the stop marker: its schedule is deleted', { scheduleId: input.schedule_id, wasThere: deleted });
  } catch (err) {
    // The run's own outcome stands; the schedule goes on, and cancel_schedule still ends it.
    log.warn('the run printed the stop marker, but its schedule could not be deleted', { scheduleId: input.schedule_id, error: String(err) });
  }
}

/** Baton's marker, or claude-bridge's (for runs that reach this point after the patch: docs/claude-bridge.md). */
function asksToStop(output: string): boolean {
  if (output.includes(STOP_SCHEDULE_MARKER)) return true;
  return output.includes(BRIDGE_STOP_MARKER) && patched(BRIDGE_STOP_MARKER_PATCH);
}
