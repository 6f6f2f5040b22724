// Starting an agent so that it never depends on the worker: detached in its own process group,
// under a tiny shell wrapper that records its exit status, stdin from a 0600 prompt file and
// stdout/stderr written straight to files (docs/ARCHITECTURE.md).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentHandle } from '../domain/event-batch.js';
import type { AgentExit } from '../domain/run-ledger.js';
import type { LaunchPlan } from './backends/types.js';
import { LaunchError } from './launch-error.js';
import { bootId, readProcStat } from './processes.js';
import { createRunCgroup } from './run-cgroups.js';

/**
 * Waits for the agent and writes its exit status. While the agent runs, SIGTERM/SIGINT/SIGHUP get
 * a no-op handler, not an ignore: the shell survives a group-wide SIGTERM to record the status,
 * and the agent (whose handlers reset on exec) still receives the signal normally. Afterwards
 * they are ignored, and the status is written by shell builtins only: no child process that a
 * second SIGTERM could kill half-way.
 */
const WRAPPER_SCRIPT = [
  "trap ':' TERM INT HUP",
  'exit_file=$1; cgroup_procs=$2; shift 2',
  // Into the run's cgroup before the agent starts, so that everything it starts is born there.
  'if [ -n "$cgroup_procs" ]; then { echo $$ > "$cgroup_procs"; } 2>/dev/null || echo "baton: could not join the run\'s cgroup; its processes are tracked by BATON_RUN_ID only" >&2; fi',
  '"$@"',
  'code=$?',
  "trap '' TERM INT HUP",
  `printf '%s\\n' "$code" > "$exit_file"`,
].join('\n');

export const runFiles = (runDir: string) => ({
  prompt: path.join(runDir, 'prompt'),
  stdout: path.join(runDir, 'stdout.log'),
  stderr: path.join(runDir, 'stderr.log'),
  exitStatus: path.join(runDir, 'exit_status'),
  agent: path.join(runDir, 'agent.json'),
});

export async function launchAgent(opts: {
  runId: string;
  launch: number;
  runDir: string;
  host: string;
  cwd: string;
  plan: LaunchPlan;
  /** The agent's whole environment (agentEnvironment): never the worker's own as it is. */
  env: Record<string, string>;
}): Promise<AgentHandle> {
  const { runId, runDir, plan } = opts;
  const files = runFiles(runDir);
  await assertDirectory(opts.cwd);
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  await rm(files.exitStatus, { force: true });
  await writeFileAtomically(files.prompt, plan.input, 0o600);

  const stdin = await open(files.prompt, constants.O_RDONLY);
  const stdout = await open(files.stdout, 'a', 0o600);
  const stderr = await open(files.stderr, 'a', 0o600);
  try {
    const stdoutStart = (await stdout.stat()).size;
    const cgroup = await createRunCgroup(opts.host, runId);
    const cgroupProcs = cgroup ? path.join(cgroup, 'cgroup.procs') : '';
    const child = spawn('/bin/sh', ['-c', WRAPPER_SCRIPT, 'baton-agent', files.exitStatus, cgroupProcs, plan.file, ...plan.args], {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: [stdin.fd, stdout.fd, stderr.fd],
    });
    await Promise.race([once(child, 'spawn'), once(child, 'error').then(([err]) => Promise.reject(err as Error))]);
    child.unref();
    const stat = await readProcStat(child.pid!);
    const handle: AgentHandle = {
      launch: opts.launch,
      host: opts.host,
      pid: child.pid!,
      start_time: stat?.startTime ?? 0,
      boot_id: await bootId(),
      run_dir: runDir,
      launched_at: new Date().toISOString(),
      stdout_start: stdoutStart,
    };
    await writeFileAtomically(files.agent, JSON.stringify(handle), 0o600);
    return handle;
  } finally {
    await Promise.all([stdin.close(), stdout.close(), stderr.close()]);
  }
}

/** The agent this host launched for the run, as recorded in its run directory. */
export async function readAgentHandle(runDir: string): Promise<AgentHandle | null> {
  try {
    return JSON.parse(await readFile(runFiles(runDir).agent, 'utf8')) as AgentHandle;
  } catch {
    return null;
  }
}

const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

/** The exit status the wrapper wrote, or null while the agent runs (or if it died with the wrapper). */
export async function readExitStatus(runDir: string): Promise<AgentExit | null> {
  let text: string;
  try {
    text = await readFile(runFiles(runDir).exitStatus, 'utf8');
  } catch {
    return null;
  }
  const code = Number.parseInt(text.trim(), 10);
  if (!Number.isFinite(code)) return null;
  // sh reports a child killed by signal N as 128+N.
  const signal = code > 128 ? (SIGNAL_NAMES[code - 128] ?? `signal ${code - 128}`) : null;
  return { exit_code: code, signal };
}

async function assertDirectory(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => null);
  if (!info?.isDirectory()) throw new LaunchError(`cwd ${cwd} is not an existing directory on this host`);
}

async function writeFileAtomically(file: string, content: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content, { mode });
  await rename(temp, file);
}
