// Options that take JSON (--output-schema, --backend-config, --input-message, --steps): the JSON
// itself, or `@path` to read it from a file (curl's way; JSON never starts with @). A file is held
// to the byte limit of the field it fills, the one the schema applies: one that is larger is
// refused from its size alone, before it is read, and a file whose size the system does not know
// (a pipe, /dev/stdin) is read only up to that limit. A bad value is a usage error (exit code 2)
// that names the option and the file.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { formatBytes } from '../../domain/sizes.js';

export interface JsonArgRules {
  /** The option, as the person typed it: "--output-schema". */
  option: string;
  /** Most bytes a file for it may have: the byte limit of the field it fills. */
  limit: number;
  /** What to do when a file is over the limit. */
  advice: string;
  /** A value it takes, inline, for messages: '{"type": "object"}'. */
  example: string;
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return err instanceof Error ? err.message : String(err);
}

/** The file's text, read only if it is within the limit. */
function readBounded(given: string, rules: JsonArgRules): string {
  const file = path.resolve(given);
  const where = file === given ? given : `${given} (${file})`;
  const fail = (why: string) => new InvalidArgumentError(`${rules.option}: cannot use @${where}: ${why}`);
  const tooBig = (bytes: string) =>
    fail(`it is ${bytes} bytes, over the limit of ${formatBytes(rules.limit)} bytes for ${rules.option} (whitespace counts: \`jq -c . FILE\` compacts it): ${rules.advice}`);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw fail(`${reason(err)}: give @ and the path of a JSON file, or the JSON itself`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw fail('it is a directory: give @ and the path of a JSON file');
    if (stat.size > rules.limit) throw tooBig(formatBytes(stat.size));
    // Read to the end, never more than one byte past the limit (the size may not be known, or grow).
    const buffer = Buffer.alloc(rules.limit + 1);
    let length = 0;
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (err) {
        throw fail(reason(err));
      }
      if (read === 0) break;
      length += read;
      if (length > rules.limit) throw tooBig(`over ${formatBytes(rules.limit)}`);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length));
    } catch {
      throw fail('it is not UTF-8 text: save it as UTF-8 JSON');
    }
  } finally {
    closeSync(fd);
  }
}

/** The option's value parsed as JSON, from the argument itself or from `@path`. */
export function readJsonArg(value: string, rules: JsonArgRules): unknown {
  const fromFile = value.startsWith('@');
  if (fromFile && value.length === 1) throw new InvalidArgumentError(`${rules.option}: @ needs a path after it, e.g. ${rules.option} @file.json`);
  const text = fromFile ? readBounded(value.slice(1), rules) : value;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (fromFile) throw new InvalidArgumentError(`${rules.option}: @${value.slice(1)} is not valid JSON: ${why}`);
    throw new InvalidArgumentError(`${rules.option} takes JSON or @file (a file of JSON): ${why}`);
  }
}

/** Parser for commander: a JSON object, inline or from `@path`. */
export function jsonObject(rules: JsonArgRules) {
  return (value: string): Record<string, unknown> => {
    const parsed = readJsonArg(value, rules);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InvalidArgumentError(`${rules.option} takes a JSON object (or @file holding one), e.g. ${rules.option} '${rules.example}'`);
    }
    return parsed as Record<string, unknown>;
  };
}
