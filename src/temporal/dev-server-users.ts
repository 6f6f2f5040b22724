// Which Baton processes use a data dir's dev server right now: one empty file per process under
// <data dir>/temporal/users, named by its pid and start time. The supervising Baton reads them when
// it exits, to know whether to stop the server (no one else uses it) or leave it to the sessions
// that remain. A file whose process is gone (kill -9) is ignored and removed: the pid is believed
// only with its start time, as the ownership record does (dev-server-owner.ts).
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isSameProcess, selfAsOwner } from './dev-server-owner.js';

const USERS = 'users';

/** Registers this process as a user of the dev server of `dir`; returns how to unregister. */
export async function registerUser(dir: string): Promise<() => Promise<void>> {
  const self = await selfAsOwner();
  const file = path.join(dir, USERS, `${self.ownerPid}-${self.ownerStartTime ?? 0}`);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, '');
  let registered = true;
  return async () => {
    if (!registered) return;
    registered = false;
    await rm(file, { force: true });
  };
}

/** The pids of the other live processes registered on `dir` (dead entries are removed on the way). */
export async function otherLiveUsers(dir: string): Promise<number[]> {
  const live: number[] = [];
  for (const name of await readdir(path.join(dir, USERS)).catch(() => [] as string[])) {
    const m = /^(\d+)-(\d+)$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const startTime = Number(m[2]) || undefined;
    if (pid === process.pid) continue;
    if (await isSameProcess(pid, startTime)) live.push(pid);
    else await rm(path.join(dir, USERS, name), { force: true });
  }
  return live;
}
