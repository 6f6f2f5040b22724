// The `baton` command inside agents: a small shell script in the data directory that runs this
// worker's build (dist/cli.js) with this worker's node, so `baton peer ...` works in every agent
// whatever is on the host's PATH. agentEnvironment puts its directory first on the agent's PATH.
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The directory under the data dir that holds the shim. */
export function peerBinDir(dataDir: string): string {
  return path.join(dataDir, 'agent-bin');
}

/**
 * Writes `<dataDir>/agent-bin/baton` (atomically: an agent running the old one is not disturbed)
 * and returns its directory; null when this build has no dist/cli.js (run from the sources).
 */
export async function writePeerShim(dataDir: string, packageRoot: string, node = process.execPath): Promise<string | null> {
  if (process.platform === 'win32') return null;
  const cli = path.join(packageRoot, 'dist', 'cli.js');
  if (!existsSync(cli)) return null;
  const dir = peerBinDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const script = `#!/bin/sh\n# Written by the Baton worker: \`baton\` for agents (baton peer ...), run by this worker's build.\nexec ${shellQuote(node)} ${shellQuote(cli)} "$@"\n`;
  const temp = path.join(dir, `.baton-${randomBytes(4).toString('hex')}`);
  await writeFile(temp, script, { mode: 0o755 });
  await chmod(temp, 0o755);
  await rename(temp, path.join(dir, 'baton'));
  return dir;
}
