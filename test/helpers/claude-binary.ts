// The real Claude Code CLI for the contract tests, fetched into the project cache on first use.
// It is not a devDependency: its npm package wants Node 22 (an EBADENGINE warning on every
// `npm install` under the Node 20 Baton supports) and its native binary is 364 MB that no user of
// Baton needs. `npm pack` fetches the platform package without any engine check or install script.
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './env.js';

/** The version the fixtures in test/fixtures/claude were recorded with. */
export const CLAUDE_CODE_VERSION = '2.1.330';

const run = promisify(execFile);

/** The path of the real `claude` binary for this platform, fetched once per clean clone. */
export async function realClaudeBinary(): Promise<string> {
  const pkg = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  const home = path.join(ROOT, '.cache', 'claude-code', CLAUDE_CODE_VERSION);
  const binary = path.join(home, 'package', 'claude');
  if (await exists(binary)) return binary;
  await mkdir(path.dirname(home), { recursive: true });
  // Unpack beside the final folder and rename, so an interrupted fetch never looks complete.
  const staging = await mkdtemp(`${home}.partial-`);
  try {
    const { stdout } = await run('npm', ['pack', `${pkg}@${CLAUDE_CODE_VERSION}`, '--silent', '--pack-destination', staging], { cwd: staging, maxBuffer: 1 << 20 });
    const tarball = path.join(staging, stdout.trim().split('\n').pop()!);
    await run('tar', ['-xzf', tarball, '-C', staging]);
    await rm(tarball);
    await rm(home, { recursive: true, force: true });
    await rename(staging, home);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`could not fetch ${pkg}@${CLAUDE_CODE_VERSION} from the npm registry for the contract tests: ${err instanceof Error ? err.message : String(err)}`);
  }
  return binary;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
