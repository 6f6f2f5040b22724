// The real claude-bridge (PyPI claude-bridge-mcp 0.1.0), for comparing Baton's claude-bridge profile
// with it: installed on first use into a venv under the project's .cache (as scripts/ensure-temporal.mjs
// fetches the Temporal CLI there), so a fresh machine with python3 creates it itself.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { FAKE_CLAUDE, ROOT } from './env.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

export const CLAUDE_BRIDGE_VERSION = '0.1.0';
export const CLAUDE_BRIDGE_VENV = path.join(ROOT, '.cache', 'claude-bridge-venv');
/** Written once pip has installed the release: a venv without it is (re)installed into. */
const INSTALLED = path.join(CLAUDE_BRIDGE_VENV, `.claude-bridge-mcp-${CLAUDE_BRIDGE_VERSION}`);

/** Held (a directory: mkdir is atomic) by the test file that installs; the others wait for INSTALLED. */
const LOCK = `${CLAUDE_BRIDGE_VENV}.lock`;
/** A lock older than this was left by a run that died while installing. */
const STALE_LOCK_MS = 10 * 60_000;

/**
 * The claude-bridge command of the venv, creating the venv and installing the release first if need
 * be. Test files run in parallel: one installs, the others wait for it (a venv cannot be built
 * elsewhere and moved: its scripts name its path).
 */
export async function ensureClaudeBridge(): Promise<string> {
  const bin = path.join(CLAUDE_BRIDGE_VENV, 'bin', 'claude-bridge');
  const ready = () => existsSync(INSTALLED) && existsSync(bin);
  if (ready()) return bin;
  await mkdir(path.dirname(CLAUDE_BRIDGE_VENV), { recursive: true });
  for (;;) {
    if (ready()) return bin;
    if (await takeLock()) break;
    await waitFor(async () => ready() || !(await lockHeld()), {
      timeoutMs: STALE_LOCK_MS,
      intervalMs: 500,
      what: `another test file to install claude-bridge-mcp into ${CLAUDE_BRIDGE_VENV}`,
    });
  }
  try {
    if (ready()) return bin;
    if (!existsSync(path.join(CLAUDE_BRIDGE_VENV, 'bin', 'pip'))) await run('python3', ['-m', 'venv', CLAUDE_BRIDGE_VENV]);
    await run(path.join(CLAUDE_BRIDGE_VENV, 'bin', 'pip'), ['install', '--quiet', `claude-bridge-mcp==${CLAUDE_BRIDGE_VERSION}`, 'mcp<2'], { timeout: 300_000 });
    await writeFile(INSTALLED, `${new Date().toISOString()}\n`);
    return bin;
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

async function takeLock(): Promise<boolean> {
  try {
    await mkdir(LOCK);
    return true;
  } catch {
    // Left by a run that died mid-install: take it over.
    const age = await stat(LOCK).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await rm(LOCK, { recursive: true, force: true });
    return false;
  }
}

const lockHeld = () =>
  stat(LOCK).then(
    () => true,
    () => false,
  );

/**
 * The real claude-bridge over stdio, with its state in a temp dir, driven by the MCP SDK client the
 * tests use. `env` adds to its environment (CLAUDE_BRIDGE_CWD, a PATH whose `claude` is the fake, ...).
 */
export async function connectRealClaudeBridge(env: Record<string, string> = {}): Promise<{ client: Client; close(): Promise<void> }> {
  const bin = await ensureClaudeBridge();
  const state = await mkdtemp(path.join(os.tmpdir(), 'claude-bridge-state-'));
  const transport = new StdioClientTransport({
    command: bin,
    args: [],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: state, CLAUDE_BRIDGE_STATE: path.join(state, 'sessions.json'), ...env },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'baton-tests', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    close: async () => {
      await client.close();
      await rm(state, { recursive: true, force: true });
    },
  };
}

/**
 * A directory holding a `claude` that is Baton's fake claude CLI (a symlink), to put first on the
 * real claude-bridge's PATH: it runs `claude` from PATH (CLAUDE_BRIDGE_CLAUDE_BIN's default).
 */
export async function fakeClaudeOnPath(): Promise<{ dir: string; path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fake-claude-bin-'));
  await symlink(FAKE_CLAUDE, path.join(dir, 'claude'));
  return { dir, path: `${dir}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`, remove: () => rm(dir, { recursive: true, force: true }) };
}
