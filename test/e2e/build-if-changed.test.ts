// `npm start` and `npm test` build only when an input of the build changed: `npm install` has just
// built, so the first `npm start` after it starts at once. (pretest built dist/ for this run.)
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/env.js';

const run = promisify(execFile);

describe('build-if-changed', () => {
  it('leaves dist/ alone when nothing the build reads changed since the last build', async () => {
    const outputs = ['dist/cli.js', 'dist/workflow-bundle.js'].map((file) => path.join(ROOT, file));
    const before = await Promise.all(outputs.map(async (file) => (await stat(file)).mtimeMs));
    const { stdout, stderr } = await run('node', ['scripts/build-if-changed.mjs'], { cwd: ROOT });
    expect(stdout + stderr).toBe('');
    expect(await Promise.all(outputs.map(async (file) => (await stat(file)).mtimeMs))).toEqual(before);
  });
});
