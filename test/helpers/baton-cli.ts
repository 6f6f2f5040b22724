// The `baton` command as a person runs it: the real binary as a subprocess, in a pipe (no colour,
// no progress line) or on a pseudo-terminal made by util-linux `script`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI, type TestEnv } from './env.js';

export interface Ran {
  code: number | null;
  stdout: string;
  /** Empty on a terminal: there stderr is merged into stdout. */
  stderr: string;
}

async function collect(command: string, args: string[], env: TestEnv, extraEnv: Record<string, string>): Promise<Ran> {
  const child = spawn(command, args, { env: { ...env.env, ...extraEnv }, cwd: env.workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** `baton <args>` with stdout and stderr as pipes. */
export function runBaton(env: TestEnv, args: string[], extraEnv: Record<string, string> = {}): Promise<Ran> {
  return collect(process.execPath, [CLI, ...args], env, extraEnv);
}

/** `baton <args>` on a terminal (stdout and stderr both the pseudo-terminal, read as one). */
export function runBatonOnTerminal(env: TestEnv, args: string[], extraEnv: Record<string, string> = {}): Promise<Ran> {
  const line = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return collect('script', ['-qec', line, '/dev/null'], env, extraEnv);
}
