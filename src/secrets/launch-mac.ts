// Only work that a holder of Baton's secret key created may start an agent. The client adds a
// MAC (HMAC-SHA256 under a key derived from BATON_SECRET_KEY) to every RunSpec it makes; the
// worker checks it before each launch. A spec forged through Temporal's APIs has none, or one
// that does not match, and launches nothing.
//
// A spec is read back from history by anyone who reaches Temporal, so a MAC must also say which
// workflow it was made for, or the same spec started unchanged under a new id would launch again.
// Three bindings (version v2), since workflow code (which holds no key) changes some fields of a
// spec, and some ids are not known when the spec is made:
// - run: a spawn_run, dispatch, continue_run follow-up or channel turn, bound to its workflow id
//   (the run id, chosen by the client before it starts anything; a channel starts its turn under
//   that id). Everything is covered but the session of a channel turn, which the channel fills
//   in when it grants the turn.
// - schedule: a schedule's runs, whose ids the schedule makes at each fire (`<its workflowId>-<time>`):
//   bound to the schedule's id. The worker holds it only for a run that schedule records among its
//   running or recent actions (`TemporalScheduledById` says which schedule to ask; a raw start can
//   set that search attribute too, so it is not proof by itself).
// - pipeline: a role of one pipeline. The pipeline makes each step's prompt, cwd (a worktree),
//   role and output schema itself, so those are left out; the MAC names the pipeline and covers
//   its goal, and holds only for a child workflow of a pipeline with that id and that goal.
// Release 0.2.0 made v1 MACs (run and pipeline), which name no workflow id: the launch guard lets
// them launch only for work that began before this release's first worker ran.
//
// An answer to a remote agent that asked for input (continue_run on an input_required run) is the
// next launch's input, so it carries a MAC too, bound to the run's workflow id.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InputMessage } from '../domain/input-message.js';
import type { RunSpec } from '../domain/run-spec.js';
import type { RoleSpec } from '../domain/pipeline.js';

const VERSION = 'v2';
const V1 = 'v1';
/** Fields a pipeline sets per step. */
const PIPELINE_STEP_FIELDS = ['input', 'role', 'output_schema', 'parent', 'channel', 'cwd'] as const;
/** Fields a channel sets when it grants a turn its session. */
const CHANNEL_GRANT_FIELDS = ['session_mode', 'session_id', 'session_cost_baseline_usd'] as const;
/** Schedule ids are `sched_` and a ULID or hex digest: nothing that holds the separator. */
const SCHEDULE_ID = /^[A-Za-z0-9_-]+$/;

/** What a run spec's MAC is bound to: the run's own workflow id, or the schedule that fires it. */
export type RunBinding = { run: string } | { schedule: string };

export type LaunchAuthority =
  /** A run's spec: holds only for the workflow id it was made for. */
  | { scope: 'run'; madeFor(workflowId: string): boolean }
  /** A schedule's spec: holds for runs that this schedule fired. */
  | { scope: 'schedule'; schedule_id: string }
  /** A step of pipeline_id: the MAC holds when that pipeline's goal is the one it was made for. */
  | { scope: 'pipeline'; pipeline_id: string; version: 'v1' | 'v2'; holdsForGoal(goal: string): boolean }
  /** A v1 run MAC (release 0.2.0) that holds, but names no workflow id. */
  | { scope: 'unbound' }
  | { scope: 'unsigned' }
  | { scope: 'forged' };

export interface PipelineOrigin {
  pipeline_id: string;
  goal: string;
}

/** An answer as continue_run sends it: the message, and its MAC (never accepted from a caller). */
export type SignedAnswer = InputMessage & { answer_mac?: string };

function macKey(secretKey: Buffer): Buffer {
  return createHmac('sha256', secretKey).update('baton launch mac v1').digest();
}

