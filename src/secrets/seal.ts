// Secrets that must travel through workflow history (A2A headers, webhook headers) are sealed
// with AES-256-GCM first, so history, queries, the Web UI and logs only ever hold ciphertext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'baton-sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretError extends Error {
  override name = 'SecretError';
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function seal(plaintext: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function unseal(sealed: string, key: Buffer): string {
  if (!isSealed(sealed)) throw new SecretError('value is not sealed by Baton');
  const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretError(
      'a sealed secret cannot be opened with this BATON_SECRET_KEY: every worker and MCP server must use the same key',
    );
  }
}

export function sealRecord(values: Record<string, string>, key: Buffer): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, isSealed(v) ? v : seal(v, key)]));
}

export function unsealRecord(values: Record<string, string>, key: Buffer): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, isSealed(v) ? unseal(v, key) : v]));
}
