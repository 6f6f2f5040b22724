// One POST of a notification: a fresh connection through the address guard, no redirects
// followed, the whole exchange bounded by a timeout.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface PostOutcome {
  status: number;
  /** Where a 3xx pointed (host only: the path may hold secrets). */
  location_host: string | null;
  retry_after_ms: number | null;
  /** The start of the receiver's answer, for error messages. */
  body_head: string;
}

export class PostTimeoutError extends Error {
  override name = 'PostTimeoutError';
}

const BODY_HEAD_CHARS = 300;

export function postJson(url: URL, body: string, headers: Record<string, string>, opts: { lookup: LookupFunction; timeoutMs: number }): Promise<PostOutcome> {
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<PostOutcome>((resolve, reject) => {
    const request = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: opts.lookup,
      // A fresh connection each time: a pooled socket would skip the address check.
      agent: false,
    });
    const timer = setTimeout(() => {
      reject(new PostTimeoutError(`no answer within ${opts.timeoutMs / 1000} s`));
      request.destroy();
    }, opts.timeoutMs);
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.on('response', (response) => {
      let head = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (head.length < BODY_HEAD_CHARS) head += chunk.slice(0, BODY_HEAD_CHARS - head.length);
      });
      response.on('error', () => undefined);
      response.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: response.statusCode ?? 0,
          location_host: locationHost(response.headers.location, url),
          retry_after_ms: retryAfterMs(response.headers['retry-after']),
          body_head: head,
        });
      });
    });
    request.end(body);
  });
}

function locationHost(location: string | undefined, base: URL): string | null {
  if (!location) return null;
  try {
    return new URL(location, base).host;
  } catch {
    return '(invalid Location)';
  }
}

/** Retry-After: delay-seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