/** JSON with keys sorted at every level: the same spec gives the same bytes, whatever its key order. */
export function canonical(value: unknown): string {
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

/** v1 MACs are `scope\ncanonical`; v2 ones name their version and what they are bound to first. */
function mac(secretKey: Buffer, scope: string, covered: Record<string, unknown>, bound?: string): string {
  const head = bound === undefined ? scope : `${VERSION}\n${scope}\n${bound}`;
  return createHmac('sha256', macKey(secretKey))
    .update(`${head}\n${canonical(covered)}`)
    .digest('base64url');
}

function runCovered(spec: RunSpec): Record<string, unknown> {
  return without(spec, spec.channel ? CHANNEL_GRANT_FIELDS : []);
}

export function signRunSpec(spec: RunSpec, secretKey: Buffer, binding: RunBinding): RunSpec {
  const unsigned = without(spec, []) as unknown as RunSpec;
  const covered = runCovered(unsigned);
  if ('schedule' in binding) {
    if (!SCHEDULE_ID.test(binding.schedule)) throw new Error(`schedule id ${binding.schedule} cannot be named in a launch MAC`);
    return { ...unsigned, launch_mac: `${VERSION}.schedule.${binding.schedule}.${mac(secretKey, 'schedule', covered, binding.schedule)}` };
  }
  return { ...unsigned, launch_mac: `${VERSION}.run.${mac(secretKey, 'run', covered, binding.run)}` };
}

function pipelineCovered(spec: object, origin: PipelineOrigin): Record<string, unknown> {
  return { pipeline_id: origin.pipeline_id, pipeline_goal: origin.goal, ...without(spec, PIPELINE_STEP_FIELDS) };
}

export function signRoleSpec(role: RoleSpec, origin: PipelineOrigin, secretKey: Buffer): RoleSpec {
  const unsigned = without(role, []) as unknown as RoleSpec;
  const tag = mac(secretKey, 'pipeline', pipelineCovered(unsigned, origin), origin.pipeline_id);
  return { ...unsigned, launch_mac: `${VERSION}.pipeline.${origin.pipeline_id}.${tag}` };
}

/** Who may launch this spec: see LaunchAuthority. The launch guard checks what each binding names. */
export function launchAuthority(spec: RunSpec, secretKey: Buffer): LaunchAuthority {
  const given = spec.launch_mac;
  if (given === undefined || given === null) return { scope: 'unsigned' };
  if (typeof given !== 'string') return { scope: 'forged' };
  const parts = given.split('.');
  const [version, scope] = parts;
  if (version === VERSION && scope === 'run' && parts.length === 3) {
    const covered = runCovered(spec);
    return { scope: 'run', madeFor: (workflowId) => same(parts[2], mac(secretKey, 'run', covered, workflowId)) };
  }
  if (version === VERSION && scope === 'schedule' && parts.length === 4) {
    const scheduleId = parts[2];
    return same(parts[3], mac(secretKey, 'schedule', runCovered(spec), scheduleId)) ? { scope: 'schedule', schedule_id: scheduleId } : { scope: 'forged' };
  }
  if (version === V1 && scope === 'run' && parts.length === 3) {
    return same(parts[2], mac(secretKey, 'run', runCovered(spec))) ? { scope: 'unbound' } : { scope: 'forged' };
  }
  if ((version === VERSION || version === V1) && scope === 'pipeline' && parts.length === 4) {
    const pipelineId = parts[2];
    const tag = parts[3];
    const bound = version === VERSION ? pipelineId : undefined;
    return {
      scope: 'pipeline',
      pipeline_id: pipelineId,
      version,
      holdsForGoal: (goal) => same(tag, mac(secretKey, 'pipeline', pipelineCovered(spec, { pipeline_id: pipelineId, goal }), bound)),
    };
  }
  return { scope: 'forged' };
}

/** The message without its MAC: what the agent is sent, and what the MAC covers. */
export function answerMessage(answer: SignedAnswer): InputMessage {
  const { answer_mac: _mac, ...message } = answer;
  return message;
}

function answerTag(workflowId: string, message: InputMessage, secretKey: Buffer): string {
  return mac(secretKey, 'answer', { message }, workflowId);
}

/** The answer continue_run sends to run `workflowId`, with a MAC over that id and the message. */
export function signAnswer(workflowId: string, message: InputMessage, secretKey: Buffer): SignedAnswer {
  const plain = answerMessage(message);
  return { ...plain, answer_mac: `${VERSION}.answer.${answerTag(workflowId, plain, secretKey)}` };
}

/** Whether an answer's MAC holds for this run: 'unsigned' when it has none (release 0.2.0 signed no answers). */
export function answerAuthority(workflowId: string, answer: SignedAnswer, secretKey: Buffer): 'signed' | 'unsigned' | 'forged' {
  const given = answer.answer_mac;
  if (given === undefined || given === null) return 'unsigned';
  if (typeof given !== 'string' || !given.startsWith(`${VERSION}.answer.`)) return 'forged';
  return same(given.slice(`${VERSION}.answer.`.length), answerTag(workflowId, answerMessage(answer), secretKey)) ? 'signed' : 'forged';
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
