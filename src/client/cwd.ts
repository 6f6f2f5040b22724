// Paths a run may use must lie under one of BATON_ALLOWED_ROOTS (DESIGN.md §9): its cwd (an
// existing directory) and a profile file. Symlinks are resolved first, so a link cannot lead out.
import { realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { overLimit } from '../domain/start-sizes.js';
import { PROFILE_BYTES } from '../domain/sizes.js';
import { InputError } from './errors.js';

const MAX_PATH_LENGTH = 4096;

async function checkAllowedPath(label: string, value: string, allowedRoots: readonly string[], kind: 'directory' | 'file'): Promise<string> {
  if (value.length > MAX_PATH_LENGTH) throw new InputError(`${label} is ${value.length} characters long; paths are limited to ${MAX_PATH_LENGTH}`);
  if (value.includes('\0')) throw new InputError(`${label} contains a NUL character`);
  if (!path.isAbsolute(value)) throw new InputError(`${label} must be an absolute path; got "${value}"`);
  // Sync on purpose: a stat and two realpaths take microseconds, less than one hop through the
  // libuv thread pool each, and every spawn_run pays them.
  const info = statOrNull(value);
  if (!info) throw new InputError(`${label} "${value}" does not exist: ${kind === 'directory' ? 'create the directory or pass an existing one' : 'check the path'}`);
  if (kind === 'directory' ? !info.isDirectory() : !info.isFile()) throw new InputError(`${label} "${value}" is not a ${kind}`);
  const real = realpathSync.native(value);
  for (const root of allowedRoots) {
    const realRoot = realRootOf(root);
    const relative = path.relative(realRoot, real);
    if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) return real;
  }
  const shown = real === path.resolve(value) ? `"${value}"` : `"${value}" (really "${real}")`;
  throw new InputError(
    `${label} ${shown} is outside the allowed roots (${allowedRoots.join(', ')}): use a path under one of them, or add its root to BATON_ALLOWED_ROOTS`,
  );
}

function statOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

function realRootOf(root: string): string {
  try {
    return realpathSync.native(root);
  } catch {
    return path.resolve(root);
  }
}

export function checkCwd(cwd: string, allowedRoots: readonly string[]): Promise<string> {
  return checkAllowedPath('cwd', cwd, allowedRoots, 'directory');
}

/** Extra directories an agent may write (codex add_dirs) obey the same roots as cwd. */
export async function checkAddDirs(dirs: readonly string[], allowedRoots: readonly string[]): Promise<void> {
  for (const dir of dirs) await checkAllowedPath('backend_config.add_dirs entry', dir, allowedRoots, 'directory');
}

/** A profile is inline text, or the absolute path of a file under an allowed root (read now). */
export async function resolveProfile(profile: string | undefined, allowedRoots: readonly string[]): Promise<string | null> {
  if (profile === undefined) return null;
  if (!profile.startsWith('/') || profile.includes('\n')) return profile;
  const file = await checkAllowedPath('profile', profile, allowedRoots, 'file');
  const tooBig = (size: number) =>
    new InputError(overLimit(`profile file "${profile}"`, size, PROFILE_BYTES, 'shorten it, or keep the details in files under cwd that it refers to', 'of UTF-8'));
  // Sized before it is read: a huge file is refused without reading it into memory.
  const onDisk = statSync(file).size;
  if (onDisk > PROFILE_BYTES * 2) throw tooBig(onDisk);
  const text = await readFile(file, 'utf8');
  const size = Buffer.byteLength(text);
  if (size > PROFILE_BYTES) throw tooBig(size);
  if (text.trim() === '') throw new InputError(`profile file "${profile}" is empty`);
  return text;
}
