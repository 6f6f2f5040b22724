// Jobs, claude-bridge's word for a run: a RunView shown as claude-bridge's get_dispatch dict, and a
// dispatch's arguments turned into spawn_run's, checked by spawn_run's own schema.
import { createHash } from 'node:crypto';
import type { RunView } from '../../../domain/run-view.js';
import { BRIDGE_CHANNEL_KEY, BRIDGE_PERMISSION_KEY, BRIDGE_TIMEOUT_KEY, PROFILE_KEY, bridgeStatusOf, epochSeconds } from '../../../domain/claude-bridge.js';
import { spawnRunInputSchema, type SpawnRunArgs } from '../../../domain/spawn-input.js';
import { isFinalStatus } from '../../../domain/vocabulary.js';
import { describeIssues } from '../../input-issues.js';

/** Where a job runs and how, when its call does not say (CLAUDE_BRIDGE_CWD, CLAUDE_BRIDGE_DEFAULT_PERMISSION_MODE). */
export interface ClaudeBridgeDefaults {
  cwd: string;
  permissionMode: string;
}

/** What dispatch, dispatch_async and schedule_dispatch take for the run itself. */
export interface JobArgs {
  prompt: string;
  channel: string;
  timeout_seconds: number;
  permission_mode?: string | null | undefined;
  cwd?: string | null | undefined;
  notify_url?: string | null | undefined;
  notify_on?: string[] | null | undefined;
  notify_headers?: Record<string, string> | null | undefined;
}

export type Checked<T> = { ok: true; args: T } | { ok: false; error: string };

/**
 * spawn_run's arguments for a job: a claude_code run, a turn of `channel` (unless `asTurn` is
 * false: a schedule's runs), labelled with the profile and claude-bridge's args. Checked by
 * spawn_run's schema, so a bad value is refused as spawn_run refuses it, naming the field.
 */
export function spawnArgsOf(job: JobArgs, defaults: ClaudeBridgeDefaults, opts: { asTurn: boolean }): Checked<Record<string, unknown>> {
  if (job.prompt.trim() === '') return { ok: false, error: 'prompt is empty' };
  if (job.channel.trim() === '') return { ok: false, error: 'channel is empty' };
  if (job.channel.length > MAX_CHANNEL_CHARS) return { ok: false, error: `channel is too long: at most ${MAX_CHANNEL_CHARS} characters` };
  const permissionMode = job.permission_mode ?? defaults.permissionMode;
  const args: Record<string, unknown> = {
    prompt: job.prompt,
    backend: 'claude_code',
    cwd: job.cwd ?? defaults.cwd,
    permission_mode: permissionMode,
    timeout_seconds: job.timeout_seconds,
    metadata: {
      [PROFILE_KEY]: 'claude-bridge',
      [BRIDGE_CHANNEL_KEY]: job.channel,
      [BRIDGE_TIMEOUT_KEY]: String(job.timeout_seconds),
      [BRIDGE_PERMISSION_KEY]: permissionMode,
    },
  };
  if (opts.asTurn) args.channel = batonChannel(job.channel);
  if (job.notify_url != null) args.notify_url = job.notify_url;
  if (job.notify_on != null) args.notify_on = job.notify_on;
  if (job.notify_headers != null) args.notify_headers = job.notify_headers;
  return { ok: true, args };
}

/** A job's spawn_run arguments, checked by spawn_run's schema. */
export function jobSpawnArgs(job: JobArgs, defaults: ClaudeBridgeDefaults, opts: { asTurn: boolean }): Checked<SpawnRunArgs> {
  const raw = spawnArgsOf(job, defaults, opts);
  return raw.ok ? checkedSpawnArgs(raw.args) : raw;
}

/** spawn_run's schema on the arguments: the parsed ones, or its refusal naming the fields. */
export function checkedSpawnArgs(args: Record<string, unknown>): Checked<SpawnRunArgs> {
  const parsed = spawnRunInputSchema.safeParse(args);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error.issues).join('; ') };
  return { ok: true, args: parsed.data };
}

