#!/usr/bin/env node
// Captures the workflow histories of this release from real runs on a fresh dev server, into
// test/fixtures/histories/<version>/ (the version in package.json), for the replay test.
// See docs/ARCHITECTURE.md, "Changing workflow code", for when to run it.
//
//   npm run capture-histories            capture this version's histories (refuses to overwrite)
//   npm run capture-histories -- --force capture again over this version's folder
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.join(root, 'test', 'fixtures', 'histories', version);
const force = process.argv.includes('--force');

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
// The histories stand for the workflow code of one commit, which the upgrade test builds again:
// uncommitted workflow code would make them stand for nothing that can be rebuilt.
const dirty = git('status', '--porcelain', '--', 'src/workflows', 'src/domain');
if (dirty) {
  console.error(`capture-histories: commit the workflow code first; these files differ from HEAD:\n${dirty}`);
  process.exit(1);
}
if (existsSync(out) && !force) {
  console.error(`capture-histories: ${path.relative(root, out)} exists; bump the version in package.json for a new release, or pass --force to capture this one again`);
  process.exit(1);
}
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const run = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'test/capture/vitest.config.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, BATON_HISTORY_DIR: out },
});
if (run.status !== 0) {
  console.error('capture-histories: a capture failed; nothing is kept');
  await rm(out, { recursive: true, force: true });
  process.exit(1);
}
const release = { version, commit: git('rev-parse', 'HEAD'), captured_at: new Date().toISOString() };
await writeFile(path.join(out, 'release.json'), `${JSON.stringify(release, null, 2)}\n`);
console.log(`capture-histories: histories of ${version} (${release.commit.slice(0, 12)}) in ${path.relative(root, out)}`);
