// What a failed delivery attempt means to the webhook workflow: retry or give up, and why.
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { WEBHOOK_FAILURE_TYPES, type WebhookFailureDetails } from '../domain/webhook-delivery.js';

export interface DeliveryFailure {
  retryable: boolean;
  message: string;
  status: number | null;
  retry_after_ms: number | null;
  duration_ms: number | null;
}

export function readDeliveryFailure(err: unknown): DeliveryFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as Partial<WebhookFailureDetails>;
    return {
      retryable: cause.type === WEBHOOK_FAILURE_TYPES.retryable || !isKnownType(cause.type),
      message: cause.message,
      status: details.status ?? null,
      retry_after_ms: details.retry_after_ms ?? null,
      duration_ms: details.duration_ms ?? null,
    };
  }
  if (cause instanceof TimeoutFailure) {
    return { retryable: true, message: 'the delivery attempt timed out (no worker finished it in time)', status: null, retry_after_ms: null, duration_ms: null };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { retryable: true, message, status: null, retry_after_ms: null, duration_ms: null };
}

function isKnownType(type: string | undefined | null): boolean {
  return Object.values(WEBHOOK_FAILURE_TYPES).includes(type as (typeof WEBHOOK_FAILURE_TYPES)[keyof typeof WEBHOOK_FAILURE_TYPES]);
}
