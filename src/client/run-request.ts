// From validated spawn arguments to a RunSpec: every check that needs the file system or
// Temporal (cwd, profile, output schema, the session's backend), and secrets sealed, before
// anything is started.
import type { Client } from '@temporalio/client';
import { backendConfigSchemas, type BackendConfig } from '../domain/backend-configs/index.js';
import { capabilitiesOf } from '../domain/backends.js';
import type { Backend } from '../domain/vocabulary.js';
import type { NotifySpec } from '../domain/notify.js';
import type { RunSpec } from '../domain/run-spec.js';
import { inputOf, spawnArgsOfSpec, spawnRunInputSchema, toRunSpec, type SpawnRunArgs } from '../domain/spawn-input.js';
import { urlHost } from '../domain/webhook.js';
import { compileSchema } from '../json-schema.js';
import { signRunSpec, type RunBinding } from '../secrets/launch-mac.js';
import { isSealed, seal, sealRecord, sealScopesOf, unseal, unsealRecord } from '../secrets/seal.js';
import { checkAddDirs, checkCwd, checkFileParts, resolveProfile } from './cwd.js';
import { InputError } from './errors.js';
import { listRuns } from './run-list.js';

export interface RunRequestContext {
  client: Client;
  allowedRoots: readonly string[];
  secretKey: Buffer;
  /** What the secrets are sealed for: the run's id, or the schedule or pipeline that will start it. */
  sealScope: string;
  /** What the spec's launch MAC is bound to: the run's workflow id, or the schedule that fires it. */
  binding: RunBinding;
}

export async function resolveRunSpec(ctx: RunRequestContext, args: SpawnRunArgs, extra: { parent?: string | null; sessionCostBaseline?: number | null } = {}): Promise<RunSpec> {
  const backendConfig = sealSecrets(backendConfigSchemas[args.backend].parse(args.backend_config ?? {}), args.backend, ctx.secretKey, ctx.sealScope);
  const cwd = await checkRunPaths({ cwd: args.cwd, backend: args.backend, backend_config: backendConfig }, ctx.allowedRoots);
  const profileText = await resolveProfile(args.profile, ctx.allowedRoots);
  if (args.input_message) checkFileParts('input_message', inputOf(args), ctx.allowedRoots);
  if (args.output_schema) checkOutputSchema(args.output_schema);
  if (args.session_mode === 'resume' && args.session_id) await checkSessionBackend(ctx.client, args.session_id, args.backend);
  const spec = toRunSpec(args, { cwd, profileText, backendConfig, parent: extra.parent ?? null, sessionCostBaseline: extra.sessionCostBaseline ?? null });
  return signRunSpec(spec, ctx.secretKey, ctx.binding);
}

/**
 * The paths a run uses (its cwd, codex add_dirs), checked against the allowed roots: at spawn time
 * and again by the worker before every launch, since a directory may have been swapped for a
 * symlink since. Returns the real cwd.
 */
export async function checkRunPaths(spec: Pick<RunSpec, 'cwd' | 'backend' | 'backend_config'>, allowedRoots: readonly string[]): Promise<string> {
  const cwd = await checkCwd(spec.cwd, allowedRoots);
  const config = spec.backend_config as Record<string, unknown>;
  for (const field of capabilitiesOf(spec.backend).path_lists) await checkAddDirs((config[field] as string[] | undefined) ?? [], allowedRoots, `backend_config.${field}`);
  return cwd;
}

/**
 * Everything spawn_run checks, run again on a spec a worker is about to launch, which came
 * through workflow history and may not have come from Baton at all: the same schema (options,
 * backend_config, input) and the same path checks. Throws InputError saying what is wrong.
 */
