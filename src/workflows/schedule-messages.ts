// The schedule watchers' signals, defined once for the workflow and for whoever ends a schedule.
import { defineSignal } from '@temporalio/workflow';

/** The schedule a watcher waits for has ended: look now instead of at the next check. */
export const earlierScheduleEndedSignal = defineSignal('earlierScheduleEnded');

/** A claude-bridge schedule has ended, or started after its chain: its notifier looks now. */
export const bridgeScheduleChangedSignal = defineSignal('bridgeScheduleChanged');
