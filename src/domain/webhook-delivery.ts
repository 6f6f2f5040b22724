// Delivering a notification (README.md, "Notifications (webhooks)"): the webhook workflow's input, the record of its
// attempts, and the retry schedule. Pure, so the workflow, the activity, the client and unit
// tests share one definition.
import type { NotifySpec } from './notify.js';
import type { BridgeSchedulePayload } from './bridge-schedule-notify.js';
import type { BridgeWebhookPayload } from './claude-bridge.js';
import type { WebhookPayload } from './webhook.js';

/** Baton's own payload, claude-bridge's job payload, or claude-bridge's schedule payload. */
export type NotificationPayload = WebhookPayload | BridgeWebhookPayload | BridgeSchedulePayload;

/** Memo key of a webhook workflow: its attempts, readable with no worker running. */
export const WEBHOOK_MEMO_KEY = 'webhook';
/** The memo keeps the newest attempts only, so that each upsert stays small. */
export const WEBHOOK_MEMO_ATTEMPTS = 20;

/** The webhook workflow of a run (or pipeline): one a run, so a reader can find it by id. */
export function webhookWorkflowId(runId: string): string {
  return `${runId}.webhook`;
}

/**
 * When to try again. Production: 1 s, doubling, at most 5 minutes apart, for 24 hours; a
 * receiver that is down for an hour (or a day) still gets the call. Tests shorten it.
 */
export interface WebhookRetryPolicy {
  /** Wait after the first failed attempt. */
  initial_ms: number;
  /** Longest wait between two attempts. */
  max_ms: number;
  /** No new attempt starts once this long has passed since the first one. */
  give_up_after_ms: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = {
  initial_ms: 1_000,
  max_ms: 5 * 60_000,
  give_up_after_ms: 24 * 3600_000,
};

export interface WebhookWorkflowInput {
  /** The run (or pipeline, or schedule notifier) the notification is about. */
  run_id: string;
  payload: NotificationPayload;
  /** Where to (sealed, with its host beside it) and the headers (sealed): opened only inside the activity. */
  notify: NotifySpec;
  retry?: Partial<WebhookRetryPolicy>;
}

export interface DeliverWebhookRequest {
  url: string;
  /** Sealed (src/secrets/seal.ts); the activity opens them right before sending. */
  headers: Record<string, string>;
  payload: NotificationPayload;
  /** Stable for this notification, the same on every attempt: receivers deduplicate on it. */
  webhook_id: string;
  attempt: number;
}

export interface DeliverWebhookResult {
  status: number;
  duration_ms: number;
}

/** Activity failure types: the workflow retries only `retryable`. */
export const WEBHOOK_FAILURE_TYPES = {
  /** 5xx, 408, 429, a network error, a timeout: the receiver may be back later. */
  retryable: 'BatonWebhookRetryable',
  /** Another 4xx, or a redirect: the request itself is wrong, sending it again will not help. */
  rejected: 'BatonWebhookRejected',
  /** The address is not allowed (private, loopback, not http/https): never sent. */
  refused: 'BatonWebhookRefused',
} as const;

/** What a failed attempt tells the workflow, in the activity failure's details. */
export interface WebhookFailureDetails {
  status: number | null;
  /** A receiver's Retry-After, when it sent one. */
  retry_after_ms: number | null;
  duration_ms: number;
}

export interface WebhookActivities {
  deliverWebhook: (request: DeliverWebhookRequest) => Promise<DeliverWebhookResult>;
}

export interface WebhookAttempt {
  attempt: number;
  /** When the attempt started (ISO). */
  at: string;
  duration_ms: number;
  /** The receiver's HTTP status, when it answered. */
  status: number | null;
  /** Why the attempt failed; null when it was delivered. */
  error: string | null;
  outcome: 'delivered' | 'will_retry' | 'gave_up';
}

export type WebhookDeliveryStatus = 'delivering' | 'waiting' | 'delivered' | 'gave_up';

export interface WebhookState {
  webhook_id: string;
  run_id: string;
  event: string;
  /** host[:port] only: the path and query of a webhook URL may be secret. */
  url_host: string;
  status: WebhookDeliveryStatus;
  attempts_total: number;
  /** Every attempt in the query's answer; the newest WEBHOOK_MEMO_ATTEMPTS in the memo. */
  attempts: WebhookAttempt[];
  next_attempt_at: string | null;
}

export function resolveRetry(retry: Partial<WebhookRetryPolicy> | undefined): WebhookRetryPolicy {
  return { ...DEFAULT_WEBHOOK_RETRY, ...retry };
}

/** Exponential backoff: initial, ×2 each failure, capped. `failures` counts from 1. */
export function backoffMs(policy: WebhookRetryPolicy, failures: number): number {
  const exponent = Math.min(failures - 1, 40);
  return Math.min(policy.max_ms, policy.initial_ms * 2 ** exponent);
}

/**
 * How long to wait before the next attempt, or null to give up. A receiver's Retry-After is
 * honoured up to max_ms. The last attempt lands at the deadline itself, so the receiver gets the
 * whole give_up_after_ms to come back.
 */
export function nextDelayMs(policy: WebhookRetryPolicy, failures: number, elapsedMs: number, retryAfterMs: number | null = null): number | null {
  const left = policy.give_up_after_ms - elapsedMs;
  if (left <= 0) return null;
  const wanted = Math.max(backoffMs(policy, failures), Math.min(retryAfterMs ?? 0, policy.max_ms));
  return Math.min(wanted, left);
}

/** The state as the memo carries it: the newest attempts only. */
export function memoState(state: WebhookState): WebhookState {
  return { ...state, attempts: state.attempts.slice(-WEBHOOK_MEMO_ATTEMPTS) };
}
