// Who a stdio `baton mcp` is, across its restarts, and what it has already pushed.
//
// The identity is BATON_SESSION when set, else one per working directory (a hash of its real
// path): Claude Code launches its stdio servers in the project directory, so a Claude Code that
// restarts in the same project is the same session and hears about the runs its predecessor
// started. Two clients in one directory share a session (and both hear of each other's runs):
// give each its own BATON_SESSION to keep them apart. The identity goes into each run's memo at
// start (ORIGIN_MEMO_KEY); the state below lives in <data dir>/push/<session>.json.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function pushSessionId(given: string | null, cwd: string): string {
  if (given) return given;
  let dir = cwd;
  try {
    dir = realpathSync(cwd);
  } catch {
    // a directory removed under us: its name still identifies the session
  }
  return `dir-${createHash('sha256').update(dir).digest('hex').slice(0, 20)}`;
}

/** What a session has pushed: survives restarts, so an end is pushed once and none is lost. */
export interface PushState {
  /** ISO time: closes at or after it are looked at (a little before the last look, for visibility's lag). */
  since: string;
  /** Ends already pushed, `<id>:<status>` → close time (pruned once older than `since`). */
  ended: Record<string, string>;
  /** Waits already pushed and still in force, `<id>:<status>`. */
  waiting: string[];
}

export function pushStateFile(dataDir: string, session: string): string {
  return path.join(dataDir, 'push', `${session}.json`);
}

export function loadPushState(file: string, now: Date): PushState {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PushState>;
    if (typeof parsed.since === 'string' && !Number.isNaN(Date.parse(parsed.since))) {
      return {
        since: parsed.since,
        ended: parsed.ended && typeof parsed.ended === 'object' ? parsed.ended : {},
        waiting: Array.isArray(parsed.waiting) ? parsed.waiting.filter((k) => typeof k === 'string') : [],
      };
    }
  } catch {
    // first start of this session, or a file cut short: start from now
  }
  return { since: now.toISOString(), ended: {}, waiting: [] };
}

/** Written whole to a temporary file and renamed, so a crash leaves the old state or the new. */
export function savePushState(file: string, state: PushState): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  renameSync(tmp, file);
}
