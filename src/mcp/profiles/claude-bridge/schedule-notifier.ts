// Starting the notifier of a claude-bridge schedule (src/workflows/bridge-schedule-notifier.ts):
// its notify_url and notify_headers sealed for the notifier's own id, which the worker's origin
// check and the delivery require (src/activities/webhook-origin.ts).
import type { RunsClient } from '../../../client/runs.js';
import { sealedNotify } from '../../../client/run-request.js';
import { scheduleNotifierId, type BridgeScheduleNotifierInput } from '../../../domain/bridge-schedule-notify.js';
import { searchAttributeKeys } from '../../../domain/search-attributes.js';
import type { ScheduleNotify } from './schedules.js';

export const NOTIFIER_KIND = 'bridge_schedule_notifier';

export async function startScheduleNotifier(runs: RunsClient, scheduleId: string, channel: string, notify: ScheduleNotify): Promise<void> {
  const workflowId = scheduleNotifierId(scheduleId);
  const sealed = sealedNotify({ url: notify.url, headers: notify.headers, on: ['any'] }, runs.options.secretKey, workflowId)!;
  const input: BridgeScheduleNotifierInput = { schedule_id: scheduleId, channel, notify_on: notify.on, notify: sealed };
  // A notifier already there was not started by this call (schedule ids are new): it fails, and the schedule with it.
  await runs.client.workflow.start('bridgeScheduleNotifier', {
    workflowId,
    taskQueue: runs.options.taskQueue,
    args: [input],
    typedSearchAttributes: [
      { key: searchAttributeKeys.kind, value: NOTIFIER_KIND },
      { key: searchAttributeKeys.parent, value: scheduleId },
    ],
    staticSummary: `claude-bridge notifications of schedule ${scheduleId} (${notify.on.join(', ')}) → ${sealed.url_host ?? ''}`,
  });
}
