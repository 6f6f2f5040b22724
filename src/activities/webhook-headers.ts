// The headers of a notification: the caller's own (opened from their sealed form only here),
// then Baton's, which win: content type, user agent and the Standard Webhooks headers.
import { Webhook } from 'standardwebhooks';
import { unsealRecord } from '../secrets/seal.js';

/** Headers a caller cannot set: Baton's own, and those that describe the body or connection. */
const RESERVED = new Set(['content-type', 'content-length', 'transfer-encoding', 'connection', 'host', 'user-agent', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);

export class SigningSecretError extends Error {
  override name = 'SigningSecretError';
}

export interface HeaderParts {
  /** notify_headers as the workflow holds them: sealed. */
  sealed: Record<string, string>;
  secretKey: Buffer;
  /** What the delivering workflow may open values for (sealScopesOf). */
  scopes: readonly string[];
  webhookId: string;
  body: string;
  /** BATON_WEBHOOK_SECRET (`whsec_` + base64), or null to send unsigned. */
  signingSecret: string | null;
  now: Date;
}

export function notificationHeaders(parts: HeaderParts): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(unsealRecord(parts.sealed, parts.secretKey, parts.scopes, 'notify_headers'))) {
    if (!RESERVED.has(name.toLowerCase())) headers[name] = value;
  }
  headers['content-type'] = 'application/json';
  headers['user-agent'] = 'baton';
  // webhook-id lets a receiver drop a retry it has already processed, signed or not.
  headers['webhook-id'] = parts.webhookId;
  headers['webhook-timestamp'] = String(Math.floor(parts.now.getTime() / 1000));
  if (parts.signingSecret) headers['webhook-signature'] = signer(parts.signingSecret).sign(parts.webhookId, parts.now, parts.body);
  return headers;
}

function signer(secret: string): Webhook {
  try {
    return new Webhook(secret);
  } catch (err) {
    throw new SigningSecretError(
      `BATON_WEBHOOK_SECRET is not a Standard Webhooks secret (whsec_ followed by base64, e.g. \`echo whsec_$(openssl rand -base64 32)\`): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
