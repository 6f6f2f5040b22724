// A cgroup (v2) per run, where the machine allows it: every process an agent starts stays in its
// run's cgroup whatever it does to its environment, session or process group, and `cgroup.kill`
// ends them all at once. Where it is not allowed (no cgroup2 mount, no write access, a kernel
// before 5.14 without cgroup.kill), Baton falls back to the /proc sweep of processes.ts, which
// finds a run's processes by their group and the BATON_RUN_ID they inherit.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export type ProcessTracking = { mode: 'cgroup'; base: string } | { mode: 'sweep'; reason: string };

/** The base directory under which each host keeps one cgroup per run, when cgroups are in force. */
let cgroupBase: string | null = null;

export function runCgroupsBase(): string | null {
  return cgroupBase;
}

/** The run's cgroup directory on this host, when cgroups are in force. */
export function runCgroupDir(hostId: string | undefined, runId: string): string | null {
  if (cgroupBase === null || hostId === undefined) return null;
  return path.join(cgroupBase, hostId, runId);
}

/** Where cgroup v2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host). */
async function cgroup2Mount(): Promise<string | null> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  for (const line of mounts.split('\n')) {
    const [before, after] = line.split(' - ');
    if (after?.split(' ')[0] === 'cgroup2') return before.split(' ')[4];
  }
  return null;
}

/**
 * Decides how this worker tracks agent processes: `setting` is BATON_CGROUPS ("auto", "off", or
 * the absolute path of a cgroup2 directory Baton may create cgroups in). "auto" uses
 * <cgroup2 mount>/baton after proving that it can create a cgroup there, move a process into it
 * and kill it with cgroup.kill.
 */
export async function setUpRunCgroups(setting: string, hostId: string): Promise<ProcessTracking> {
  cgroupBase = null;
  if (setting === 'off') return { mode: 'sweep', reason: 'BATON_CGROUPS=off' };
  let base = setting;
  if (setting === 'auto') {
    const mount = await cgroup2Mount();
    if (!mount) return { mode: 'sweep', reason: 'no cgroup v2 file system is mounted' };
    base = path.join(mount, 'baton');
  }
  try {
    await probe(path.join(base, hostId));
  } catch (err) {
    const reason = `cannot use cgroups under ${base}: ${err instanceof Error ? err.message : String(err)}`;
    if (setting !== 'auto') throw new Error(`BATON_CGROUPS: ${reason}`);
    return { mode: 'sweep', reason };
  }
  cgroupBase = base;
  return { mode: 'cgroup', base };
}

/** A throwaway cgroup, a sleeping process moved into it, killed with cgroup.kill. */
async function probe(hostDir: string): Promise<void> {
  const dir = path.join(hostDir, `.probe-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    await Promise.race([once(child, 'spawn'), once(child, 'error').then(([err]) => Promise.reject(err as Error))]);
    await writeFile(path.join(dir, 'cgroup.procs'), `${child.pid}\n`);
    await access(path.join(dir, 'cgroup.kill'));
    const exited = once(child, 'exit');
    await writeFile(path.join(dir, 'cgroup.kill'), '1\n');
    await Promise.race([exited, delay(5000).then(() => Promise.reject(new Error('cgroup.kill did not stop the probe process')))]);
  } finally {
    child.kill('SIGKILL');
    await removeCgroup(dir);
    // (runs make the host's directory again as they need it)
    await rmdir(hostDir).catch(() => undefined);
  }
}

/** Makes the run's cgroup (the wrapper moves itself into it before it starts the agent). */
export async function createRunCgroup(hostId: string, runId: string): Promise<string | null> {
  const dir = runCgroupDir(hostId, runId);
  if (dir === null) return null;
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Every pid in the cgroup and the cgroups below it (an agent with the rights may make some). */
export async function cgroupPids(dir: string): Promise<number[]> {
  const pids = (await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) pids.push(...(await cgroupPids(path.join(dir, entry.name))));
  }
  return pids;
}

/** SIGKILL to every process in the cgroup and below it, at once, by the kernel. */
export async function killCgroup(dir: string): Promise<void> {
  await writeFile(path.join(dir, 'cgroup.kill'), '1\n').catch(() => undefined);
}

/** Removes an empty cgroup and the empty ones below it; one that still holds processes stays. */
export async function removeCgroup(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await removeCgroup(path.join(dir, entry.name));
  }
  await rmdir(dir).catch(() => undefined);
}

/** The run ids that have a cgroup on this host (for the orphan sweep). */
export async function runsWithCgroups(hostId: string): Promise<string[]> {
  if (cgroupBase === null) return [];
  const entries = await readdir(path.join(cgroupBase, hostId), { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
}
