// What happens after a run's final state is recorded and before its workflow closes: the
// notification (a webhook child the run abandons) and, for a scheduled run, the stop marker.
// It runs inside finishRun's non-cancellable scope, so a cancelled run notifies too.
import { bridgeStatusOf, bridgeWebhookPayload } from '../domain/claude-bridge.js';
import { wantsNotification } from '../domain/notify.js';
import type { RunLedger } from '../domain/run-ledger.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import type { RunResult } from '../domain/run-view.js';
import { runWebhookPayload } from '../domain/webhook.js';
import { stopScheduleIfAsked } from './schedule-stop.js';
import { startNotification } from './webhook-start.js';
import { isWorkerLost } from '../domain/vocabulary.js';

export async function onRunEnded(input: RunWorkflowInput, ledger: RunLedger, result: RunResult): Promise<void> {
  await notifyRunEnded(input, ledger, result);
  await stopScheduleIfAsked(input, result);
}

async function notifyRunEnded(input: RunWorkflowInput, ledger: RunLedger, result: RunResult): Promise<void> {
  const notify = input.notify;
  if (!notify) return;
  if (notify.format === 'claude-bridge') {
    // claude-bridge's notify_on names its job statuses (a failed or timed-out job is "done").
    const status = bridgeStatusOf(result.status, result.error, result.failure_kind);
    if (!notify.on.some((on) => on === 'any' || on === status)) return;
    await startNotification({ id: input.run_id, notify, payload: bridgeWebhookPayload(ledger.view(new Date()), result) });
    return;
  }
  const workerLost = isWorkerLost(result);
  if (!wantsNotification(notify.on, result.status, workerLost)) return;
  await startNotification({ id: input.run_id, notify, payload: runWebhookPayload(ledger.view(new Date()), result) });
}
