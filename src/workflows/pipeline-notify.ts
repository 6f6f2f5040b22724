// A pipeline's notification at its end: the same webhook child workflow runs use.
import { wantsNotification } from '../domain/notify.js';
import type { PipelineInput, PipelineView } from '../domain/pipeline.js';
import { webhookPayload } from '../domain/webhook.js';
import { startNotification } from './webhook-start.js';

export async function notifyPipelineEnded(input: PipelineInput, view: PipelineView): Promise<void> {
  const notify = input.notify;
  if (!notify || !wantsNotification(notify.on, view.status, false)) return;
  const verdict = view.verdict ? [`verdict: ${view.verdict.verdict}`, ...view.verdict.findings.map((f) => `- ${f}`)].join('\n') : null;
  await startNotification({
    id: input.pipeline_id,
    notify,
    payload: webhookPayload({
      kind: 'pipeline',
      id: input.pipeline_id,
      status: view.status,
      output: verdict,
      error: view.error,
      started_at: view.created_at,
      finished_at: view.finished_at,
      cost_usd: view.totals.cost_usd,
    }),
  });
}
