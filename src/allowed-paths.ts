// Every path a caller names (cwd, a profile file, codex add_dirs, a file part of input_message)
// must lie under BATON_ALLOWED_ROOTS, checked where a run is spawned and again by the worker
// before it launches the agent (the worker trusts no spec it is handed). The lexical check comes
// before any look at the disk, and symlinks are resolved before the final one, so the answer
// never tells whether a path outside the roots exists, and no link leads out.
import { lstatSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_PATH_LENGTH = 4096;

export type PathKind = 'directory' | 'file';

/** The real path when `value` is an existing `kind` under the roots; else what to tell the caller. */
export type PathCheck = { ok: true; real: string } | { ok: false; problem: string };

function under(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function realOrNull(p: string): string | null {
  try {
    return realpathSync.native(p);
  } catch {
    return null;
  }
}

/** Each root as given and as it really is (a root may itself be a link, e.g. /tmp on macOS). */
function rootForms(roots: readonly string[]): string[] {
  return roots.flatMap((r) => [path.resolve(r), realOrNull(r) ?? path.resolve(r)]);
}

/** Sync on purpose: a stat and a realpath take microseconds, less than a hop through the thread pool. */
export function checkAllowedPath(label: string, value: string, roots: readonly string[], kind: PathKind): PathCheck {
  const fail = (problem: string): PathCheck => ({ ok: false, problem });
  if (value.length > MAX_PATH_LENGTH) return fail(`${label} is ${value.length} characters long; paths are limited to ${MAX_PATH_LENGTH}`);
  if (value.includes('\0')) return fail(`${label} contains a NUL character`);
  if (!path.isAbsolute(value)) return fail(`${label} must be an absolute path; got "${value}"`);
  const forms = rootForms(roots);
  const outside = fail(`${label} "${value}" is outside the allowed roots (${roots.join(', ')}): use a path under one of them, or add its root to BATON_ALLOWED_ROOTS`);
  const lexical = path.resolve(value);
  if (!forms.some((root) => under(root, lexical))) return outside;
  // The nearest existing ancestor, really: a link on the way may lead out, and then nothing
  // beyond it is looked at.
  let existing = lexical;
  let real = realOrNull(existing);
  while (real === null && lstatOrNull(existing) === null && path.dirname(existing) !== existing) {
    existing = path.dirname(existing);
    real = realOrNull(existing);
  }
  const viaLink = fail(
    `${label} "${value}" leads outside the allowed roots (${roots.join(', ')}) through a symbolic link, or to nothing: use a path whose real location is under one of them`,
  );
  if (real === null) return viaLink; // a link that leads nowhere
  if (!forms.some((root) => under(root, real))) return viaLink;
  if (existing !== lexical) {
    return fail(`${label} "${value}" does not exist: ${kind === 'directory' ? 'create the directory or pass an existing one' : 'check the path'}`);
  }
  const info = statOrNull(real);
  if (!info) return fail(`${label} "${value}" does not exist: check the path`);
  if (kind === 'directory' ? !info.isDirectory() : !info.isFile()) return fail(`${label} "${value}" is not a ${kind}`);
  return { ok: true, real };
}

function statOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

function lstatOrNull(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

/**
 * Where a file part's uri points: a local path (an absolute path or a file: URL), a URL the
 * agent fetches itself (http, https), or something Baton does not take.
 */
export type FileUri = { local: string } | { remote: string } | { problem: string };

export function classifyFileUri(uri: string): FileUri {
  if (uri.startsWith('/')) return { local: uri };
  if (/^file:/i.test(uri)) {
    try {
      return { local: fileURLToPath(uri) };
    } catch {
      return { problem: `"${uri.slice(0, 200)}" is not a file: URL of this host (file:///absolute/path)` };
    }
  }
  if (/^https?:\/\//i.test(uri)) return { remote: uri };
  return { problem: `"${uri.slice(0, 200)}" is neither an absolute path, a file: URL nor an http(s) URL` };
}
