// A test's own Baton setup on the shared dev server: its own data dir, allowed root, task queue
// and host id, so test files running in parallel never take each other's work.
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig, type BatonConfig } from '../../src/config.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const FAKE_CLAUDE = path.join(ROOT, 'test', 'fixtures', 'bin', 'fake-claude.mjs');
export const FAKE_AGENT = path.join(ROOT, 'test', 'fixtures', 'bin', 'fake-agent.mjs');
export const FAKE_CODEX = path.join(ROOT, 'test', 'fixtures', 'bin', 'fake-codex.mjs');

export interface TestEnv {
  address: string;
  dataDir: string;
  /** The allowed root: runs' cwd lives here. */
  workDir: string;
  env: NodeJS.ProcessEnv;
  config: BatonConfig;
  cleanup(): Promise<void>;
}

export async function makeTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const address = inject('temporalAddress');
  const dataDir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'baton-data-')));
  const workDir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'baton-work-')));
  const id = randomBytes(4).toString('hex');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    BATON_DATA_DIR: dataDir,
    BATON_ALLOWED_ROOTS: workDir,
    BATON_TASK_QUEUE: `test-${id}`,
    BATON_HOST_ID: `host-${id}`,
    BATON_HEARTBEAT_TIMEOUT_SECONDS: '5',
    BATON_KILL_GRACE_SECONDS: '1',
    BATON_CLAUDE_BIN: FAKE_CLAUDE,
    FAKE_CLAUDE_STATE_DIR: path.join(dataDir, 'fake-claude'),
    BATON_CODEX_BIN: FAKE_CODEX,
    FAKE_CODEX_STATE_DIR: path.join(dataDir, 'fake-codex'),
    BATON_LOG_LEVEL: 'WARN',
    BATON_SECRET_KEY: randomBytes(32).toString('base64'),
    ...overrides,
  };
  return {
    address,
    dataDir,
    workDir,
    env,
    config: loadConfig(env, workDir),
    cleanup: async () => {
      await rm(dataDir, { recursive: true, force: true });
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** backend_config for the command backend running the fake agent with these flags. */
export function fakeAgent(...flags: string[]): { command: string[] } {
  return { command: [process.execPath, FAKE_AGENT, ...flags] };
}
