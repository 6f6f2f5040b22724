// From validated spawn arguments to a RunSpec: every check that needs the file system or
// Temporal (cwd, profile, output schema, the session's backend), and secrets sealed, before
// anything is started.
import type { Client } from '@temporalio/client';
import { backendConfigSchemas, type BackendConfig, type CodexConfig, type RemoteA2aConfig } from '../domain/backend-configs/index.js';
import type { NotifySpec } from '../domain/notify.js';
import type { RunSpec } from '../domain/run-spec.js';
import { inputOf, spawnArgsOfSpec, spawnRunInputSchema, toRunSpec, type SpawnRunArgs } from '../domain/spawn-input.js';
import { compileSchema } from '../json-schema.js';
import { signRunSpec } from '../secrets/launch-mac.js';
import { seal, sealRecord } from '../secrets/seal.js';
import { checkAddDirs, checkCwd, checkFileParts, resolveProfile } from './cwd.js';
import { InputError } from './errors.js';
import { listRuns } from './run-list.js';

export interface RunRequestContext {
  client: Client;
  allowedRoots: readonly string[];
  secretKey: Buffer;
}

export async function resolveRunSpec(
  ctx: RunRequestContext,
  args: SpawnRunArgs,
  extra: { parent?: string | null; sessionCostBaseline?: number | null } = {},
): Promise<RunSpec> {
  const backendConfig = sealSecrets(backendConfigSchemas[args.backend].parse(args.backend_config ?? {}), args.backend, ctx.secretKey);
  const cwd = await checkRunPaths({ cwd: args.cwd, backend: args.backend, backend_config: backendConfig }, ctx.allowedRoots);
  const profileText = await resolveProfile(args.profile, ctx.allowedRoots);
  if (args.input_message) checkFileParts('input_message', inputOf(args), ctx.allowedRoots);
  if (args.output_schema) checkOutputSchema(args.output_schema);
  if (args.session_mode === 'resume' && args.session_id) await checkSessionBackend(ctx.client, args.session_id, args.backend);
  const spec = toRunSpec(args, { cwd, profileText, backendConfig, parent: extra.parent ?? null, sessionCostBaseline: extra.sessionCostBaseline ?? null });
  return signRunSpec(spec, ctx.secretKey);
}

/**
 * The paths a run uses (its cwd, codex add_dirs), checked against the allowed roots: at spawn time
 * and again by the worker before every launch, since a directory may have been swapped for a
 * symlink since. Returns the real cwd.
 */
export async function checkRunPaths(spec: Pick<RunSpec, 'cwd' | 'backend' | 'backend_config'>, allowedRoots: readonly string[]): Promise<string> {
  const cwd = await checkCwd(spec.cwd, allowedRoots);
  if (spec.backend === 'codex') await checkAddDirs((spec.backend_config as CodexConfig).add_dirs ?? [], allowedRoots);
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
export function sealedNotify(notify: NotifySpec | null, key: Buffer): NotifySpec | null {
  return notify ? { ...notify, headers: sealRecord(notify.headers, key) } : null;
}

/** Headers and tokens for remote agents enter workflow history only sealed. */
function sealSecrets(config: BackendConfig, backend: string, key: Buffer): BackendConfig {
  if (backend !== 'remote_a2a') return config;
  const a2a = config as RemoteA2aConfig;
  return {
    ...a2a,
    headers: sealRecord(a2a.headers, key),
    ...(a2a.bearer_token !== undefined ? { bearer_token: seal(a2a.bearer_token, key) } : {}),
  };
}
