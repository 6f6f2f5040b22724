// The worker does not trust the input it is handed: before it launches an agent it holds the
// files of the input to its own BATON_ALLOWED_ROOTS again (launch-guard.ts has already checked
// the spec's cwd and add_dirs, allowing a pipeline's worktrees), and a remote agent gets local
// files as their content, read here after the check, so the bridge never opens a path a caller
// named.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkAllowedPath, classifyFileUri, type PathKind } from '../allowed-paths.js';
import type { InputMessage, MessagePart } from '../domain/input-message.js';
import type { RunSpec } from '../domain/run-spec.js';
import { LaunchError } from './launch-error.js';
import { capabilitiesOf } from '../domain/backends.js';

/** A local file sent inline to a remote agent; larger ones should be given by URL. */
export const MAX_INLINE_FILE_BYTES = 10 * 1024 * 1024;

function allowed(label: string, value: string, roots: readonly string[], kind: PathKind): string {
  const checked = checkAllowedPath(label, value, roots, kind);
  if (!checked.ok) throw new LaunchError(`this worker refuses to launch the agent: ${checked.problem}`);
  return checked.real;
}

/** Checks the input's files; returns the input to send, with local files inlined for a remote agent. */
export async function checkLaunchPaths(spec: RunSpec, input: InputMessage, roots: readonly string[]): Promise<InputMessage> {
  const parts: MessagePart[] = [];
  for (const [i, part] of input.parts.entries()) {
    if (part.kind !== 'file' || part.file.uri === undefined) {
      parts.push(part);
      continue;
    }
    const label = `input_message.parts[${i}].file.uri`;
    const uri = classifyFileUri(part.file.uri);
    if ('problem' in uri) throw new LaunchError(`this worker refuses to launch the agent: ${label} ${uri.problem}`);
    if (!('local' in uri)) {
      parts.push(part);
      continue;
    }
    const real = allowed(label, uri.local, roots, 'file');
    if (!capabilitiesOf(spec.backend).remote) {
      parts.push(part);
      continue;
    }
    // A path on this host means nothing to a remote agent: it gets the content.
    const content = await readFile(real);
    if (content.length > MAX_INLINE_FILE_BYTES) {
      throw new LaunchError(`${label} "${uri.local}" is ${content.length} bytes; files over ${MAX_INLINE_FILE_BYTES} bytes must be given as an http(s) URL the agent can fetch`);
    }
    const { uri: _uri, ...rest } = part.file;
    parts.push({ kind: 'file', file: { ...rest, name: part.file.name ?? path.basename(uri.local), bytes: content.toString('base64') } });
  }
  return { ...input, parts };
}
