// Run ids: a ULID normally; with an idempotency key, a hash of the key, so that repeated or
// racing calls land on one workflow id (DESIGN.md §7).
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';

export function newRunId(): string {
  return `run_${ulid()}`;
}

export function idempotentRunId(key: string): string {
  return `run_${createHash('sha256').update(key).digest('hex').slice(0, 26)}`;
}

/** Hash of a call's arguments, key order ignored: a reused key must come with the same arguments. */
export function argumentsHash(args: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(args)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
