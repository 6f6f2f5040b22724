// A run's cwd must be an existing directory under one of BATON_ALLOWED_ROOTS (DESIGN.md §9).
// Symlinks are resolved first, so a link cannot lead out of a root.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from './errors.js';

const MAX_PATH_LENGTH = 4096;

export async function checkCwd(cwd: string, allowedRoots: readonly string[]): Promise<string> {
  if (cwd.length > MAX_PATH_LENGTH) throw new InputError(`cwd is ${cwd.length} characters long; paths are limited to ${MAX_PATH_LENGTH}`);
  if (cwd.includes('\0')) throw new InputError('cwd contains a NUL character');
  if (!path.isAbsolute(cwd)) throw new InputError(`cwd must be an absolute path; got "${cwd}"`);
  const info = await stat(cwd).catch(() => null);
  if (!info) throw new InputError(`cwd "${cwd}" does not exist: create the directory or pass an existing one`);
  if (!info.isDirectory()) throw new InputError(`cwd "${cwd}" is not a directory`);
  const real = await realpath(cwd);
  for (const root of allowedRoots) {
    const realRoot = await realpath(root).catch(() => path.resolve(root));
    const relative = path.relative(realRoot, real);
    if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) return real;
  }
  const shown = real === path.resolve(cwd) ? `"${cwd}"` : `"${cwd}" (really "${real}")`;
  throw new InputError(
    `cwd ${shown} is outside the allowed roots (${allowedRoots.join(', ')}): pass a directory under one of them, or add its root to BATON_ALLOWED_ROOTS`,
  );
}
