// The peer: the real claude-bridge (PyPI claude-bridge-mcp 0.1.0) in a venv under the project's
// .cache (the same one the tests use; python3 makes it on first use), driven over stdio, and a
// `claude` that is Baton's fake Claude Code CLI (test/fixtures/bin/fake-claude.mjs) first on its PATH.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { connectStdio } from './mcp.mjs';

const run = promisify(execFile);
export const CLAUDE_BRIDGE_VERSION = '0.1.0';

/** The venv's claude-bridge command, installing the release first if need be. */
export async function ensureClaudeBridge(batonRoot) {
  const venv = path.join(batonRoot, '.cache', 'claude-bridge-venv');
  const bin = path.join(venv, 'bin', 'claude-bridge');
  const installed = path.join(venv, `.claude-bridge-mcp-${CLAUDE_BRIDGE_VERSION}`);
  if (existsSync(installed) && existsSync(bin)) return bin;
  await mkdir(path.dirname(venv), { recursive: true });
  if (!existsSync(path.join(venv, 'bin', 'pip'))) await run('python3', ['-m', 'venv', venv]);
  await run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', `claude-bridge-mcp==${CLAUDE_BRIDGE_VERSION}`, 'mcp<2'], { timeout: 300_000 });
  await writeFile(installed, `${new Date().toISOString()}\n`);
  return bin;
}

/** The fake claude as `claude` in a directory of its own, and the real claude-bridge over stdio with it first on PATH. */
export async function startClaudeBridge(batonRoot, workDir) {
  const bin = await ensureClaudeBridge(batonRoot);
  const home = await mkdtemp(path.join(os.tmpdir(), 'bench-claude-bridge-'));
  const binDir = path.join(home, 'bin');
  await mkdir(binDir);
  const fakeClaude = path.join(batonRoot, 'test', 'fixtures', 'bin', 'fake-claude.mjs');
  await symlink(fakeClaude, path.join(binDir, 'claude'));
  const env = {
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    CLAUDE_BRIDGE_STATE: path.join(home, 'sessions.json'),
    CLAUDE_BRIDGE_CWD: workDir,
    FAKE_CLAUDE_STATE_DIR: path.join(home, 'fake-claude'),
  };
  const { client, pid } = await connectStdio({ command: bin, args: [], env, cwd: workDir, stderr: 'ignore' });
  return {
    client,
    pid,
    fakeClaude,
    fakeClaudeState: env.FAKE_CLAUDE_STATE_DIR,
    close: async () => {
      await client.close().catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A claude-bridge tool's dict: its JSON text (claude-bridge's FastMCP answers in text; Baton's profile also in structuredContent). */
export async function bridgeCall(client, name, args = {}) {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 });
  const text = result.content.map((c) => c.text).join('\n');
  if (result.isError) throw new Error(`${name}: ${text}`);
  return JSON.parse(text);
}
