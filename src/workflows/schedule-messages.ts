// The chain watcher's signal, defined once for the workflow and for whoever ends a schedule.
import { defineSignal } from '@temporalio/workflow';

/** The schedule a watcher waits for has ended: look now instead of at the next check. */
export const earlierScheduleEndedSignal = defineSignal('earlierScheduleEnded');
