// Only work that a holder of Baton's secret key created may start an agent. The client adds a
// MAC (HMAC-SHA256 under a key derived from BATON_SECRET_KEY) to every RunSpec it makes; the
// worker checks it before each launch. A spec forged through Temporal's APIs has none, or one
// that does not match, and launches nothing.
//
// Two scopes, since workflow code (which holds no key) changes some fields of a spec:
// - run: a spawn_run, continue_run, channel turn or schedule. Everything is covered but the
//   session of a channel turn, which the channel fills in when it grants the turn.
// - pipeline: a role of one pipeline. The pipeline makes each step's prompt, cwd (a worktree),
//   role and output schema itself, so those are left out; the MAC names the pipeline and covers
//   its goal, and holds only for a child workflow of a pipeline with that id and that goal.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RunSpec } from '../domain/run-spec.js';
import type { RoleSpec } from '../domain/pipeline.js';

const VERSION = 'v1';
/** Fields a pipeline sets per step. */
const PIPELINE_STEP_FIELDS = ['input', 'role', 'output_schema', 'parent', 'channel', 'cwd'] as const;
/** Fields a channel sets when it grants a turn its session. */
const CHANNEL_GRANT_FIELDS = ['session_mode', 'session_id', 'session_cost_baseline_usd'] as const;

export type LaunchAuthority =
  | { scope: 'run' }
  /** A step of pipeline_id: the MAC holds when that pipeline's goal is the one it was made for. */
  | { scope: 'pipeline'; pipeline_id: string; holdsForGoal(goal: string): boolean }
  | { scope: 'unsigned' }
  | { scope: 'forged' };

export interface PipelineOrigin {
  pipeline_id: string;
  goal: string;
}

function macKey(secretKey: Buffer): Buffer {
  return createHmac('sha256', secretKey).update('baton launch mac v1').digest();
}

/** JSON with keys sorted at every level: the same spec gives the same bytes, whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function without(spec: object, fields: readonly string[]): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...(spec as Record<string, unknown>) };
  for (const field of ['launch_mac', ...fields]) delete rest[field];
  return rest;
}

function mac(secretKey: Buffer, scope: string, covered: Record<string, unknown>): string {
  return createHmac('sha256', macKey(secretKey)).update(`${scope}\n${canonical(covered)}`).digest('base64url');
}

function runCovered(spec: RunSpec): Record<string, unknown> {
  return without(spec, spec.channel ? CHANNEL_GRANT_FIELDS : []);
}

export function signRunSpec(spec: RunSpec, secretKey: Buffer): RunSpec {
  const unsigned = without(spec, []) as unknown as RunSpec;
  return { ...unsigned, launch_mac: `${VERSION}.run.${mac(secretKey, 'run', runCovered(unsigned))}` };
}

function pipelineCovered(spec: object, origin: PipelineOrigin): Record<string, unknown> {
  return { pipeline_id: origin.pipeline_id, pipeline_goal: origin.goal, ...without(spec, PIPELINE_STEP_FIELDS) };
}

export function signRoleSpec(role: RoleSpec, origin: PipelineOrigin, secretKey: Buffer): RoleSpec {
  const unsigned = without(role, []) as unknown as RoleSpec;
  return { ...unsigned, launch_mac: `${VERSION}.pipeline.${origin.pipeline_id}.${mac(secretKey, 'pipeline', pipelineCovered(unsigned, origin))}` };
}

/** Who may launch this spec: a run or a pipeline's step signed with this key, no MAC at all, or a MAC that does not hold. */
export function launchAuthority(spec: RunSpec, secretKey: Buffer): LaunchAuthority {
  const given = spec.launch_mac;
  if (given === undefined || given === null) return { scope: 'unsigned' };
  if (typeof given !== 'string') return { scope: 'forged' };
  const parts = given.split('.');
  if (parts[0] !== VERSION) return { scope: 'forged' };
  if (parts[1] === 'run' && parts.length === 3) {
    return same(parts[2]!, mac(secretKey, 'run', runCovered(spec))) ? { scope: 'run' } : { scope: 'forged' };
  }
  if (parts[1] === 'pipeline' && parts.length === 4) {
    const pipelineId = parts[2]!;
    const given = parts[3]!;
    return {
      scope: 'pipeline',
      pipeline_id: pipelineId,
      holdsForGoal: (goal) => same(given, mac(secretKey, 'pipeline', pipelineCovered(spec, { pipeline_id: pipelineId, goal }))),
    };
  }
  return { scope: 'forged' };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
