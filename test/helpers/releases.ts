// Baton's releases as the repository records them: test/fixtures/histories/<version>/release.json
// names the commit each release was built from (docs/ARCHITECTURE.md, "Changing workflow code").
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './env.js';

export const HISTORIES_DIR = path.join(ROOT, 'test', 'fixtures', 'histories');

export interface Release {
  version: string;
  commit: string;
  /** Its folder of recorded histories. */
  dir: string;
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.-]/).map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Every recorded release, oldest first. */
export function releases(): Release[] {
  const found = readdirSync(HISTORIES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = path.join(HISTORIES_DIR, entry.name);
      const file = path.join(dir, 'release.json');
      const { version, commit } = JSON.parse(readFileSync(file, 'utf8')) as Partial<Release>;
      if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version) || typeof commit !== 'string' || !/^[0-9a-f]{40}$/.test(commit)) {
        throw new Error(`${file} must hold {"version": "x.y.z", "commit": "<40 hex digits>"}`);
      }
      return { version, commit, dir };
    })
    .sort((a, b) => compareVersions(a.version, b.version));
  if (found.length === 0) throw new Error(`no release is recorded under ${HISTORIES_DIR}`);
  return found;
}

/** The oldest release Baton still upgrades from with work in flight. */
export function oldestRelease(): Release {
  return releases()[0];
}
