// Paths a run may use must lie under one of BATON_ALLOWED_ROOTS (docs/SECURITY.md): its cwd (an
// existing directory), a profile file, codex add_dirs and the files of input_message. The rule
// itself is in src/allowed-paths.ts, shared with the worker, which checks again before a launch.
import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { checkAllowedPath, classifyFileUri, type PathKind } from '../allowed-paths.js';
import type { InputMessage } from '../domain/input-message.js';
import { PROFILE_BYTES } from '../domain/sizes.js';
import { overLimit } from '../domain/start-sizes.js';
import { InputError } from './errors.js';

function allowedPath(label: string, value: string, allowedRoots: readonly string[], kind: PathKind): string {
  const checked = checkAllowedPath(label, value, allowedRoots, kind);
  if (!checked.ok) throw new InputError(checked.problem);
  return checked.real;
}

export async function checkCwd(cwd: string, allowedRoots: readonly string[]): Promise<string> {
  return allowedPath('cwd', cwd, allowedRoots, 'directory');
}

/** Extra directories an agent may write (a backend's path_lists: codex add_dirs) obey the same roots as cwd. */
export async function checkAddDirs(dirs: readonly string[], allowedRoots: readonly string[], field = 'backend_config.add_dirs'): Promise<void> {
  for (const dir of dirs) allowedPath(`${field} entry`, dir, allowedRoots, 'directory');
}

/** A file part names a file under an allowed root, or an http(s) URL the agent fetches itself. */
export function checkFileParts(field: string, message: InputMessage, allowedRoots: readonly string[]): void {
  message.parts.forEach((part, i) => {
    if (part.kind !== 'file' || part.file.uri === undefined) return;
    const label = `${field}.parts[${i}].file.uri`;
    const uri = classifyFileUri(part.file.uri);
    if ('problem' in uri) throw new InputError(`${label} ${uri.problem}: give the path of a file under the allowed roots, or an http(s) URL, or the content as bytes`);
    if ('local' in uri) allowedPath(label, uri.local, allowedRoots, 'file');
  });
}

/** A profile is inline text, or the absolute path of a file under an allowed root (read now). */
export async function resolveProfile(profile: string | undefined, allowedRoots: readonly string[]): Promise<string | null> {
  if (profile === undefined) return null;
  if (!profile.startsWith('/') || profile.includes('\n')) return profile;
  const file = allowedPath('profile', profile, allowedRoots, 'file');
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
