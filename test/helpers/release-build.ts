// A released Baton, built from its own commit (helpers/releases.ts), for tests that run it next to
// the current build. The build goes to node_modules/.cache/baton-releases/<commit>/, inside the
// project, and is reused once a marker file says it finished.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from './env.js';
import type { Release } from './releases.js';

export interface ReleaseBuild extends Pick<Release, 'version' | 'commit'> {
  /** The release's source tree, built. */
  dir: string;
  /** Its `baton` command: dist/cli.js. */
  cli: string;
  /** True when an earlier build was reused. */
  reused: boolean;
  /** What this call did and how long each step took (ms). */
  steps: { step: string; ms: number }[];
}

const BUILDS_DIR = path.join(ROOT, 'node_modules', '.cache', 'baton-releases');
const MARKER = '.baton-release-build.json';
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface Marker {
  commit: string;
  /** linked: node_modules is the project's own (the lock files were identical); installed: its own. */
  dependencies: 'linked' | 'installed';
}

/** npm run by a test inherits npm's own variables (npm_config_local_prefix=ROOT among them): none may point npm at the project. */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_(config_local_prefix|package_|lifecycle_|command$)/.test(name) && name !== 'INIT_CWD'));
}

async function readMarker(dir: string): Promise<Marker | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, MARKER), 'utf8')) as Marker;
  } catch {
    return null;
  }
}

async function sameLockFile(dir: string): Promise<boolean> {
  const [old, current] = await Promise.all([readFile(path.join(dir, 'package-lock.json')), readFile(path.join(ROOT, 'package-lock.json'))]);
  return old.equals(current);
}

/**
 * Builds the release from its commit (or reuses the build made before): the source tree from
 * `git archive`, its dependencies, then its own build steps, tsc and the workflow bundle.
 */
export async function buildRelease({ version, commit }: Release): Promise<ReleaseBuild> {
  const release = { version, commit };
  const dir = path.join(BUILDS_DIR, release.commit);
  const cli = path.join(dir, 'dist', 'cli.js');
  const steps: { step: string; ms: number }[] = [];
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      steps.push({ step, ms: Math.round(performance.now() - start) });
    }
  };

  const marker = await readMarker(dir);
  // A build linked to the project's node_modules holds only while the lock files stay the same.
  if (marker?.commit === release.commit && existsSync(cli) && (marker.dependencies === 'installed' || (await sameLockFile(dir)))) {
    return { ...release, dir, cli, reused: true, steps };
  }

  const present = await execa('git', ['-C', ROOT, 'cat-file', '-e', `${release.commit}^{commit}`], { reject: false });
  if (present.exitCode !== 0) {
    throw new Error(
      `Baton ${release.version} is built from commit ${release.commit}, which this clone does not have ` +
        '(a shallow clone?). Run `git fetch --unshallow` (or fetch that commit) and try again.',
    );
  }

  // rm does not follow the node_modules symlink of an earlier, unfinished build.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await timed('git archive', () => execa('git', ['-C', ROOT, 'archive', release.commit]).pipe('tar', ['-x', '-C', dir]));

  let dependencies: Marker['dependencies'];
  if (await sameLockFile(dir)) {
    dependencies = 'linked';
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  } else {
    dependencies = 'installed';
    // Runtime dependencies only: the build below needs no types (see tsc), and the dev tools
    // (the real claude and codex CLIs among them) would double the install.
    const flags = ['--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'];
    const npm = (command: string) => execa('npm', [command, ...flags], { cwd: dir, env: npmEnv(), extendEnv: false, reject: false, all: true });
    const ci = await timed('npm ci', () => npm('ci'));
    if (ci.exitCode !== 0) {
      // A release whose lock file is out of step with its package.json (0.1.0 lacks @swc/core's
      // optional platform packages) cannot `npm ci`; `npm install`, as its README says to run,
      // keeps every locked version and adds what the lock lacks.
      if (!/EUSAGE|in sync/.test(ci.all ?? '')) throw new Error(`npm ci for Baton ${release.version} failed:\n${ci.all}`);
      const install = await timed('npm install (its lock file is out of sync with its package.json)', () => npm('install'));
      if (install.exitCode !== 0) throw new Error(`npm install for Baton ${release.version} failed:\n${install.all}`);
    }
  }

  // The release's own build, `tsc -p tsconfig.build.json && node scripts/bundle-workflows.mjs`,
  // with --noCheck: the emitted JavaScript is the same (isolatedModules), in a third of the time.
  await timed('tsc', () => execa(process.execPath, [TSC, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: dir }));
  await timed('workflow bundle', () => execa(process.execPath, ['scripts/bundle-workflows.mjs'], { cwd: dir }));
  const built: Marker = { commit: release.commit, dependencies };
  await writeFile(path.join(dir, MARKER), `${JSON.stringify(built)}\n`);
  return { ...release, dir, cli, reused: false, steps };
}
