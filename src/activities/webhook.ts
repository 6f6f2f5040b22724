// The deliverWebhook activity: one attempt at a notification. The webhook
// workflow retries; this activity says, by its failure type, whether a retry can help.
import { ApplicationFailure } from '@temporalio/common';
import { WEBHOOK_FAILURE_TYPES, type DeliverWebhookRequest, type DeliverWebhookResult, type WebhookActivities, type WebhookFailureDetails } from '../domain/webhook-delivery.js';
import { Context } from '@temporalio/activity';
import { SecretError, sealScopesOf, unseal } from '../secrets/seal.js';
import { AddressRefusedError, checkWebhookUrl, guardedLookup } from './webhook-address.js';
import { notificationHeaders, SigningSecretError } from './webhook-headers.js';
import { postJson, type PostOutcome } from './webhook-http.js';
import { gateWebhook } from './webhook-origin-gate.js';
import type { WebhookOriginDeps } from './webhook-origin.js';

export interface WebhookSettings {
  /** BATON_WEBHOOK_SECRET: sign per Standard Webhooks when set. */
  signingSecret: string | null;
  /** BATON_ALLOW_PRIVATE_WEBHOOKS=1: also send to loopback and private addresses. */
  allowPrivate: boolean;
  /** How long one attempt may take, from connecting to the end of the answer. */
  timeoutMs: number;
}

export const WEBHOOK_ATTEMPT_TIMEOUT_MS = 10_000;

/** Read at each attempt: the environment of the worker that sends. */
export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  return {
    signingSecret: env.BATON_WEBHOOK_SECRET || null,
    allowPrivate: env.BATON_ALLOW_PRIVATE_WEBHOOKS === '1',
    timeoutMs: WEBHOOK_ATTEMPT_TIMEOUT_MS,
  };
}

export interface WebhookDeps {
  /** Opens the sealed notify_headers. */
  secretKey: Buffer;
  settings?: () => WebhookSettings;
}

/**
 * The worker's activity: before anything is opened, signed or sent, the attempt passes the origin
 * gate (webhook-origin-gate.ts says when it checks and what a check that cannot finish means).
 */
export function createWebhookActivities(deps: WebhookDeps & { origin: WebhookOriginDeps }): WebhookActivities {
  return {
    deliverWebhook: async (request) => {
      const execution = Context.current().info.workflowExecution;
      const workflowId = execution?.workflowId ?? request.webhook_id;
      await gateWebhook(deps.origin, { workflowId, runId: execution?.runId }, request);
      return deliverWebhook(deps, request, sealScopesOf(workflowId));
    },
  };
}

/** `scopes`: what the delivering workflow may open sealed values for (by its workflow id, which is the webhook id). */
export async function deliverWebhook(
  deps: WebhookDeps,
  request: DeliverWebhookRequest,
  scopes: readonly string[] = sealScopesOf(request.webhook_id),
): Promise<DeliverWebhookResult> {
  const settings = (deps.settings ?? webhookSettingsFromEnv)();
  const started = Date.now();
  const fail = (type: string, message: string, outcome?: PostOutcome) => {
    const details: WebhookFailureDetails = { status: outcome?.status ?? null, retry_after_ms: outcome?.retry_after_ms ?? null, duration_ms: Date.now() - started };
    return ApplicationFailure.create({ type, message, nonRetryable: true, details: [details] });
  };

  let rawUrl: string;
  try {
    rawUrl = unseal(request.url, deps.secretKey, scopes, 'notify_url');
  } catch (err) {
    // A worker with the wrong key: retried, so fixing its configuration still delivers.
    if (err instanceof SecretError) throw fail(WEBHOOK_FAILURE_TYPES.retryable, `notify_url could not be opened on this worker: ${err.message}`);
    throw err;
  }
  let url: URL;
  try {
    url = checkWebhookUrl(rawUrl, settings.allowPrivate);
  } catch (err) {
    throw fail(WEBHOOK_FAILURE_TYPES.refused, (err as Error).message);
  }
  const body = JSON.stringify(request.payload);
  let headers: Record<string, string>;
  try {
    headers = notificationHeaders({
      sealed: request.headers,
      secretKey: deps.secretKey,
      scopes,
      webhookId: request.webhook_id,
      body,
      signingSecret: settings.signingSecret,
      now: new Date(),
    });
  } catch (err) {
    // A worker with the wrong key or secret: retried, so fixing its configuration still delivers.
    if (err instanceof SecretError || err instanceof SigningSecretError)
      throw fail(WEBHOOK_FAILURE_TYPES.retryable, `notify_headers could not be prepared on this worker: ${err.message}`);
    throw err;
  }

  let outcome: PostOutcome;
  try {
    outcome = await postJson(url, body, headers, { lookup: guardedLookup(settings.allowPrivate), timeoutMs: settings.timeoutMs });
  } catch (err) {
    if (err instanceof AddressRefusedError) throw fail(WEBHOOK_FAILURE_TYPES.refused, err.message);
    throw fail(WEBHOOK_FAILURE_TYPES.retryable, `could not reach ${url.host}: ${networkError(err)}`);
  }
  const status = outcome.status;
  if (status >= 200 && status < 300) return { status, duration_ms: Date.now() - started };
  const answered = `${url.host} answered ${status}${outcome.body_head ? `: ${oneLine(outcome.body_head)}` : ''}`;
  if (status >= 300 && status < 400) {
    const to = outcome.location_host ? ` to ${outcome.location_host}` : '';
    throw fail(WEBHOOK_FAILURE_TYPES.rejected, `${url.host} answered ${status} (a redirect${to}); Baton does not follow redirects: set notify_url to the final address`, outcome);
  }
  if (status === 408 || status === 429 || status >= 500 || status < 200) throw fail(WEBHOOK_FAILURE_TYPES.retryable, answered, outcome);
  throw fail(WEBHOOK_FAILURE_TYPES.rejected, `${answered} (a 4xx other than 408 and 429 is not retried: check notify_url and notify_headers)`, outcome);
}

function networkError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ECONNREFUSED') return 'connection refused (is the receiver running?)';
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return `the name does not resolve (${e.code})`;
  return e?.code ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(err);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}
