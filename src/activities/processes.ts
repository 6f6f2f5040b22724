// What Baton needs to know about processes, read from /proc: is an agent still the one we
// started, which processes belong to a run, and stopping all of them (docs/ARCHITECTURE.md). Where the
// machine allows it every run also has a cgroup (run-cgroups.ts), which holds the processes that
// shed their group and their environment too.
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { AgentHandle } from '../domain/event-batch.js';
import { cgroupPids, killCgroup, removeCgroup, runCgroupDir, runsWithCgroups } from './run-cgroups.js';

export interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
  /** Start time in clock ticks after boot: with the boot id, tells a reused pid from ours. */
  startTime: number;
  /** A kernel thread (PF_KTHREAD): never an agent's, and without an environment. */
  kernelThread: boolean;
}

/** The kernel's flag for its own threads, in stat's `flags` field (the 9th). */
const PF_KTHREAD = 0x00200000;

export async function readProcStat(pid: number): Promise<ProcStat | null> {
  return readProcStatNow(pid);
}

/*
 * A process's stat is read synchronously: the kernel makes it in microseconds without locking the
 * process's memory, while a read through libuv's thread pool (open, fstat, read, close, each a hop
 * and back) costs several times the CPU. Its environ is read through the pool: the kernel reads it
 * from the process's memory, under a lock a process stuck in the kernel can hold for as long as it
 * is stuck, which must not freeze the worker's main thread. Kernel threads have no environ and are
 * not read at all. Every run's end scans once (docs/PERFORMANCE.md).
 */
function readProcStatNow(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may itself hold spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0], pgrp: Number(fields[2]), startTime: Number(fields[19]), kernelThread: (Number(fields[6]) & PF_KTHREAD) !== 0 };
}

let cachedBootId: string | null = null;
export async function bootId(): Promise<string> {
  cachedBootId ??= (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => 'unknown')).trim();
  return cachedBootId;
}

function isLiveState(state: string): boolean {
  return state !== 'Z' && state !== 'X' && state !== 'x';
}

/** True while the agent's wrapper is the very process we started and has not exited. */
export async function isAgentAlive(agent: Pick<AgentHandle, 'pid' | 'start_time' | 'boot_id'>): Promise<boolean> {
  if (agent.boot_id !== (await bootId())) return false;
  const stat = await readProcStat(agent.pid);
  return stat !== null && isLiveState(stat.state) && stat.startTime === agent.start_time;
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

/**
 * Which processes are a run's: its agent's group, and anything that carries the run's id in its
 * environment (also after leaving the group) — and, when given, the host's id: two workers with
 * different host ids may share one machine, and each owns only its own agents.
 */
export interface RunMark {
  runId: string;
  hostId?: string;
}

function carriesMark(environ: string, mark: RunMark): boolean {
  const all = `\0${environ}\0`;
  if (!all.includes(`\0BATON_RUN_ID=${mark.runId}\0`)) return false;
  return mark.hostId === undefined || all.includes(`\0BATON_HOST_ID=${mark.hostId}\0`);
}

/** Live processes in the group, in the run's cgroup, and (anywhere) that carry the run's mark. */
export async function findRunProcesses(mark: RunMark, pgid: number | null): Promise<ProcStat[]> {
  const found: ProcStat[] = [];
  const cgroup = runCgroupDir(mark.hostId, mark.runId);
  const inCgroup = new Set(cgroup ? await cgroupPids(cgroup) : []);
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    const stat = readProcStatNow(pid);
    if (!stat || !isLiveState(stat.state)) continue;
    if ((pgid !== null && stat.pgrp === pgid) || inCgroup.has(pid)) {
      found.push(stat);
      continue;
    }
    if (!stat.kernelThread && carriesMark(await readEnviron(pid), mark)) found.push(stat);
  }
  return found;
}

function readEnviron(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
}

function signal(pid: number, sig: NodeJS.Signals, group: boolean): boolean {
  try {
    process.kill(group ? -pid : pid, sig);
    return true;
  } catch {
    return false;
  }
}

export interface StopOutcome {
  signalled: number;
  killed: boolean;
}

/**
 * SIGTERM to the group and to every straggler that left it, a grace period, then SIGKILL,
 * repeated until no process of the run is left. The group is checked before each signal, so a
 * recycled group id is never hit.
 */
export async function stopRunProcesses(mark: RunMark, pgid: number | null, graceMs: number): Promise<StopOutcome> {
  const cgroup = runCgroupDir(mark.hostId, mark.runId);
  let procs = await findRunProcesses(mark, pgid);
  const outcome: StopOutcome = { signalled: procs.length, killed: false };
  if (procs.length === 0) {
    if (cgroup) await removeCgroup(cgroup);
    return outcome;
  }
  sendAll(procs, pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await delay(Math.min(50, Math.max(1, deadline - Date.now())));
    procs = await findRunProcesses(mark, pgid);
    if (procs.length === 0) break;
  }
  for (let round = 0; round < 50 && procs.length > 0; round++) {
    outcome.killed = true;
    // The kernel kills the whole cgroup at once: nothing in it can fork its way out meanwhile.
    if (cgroup) await killCgroup(cgroup);
    sendAll(procs, pgid, 'SIGKILL');
    await delay(20);
    procs = await findRunProcesses(mark, pgid);
  }
  if (procs.length > 0) throw new Error(`processes ${procs.map((p) => p.pid).join(', ')} of run ${mark.runId} survived SIGKILL`);
  if (cgroup) await removeCgroup(cgroup);
  return outcome;
}

function sendAll(procs: ProcStat[], pgid: number | null, sig: NodeJS.Signals): void {
  // Signal the group only while one of its members is alive: a group id can be reused.
  if (pgid !== null && procs.some((p) => p.pgrp === pgid)) signal(pgid, sig, true);
  for (const proc of procs) signal(proc.pid, sig, false);
}

/** Every live process of this host's agents, by run: one pass over /proc for all runs, and the runs' cgroups. */
export async function processesByRun(hostId: string): Promise<Map<string, ProcStat[]>> {
  const byRun = new Map<string, ProcStat[]>();
  const seen = new Set<number>();
  for (const runId of await runsWithCgroups(hostId)) {
    const dir = runCgroupDir(hostId, runId)!;
    const live: ProcStat[] = [];
    for (const pid of await cgroupPids(dir)) {
      const stat = await readProcStat(pid);
      if (stat && isLiveState(stat.state)) live.push(stat);
    }
    if (live.length === 0) continue;
    byRun.set(runId, live);
    for (const stat of live) seen.add(stat.pid);
  }
  for (const pid of allPids()) {
    if (pid === process.pid || seen.has(pid)) continue;
    const stat = readProcStatNow(pid);
    if (!stat || !isLiveState(stat.state) || stat.kernelThread) continue;
    const environ = await readEnviron(pid);
    const match = /(?:^|\0)BATON_RUN_ID=([^\0]+)/.exec(environ);
    if (!match || !carriesMark(environ, { runId: match[1], hostId })) continue;
    const list = byRun.get(match[1]) ?? [];
    list.push(stat);
    byRun.set(match[1], list);
  }
  return byRun;
}
