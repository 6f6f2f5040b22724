// Secrets that must travel through workflow history (A2A headers and tokens, webhook headers and
// URL) are sealed with AES-256-GCM first, so history, queries, the Web UI and logs only ever hold
// ciphertext.
//
// A sealed value is bound, as AES-GCM associated data, to the scope it was sealed for (a run id,
// or the schedule or pipeline whose runs' ids are not known yet) and to its field
// (`notify_headers.Authorization`). It opens only for that scope and field: a value copied from
// one run's history into another run, or into another field, does not open. Values sealed by
// Baton 0.1.0 (`v1`, no associated data) still open, so runs in flight across an upgrade keep
// working; callers can never hand Baton a sealed value (refuseSealedInput).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const SEALED_PREFIX = 'baton-sealed:';
/** 0.1.0: no associated data. Opened for the runs that carry it, never accepted as input. */
const V1 = 'baton-sealed:v1:';
const V2 = 'baton-sealed:v2:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretError extends Error {
  override name = 'SecretError';
}

/** What a sealed value is bound to: the scope (run, schedule or pipeline id) and the field. */
export interface SealBinding {
  scope: string;
  field: string;
}

/** True for anything in Baton's sealed format, of any version. */
export function isSealed(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

export function seal(plaintext: string, key: Buffer, binding: SealBinding): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(binding.scope, binding.field));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return V2 + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** True only for a value sealed bound to a scope and field (`v2`): what a holder of the key made for one run, schedule or pipeline. */
export function isBoundSeal(value: string): boolean {
  return value.startsWith(V2);
}

/**
 * Opens a value sealed for one of `scopes` (the ids the opening workflow answers for: see
 * sealScopesOf) and this field. A plain value (one that history of an older release may hold
 * where it did not seal yet) is returned as it is.
 */
export function unseal(value: string, key: Buffer, scopes: readonly string[], field: string): string {
  if (!isSealed(value)) return value;
  if (value.startsWith(V1)) {
    const opened = tryOpen(value.slice(V1.length), key, null);
    if (opened !== null) return opened;
    throw new SecretError(`${field} cannot be opened with this BATON_SECRET_KEY: every worker and MCP server must use the same key`);
  }
  if (!value.startsWith(V2)) throw new SecretError(`${field} is sealed in a format this Baton does not know (${value.slice(0, 16)}…): upgrade Baton`);
  for (const scope of scopes) {
    const opened = tryOpen(value.slice(V2.length), key, associatedData(scope, field));
    if (opened !== null) return opened;
  }
  throw new SecretError(
    `${field} cannot be opened for ${scopes[0] ?? 'this run'}: it was sealed for another run or field, or with another BATON_SECRET_KEY (every worker and MCP server must use the same key)`,
  );
}

function tryOpen(encoded: string, key: Buffer, aad: Buffer | null): string | null {
  const raw = Buffer.from(encoded, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

function associatedData(scope: string, field: string): Buffer {
  // Length-prefixed, so no scope/field pair can be spelled as another.
  return Buffer.from(`baton-seal-v2\n${scope.length}:${scope}\n${field.length}:${field}`, 'utf8');
}

/** Seals each value of a record, bound to `<field>.<name>`. */
export function sealRecord(values: Record<string, string>, key: Buffer, scope: string, field: string): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, seal(v, key, { scope, field: `${field}.${name}` })]));
}

export function unsealRecord(values: Record<string, string>, key: Buffer, scopes: readonly string[], field: string): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, unseal(v, key, scopes, `${field}.${name}`)]));
}

/**
 * The scopes a workflow may open values for, from its workflow id (which Baton chose, so a caller
 * cannot pick it): its own id, and the schedule or pipeline that started it. A webhook child
 * (`<id>.webhook`) answers for the run or pipeline it notifies about.
 */
export function sealScopesOf(workflowId: string): string[] {
  const id = workflowId.endsWith('.webhook') ? workflowId.slice(0, -'.webhook'.length) : workflowId;
  const scopes = [id];
  const pipeline = /^(pipe_[^.]+)\./.exec(id);
  if (pipeline) scopes.push(pipeline[1]);
  const schedule = /^run_(sched_[^-.]+)-/.exec(id);
  if (schedule) scopes.push(schedule[1]);
  // A claude-bridge schedule notifier's notifications, and only they: <notifier>.<event>[-<tick>].webhook.
  const notifier = workflowId.endsWith('.webhook') ? /^(bridgenotify_sched_[A-Za-z0-9]+)\.(?:(?:tick|tick_error)-\d+|tick_with_sentinel|schedule_end)$/.exec(id) : null;
  if (notifier) scopes.push(notifier[1]);
  return scopes;
}
