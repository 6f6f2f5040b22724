import { mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCwd } from '../../src/client/cwd.js';

let root: string;
let outside: string;
beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'baton-root-')));
  outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'baton-outside-')));
  await mkdir(path.join(root, 'project'));
  await writeFile(path.join(root, 'file.txt'), 'x');
  await symlink(outside, path.join(root, 'escape'));
});

describe('checkCwd', () => {
  it('accepts a directory under an allowed root and returns its real path', async () => {
    expect(await checkCwd(path.join(root, 'project'), [root])).toBe(path.join(root, 'project'));
    expect(await checkCwd(root, [root])).toBe(root);
  });

  it('refuses a relative path', async () => {
    await expect(checkCwd('project', [root])).rejects.toThrow('cwd must be an absolute path; got "project"');
  });

  it('refuses a path that does not exist, and one that is not a directory', async () => {
    await expect(checkCwd(path.join(root, 'nope'), [root])).rejects.toThrow('does not exist');
    await expect(checkCwd(path.join(root, 'file.txt'), [root])).rejects.toThrow('is not a directory');
  });

  it('refuses a path outside the roots, also through .. and through a symlink', async () => {
    await expect(checkCwd(outside, [root])).rejects.toThrow('outside the allowed roots');
    await expect(checkCwd(path.join(root, 'project', '..', '..'), [root])).rejects.toThrow('outside the allowed roots');
    // Through a symlink, without saying where it leads (that would tell what lies outside).
    const escaped = checkCwd(path.join(root, 'escape'), [root]);
    await expect(escaped).rejects.toThrow('leads outside the allowed roots');
    await expect(escaped).rejects.not.toThrow(outside);
  });

  it('refuses a very long path', async () => {
    await expect(checkCwd(`/${'a'.repeat(5000)}`, [root])).rejects.toThrow('paths are limited to 4096');
  });
});
