#!/usr/bin/env node
// Bundles the compiled workflows once at build time, so workers start without webpack.
import { chmod, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, 'workflow-bundle.js');

/** Newest mtime of the compiled files a workflow can import. */
async function newestInput() {
  let newest = 0;
  for (const dir of ['workflows', 'domain']) {
    for (const name of await readdir(path.join(dist, dir))) {
      newest = Math.max(newest, (await stat(path.join(dist, dir, name))).mtimeMs);
    }
  }
  return newest;
}

// tsc drops the executable bit of the `baton` bin.
await chmod(path.join(dist, 'cli.js'), 0o755);

const existing = await stat(out).catch(() => null);
if (existing && existing.mtimeMs >= (await newestInput())) process.exit(0);

const { code } = await bundleWorkflowCode({
  workflowsPath: path.join(dist, 'workflows', 'index.js'),
  logger: { info() {}, debug() {}, trace() {}, warn: console.warn, error: console.error, log() {} },
});
await writeFile(out, code);
