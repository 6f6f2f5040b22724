// Run ids: a ULID normally; with an idempotency key, a hash of the key, so that repeated or
// racing calls land on one workflow id (docs/ARCHITECTURE.md).
import { createHash, createHmac } from 'node:crypto';
import { ulid } from 'ulid';
import { MAX_ARGUMENT_DEPTH } from '../domain/argument-shape.js';
import { InputError } from './errors.js';

export function newRunId(): string {
  return `run_${ulid()}`;
}

export function idempotentRunId(key: string): string {
  return `run_${createHash('sha256').update(key).digest('hex').slice(0, 26)}`;
}

/** A digest of a call's arguments, key order ignored: a reused key must come with the same arguments. */
export interface ArgumentsDigest {
  /** What the memo records: HMAC-SHA256 under BATON_SECRET_KEY. */
  value: string;
  /** Whether a recorded digest is of these arguments (0.1.0 recorded an unkeyed SHA-256). */
  matches(recorded: unknown): boolean;
}

/**
 * Keyed, because the arguments hold secrets (notify_headers, A2A tokens) and the memo is shown to
 * anyone who can list workflows: an unkeyed hash lets them test guesses of a secret offline.
 */
export function argumentsHash(args: Record<string, unknown>, key: Buffer): ArgumentsDigest {
  const canonical = canonicalJson(args);
  const value = `hmac-sha256:${createHmac('sha256', key).update(canonical).digest('hex')}`;
  return {
    value,
    matches: (recorded) => recorded === value || recorded === createHash('sha256').update(canonical).digest('hex'),
  };
}

function canonicalJson(value: unknown, depth = 0): string {
  // The MCP tools refuse deeper input before it gets here; this keeps other callers off the stack's end.
  if (depth > MAX_ARGUMENT_DEPTH) throw new InputError(`the arguments are nested more than ${MAX_ARGUMENT_DEPTH} levels deep`);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, depth + 1)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What Baton's run ids look like: `run_<ulid>`, `run_<key hash>`, a schedule's
 * `run_<schedule id>-<fire time>`, a pipeline `pipe_...` and its steps `pipe_....r1.work-2`. Ids that
 * arrive from outside (a resource URI) are checked against it before any lookup, so no channel's
 * id and no odd text reaches Temporal as an id (a run's child, `<run>.webhook`, has no run view and
 * reads as unknown).
 */
const RUN_ID_FORMAT = /^(?:run|pipe)_[A-Za-z0-9][A-Za-z0-9_.:-]{0,190}$/;

/** Why `id` is not a run id, or null when it is one. */
export function runIdProblem(id: string): string | null {
  if (RUN_ID_FORMAT.test(id)) return null;
  const shown = JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);
  return `${shown} is not a Baton run id: run ids look like run_01J... (or a pipeline's pipe_...), as spawn_run and list_runs return them`;
}