export async function recheckRunSpec(spec: RunSpec, allowedRoots: readonly string[]): Promise<string> {
  const parsed = spawnRunInputSchema.safeParse(spawnArgsOfSpec(spec));
  if (!parsed.success) {
    throw new InputError(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'spec'}: ${i.message}`).join('; '));
  }
  if (spec.output_schema) checkOutputSchema(spec.output_schema);
  return checkRunPaths(spec, allowedRoots);
}

function checkOutputSchema(schema: Record<string, unknown>): void {
  try {
    compileSchema(schema);
  } catch (err) {
    throw new InputError(`output_schema is not a valid JSON Schema: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A session id that Baton has seen belongs to one backend: resuming it with another is refused. */
async function checkSessionBackend(client: Client, sessionId: string, backend: string): Promise<void> {
  const owner = (await listRuns(client, { session: sessionId }, 1, null)).runs[0];
  if (owner && owner.backend !== backend) {
    throw new InputError(
      `session ${sessionId} is a ${owner.backend} session (run ${owner.run_id}), so backend "${backend}" cannot resume it: use backend "${owner.backend}", or start a new session`,
    );
  }
}

/** Notification headers are secrets too. */
export function sealedNotify(notify: NotifySpec | null, key: Buffer, scope: string): NotifySpec | null {
  if (!notify) return null;
  refuseSealed(notify.headers, 'notify_headers');
  return {
    ...notify,
    // The URL may hold a token in its path or query: only its host stays readable.
    url: seal(notify.url, key, { scope, field: 'notify_url' }),
    url_host: urlHost(notify.url),
    headers: sealRecord(notify.headers, key, scope, 'notify_headers'),
  };
}

/** A backend's secret options (its capabilities say which: a remote agent's headers and token) enter workflow history only sealed. */
function sealSecrets(config: BackendConfig, backend: Backend, key: Buffer, scope: string): BackendConfig {
  const { secret_records: records, secret_values: values } = capabilitiesOf(backend);
  if (records.length === 0 && values.length === 0) return config;
  const sealed: Record<string, unknown> = { ...config };
  for (const field of records) {
    const value = sealed[field] as Record<string, string> | undefined;
    if (value === undefined) continue;
    refuseSealed(value, `backend_config.${field}`);
    sealed[field] = sealRecord(value, key, scope, `backend_config.${field}`);
  }
  for (const field of values) {
    const value = sealed[field] as string | undefined;
    if (value === undefined) continue;
    refuseSealed({ [field]: value }, 'backend_config');
    sealed[field] = seal(value, key, { scope, field: `backend_config.${field}` });
  }
  return sealed as BackendConfig;
}

/**
 * A finished run's backend options with its secrets opened (for its scopes only), so that a
 * follow-up (continue_run) can seal them again for itself.
 */
export function openedBackendConfig(config: BackendConfig, backend: Backend, key: Buffer, runId: string): BackendConfig {
  const { secret_records: records, secret_values: values } = capabilitiesOf(backend);
  if (records.length === 0 && values.length === 0) return config;
  const scopes = sealScopesOf(runId);
  const opened: Record<string, unknown> = { ...config };
  for (const field of records) {
    const value = opened[field] as Record<string, string> | undefined;
    if (value !== undefined) opened[field] = unsealRecord(value, key, scopes, `backend_config.${field}`);
  }
  for (const field of values) {
    const value = opened[field] as string | undefined;
    if (value !== undefined) opened[field] = unseal(value, key, scopes, `backend_config.${field}`);
  }
  return opened as BackendConfig;
}

/**
 * Baton seals secrets itself, bound to the run and field they belong to. A caller's value in the
 * sealed format would have Baton open another run's secret for this one (a confused deputy).
 */
function refuseSealed(values: Record<string, string>, field: string): void {
  for (const [name, value] of Object.entries(values)) {
    if (isSealed(value)) {
      throw new InputError(
        `${field}.${name} is in Baton's sealed format ("baton-sealed:..."), which Baton never accepts from a caller: send the plain value, and Baton seals it for this run`,
      );
    }
  }
}
