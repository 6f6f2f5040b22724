// When the deliverWebhook activity checks who made a notification (webhook-origin.ts), and what a
// check that cannot finish means. Two rules keep both promises, "sent only if Baton made it" and
// "a notification is never lost to a passing outage":
// - An attempt is checked unless an earlier attempt of this webhook passed the check. Checking
//   again at every retry would refuse a receiver's retries once the evidence ages (a schedule keeps
//   only its newest actions, and may be deleted); skipping the check only because the attempt
//   number is above 1 would let a first attempt that could not be checked open the door.
// - A check that cannot finish (Temporal unreachable or restarting) is tried again for a while
//   inside the attempt, then fails the attempt with a type the webhook workflow retries (any type
//   it does not know), so the next attempt checks again. Only a check that finished and refused
//   ends the webhook.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import { WEBHOOK_FAILURE_TYPES, type DeliverWebhookRequest, type WebhookFailureDetails } from '../domain/webhook-delivery.js';
import { checkWebhookOrigin, WebhookRefusedError, type WebhookOriginDeps } from './webhook-origin.js';

/** The failure type of an attempt whose origin check could not finish: unknown to the workflow, so it retries. */
export const WEBHOOK_UNCHECKED_TYPE = 'BatonWebhookUnchecked';
/** How long one attempt keeps trying a check that cannot finish (the attempt's own bound is 1 minute). */
const CHECK_PATIENCE_MS = 30_000;
/** Failure types of attempts that never got past the check. */
const NOT_CHECKED = new Set<string>([WEBHOOK_UNCHECKED_TYPE, WEBHOOK_FAILURE_TYPES.refused]);

export interface WebhookTarget {
  workflowId: string;
  runId: string | undefined;
}

/** Resolves when this attempt may send; throws the ApplicationFailure that ends or retries it otherwise. */
export async function gateWebhook(deps: WebhookOriginDeps, target: WebhookTarget, request: DeliverWebhookRequest): Promise<void> {
  if (request.attempt > 1 && (await anEarlierAttemptPassed(deps, target))) return;
  const deadline = Date.now() + CHECK_PATIENCE_MS;
  for (let wait = 500; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      await checkWebhookOrigin(deps, target, request);
      return;
    } catch (err) {
      if (err instanceof WebhookRefusedError) throw failure(WEBHOOK_FAILURE_TYPES.refused, err.message, true);
      if (Date.now() + wait >= deadline) {
        const why = err instanceof Error ? err.message : String(err);
        throw failure(
          WEBHOOK_UNCHECKED_TYPE,
          `notification ${target.workflowId} could not be checked yet, so nothing was sent or signed; the next attempt checks again: ${why}`,
          false,
        );
      }
      Context.current().heartbeat();
      await Context.current().sleep(wait);
    }
  }
}

function failure(type: string, message: string, nonRetryable: boolean): ApplicationFailure {
  const details: WebhookFailureDetails = { status: null, retry_after_ms: null, duration_ms: 0 };
  return ApplicationFailure.create({ type, message, nonRetryable, details: [details] });
}

/**
 * Whether an earlier attempt of this webhook got past the check: it failed with a type other
 * than "refused" or "unchecked" (the receiver's answer). A timed-out attempt counts as unchecked,
 * since it may have stopped inside the check. The webhook's own history is a few events an attempt.
 * If the history cannot be read, the check runs again, which is the safe side.
 */
async function anEarlierAttemptPassed(deps: WebhookOriginDeps, target: WebhookTarget): Promise<boolean> {
  const history = await deps.client.workflow
    .getHandle(target.workflowId, target.runId)
    .fetchHistory()
    .catch(() => null);
  const failed = proto.temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED;
  return (history?.events ?? []).some((event) => {
    if (event.eventType !== failed) return false;
    const type = event.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type;
    return typeof type === 'string' && !NOT_CHECKED.has(type);
  });
}