/** A claude-bridge channel name (any string) kept in a run's metadata, whose values hold 1000 characters. */
export const MAX_CHANNEL_CHARS = 1000;
const BATON_CHANNEL_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const HASHED_PREFIX = 'cb-';

/**
 * The Baton channel of a claude-bridge channel: the same name when Baton's rules allow it (1-100
 * letters, digits, ".", "_" or "-"), else "cb-" and a digest of it, so that any name claude-bridge
 * takes ("feature/auth", "PR #12") is a channel of its own. The name itself is in each run's metadata.
 */
export function batonChannel(name: string): string {
  return BATON_CHANNEL_NAME.test(name) ? name : `${HASHED_PREFIX}${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}

/** Whether a Baton channel is the digest of a claude-bridge name (its runs' metadata has the name). */
export function isHashedChannel(channel: string): boolean {
  return /^cb-[0-9a-f]{32}$/.test(channel);
}

/** The channel claude-bridge would name: the one the profile labelled the run with, else the run's channel. */
export function channelOf(view: Pick<RunView, 'channel' | 'metadata'>): string {
  return view.metadata[BRIDGE_CHANNEL_KEY] ?? view.channel ?? 'default';
}

/** claude-bridge's `args` of a job: {channel, timeout_seconds, permission_mode, cwd, session_id}. */
function argsOf(view: RunView): Record<string, unknown> {
  const timeout = view.metadata[BRIDGE_TIMEOUT_KEY];
  return {
    channel: channelOf(view),
    timeout_seconds: timeout !== undefined ? Number(timeout) : null,
    permission_mode: view.metadata[BRIDGE_PERMISSION_KEY] ?? null,
    cwd: view.cwd,
    session_id: view.session_id,
  };
}

/** claude-bridge's get_dispatch dict for a run (`_live_status` / `_persisted_status`). */
export function jobOf(view: RunView, now: Date = new Date()): Record<string, unknown> {
  const base = { job_id: view.run_id, channel: channelOf(view), started_at: epochSeconds(view.created_at), args: argsOf(view) };
  if (!isFinalStatus(view.status)) {
    return { ...base, status: 'running', elapsed_ms: Math.max(0, now.getTime() - Date.parse(view.created_at)) };
  }
  const result = view.result;
  const finished = { ...base, finished_at: epochSeconds(view.finished_at ?? result?.finished_at ?? null) };
  const status = bridgeStatusOf(view.status, view.error ?? result?.error ?? null, result?.failure_kind);
  if (status !== 'done') {
    return { ...finished, status, ok: false, error: view.error ?? result?.error ?? `job ended with status='${status}'` };
  }
  return { ...finished, status: 'done', ...dispatchResultOf(view) };
}

/** claude-bridge's DispatchResult.to_dict() for a finished run: the sync dispatch's answer. */
export function dispatchResultOf(view: RunView): Record<string, unknown> {
  const result = view.result;
  const common = { channel: channelOf(view), duration_ms: result?.elapsed_ms ?? view.elapsed_ms ?? 0 };
  if (view.status === 'completed') {
    return { ok: true, ...common, result: result?.output ?? '', session_id: result?.session_id ?? view.session_id };
  }
  const exitCode = result?.exit_code ?? null;
  return { ok: false, ...common, error: errorOf(view), ...(exitCode !== null ? { exit_code: exitCode } : {}) };
}

function errorOf(view: RunView): string {
  if (view.status === 'timed_out') {
    const timeout = view.metadata[BRIDGE_TIMEOUT_KEY];
    if (timeout !== undefined) return `timeout after ${timeout}s`;
  }
  return view.error ?? view.result?.error ?? `job ended with status='${bridgeStatusOf(view.status, null)}'`;
}
