// A `command` agent's final answer, read from its whole stdout on the host's disk. Its events are
// cut at 4 KiB a string and the run's last message at 500 characters, so judging the answer from
// them made every JSON answer over 500 characters "not JSON", and multi-line JSON never parsed.
// The other backends report their answer on one line the parser sees whole (Claude Code's
// `result` event, Codex's last agent message, A2A's last data artifact), so they need no read.
import { open } from 'node:fs/promises';
import type { FinalAnswer } from '../domain/agent-activity.js';
import type { RunSpec } from '../domain/run-spec.js';
import { boundFacts } from '../domain/line-bounds.js';
import { MAX_LINE_BYTES } from './transcript-reader.js';
import { capabilitiesOf } from '../domain/backends.js';

/**
 * The most of a launch's stdout read as one JSON value. A value this big is far over the 128 KiB
 * a run carries either way; past it only the last line is looked at, so a command that logs a lot
 * and answers on its last line still works, and the worker never holds more than this in memory.
 */
export const WHOLE_ANSWER_BYTES = MAX_LINE_BYTES;

/** The answer the output check needs, or undefined when the run has none to read here. */
export async function readFinalAnswer(spec: RunSpec, stdoutFile: string, stdoutStart: number): Promise<FinalAnswer | undefined> {
  if (!capabilitiesOf(spec.backend).answer_on_stdout || !spec.output_schema) return undefined;
  const text = await readTail(stdoutFile, stdoutStart, WHOLE_ANSWER_BYTES);
  if (text === null) return undefined;
  const value = commandAnswer(text.text, text.whole);
  // Not JSON: nothing to report, and the check says "not JSON", quoting the last message.
  if (value === undefined) return undefined;
  // Over STRUCTURED_OUTPUT_BYTES becomes a note of its size: the run fails saying so.
  const bounded = boundFacts({ structured_output: value.value });
  return bounded.structured_output_omitted ? { structured_output_omitted: bounded.structured_output_omitted } : { structured_output: bounded.structured_output };
}

/** README, "Structured output": the whole stdout if it parses as JSON, else its last non-empty line. */
export function commandAnswer(text: string, whole: boolean): { value: unknown } | undefined {
  const candidates = [...(whole ? [text] : []), lastNonEmptyLine(text)];
  for (const candidate of candidates) {
    if (candidate.trim() === '') continue;
    try {
      return { value: JSON.parse(candidate) as unknown };
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function lastNonEmptyLine(text: string): string {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim() !== '') return lines[i];
  return '';
}

/** The launch's stdout from `start`, or its last `maxBytes` (then `whole` is false). */
async function readTail(file: string, start: number, maxBytes: number): Promise<{ text: string; whole: boolean } | null> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return null;
  try {
    const size = (await handle.stat()).size;
    const from = Math.max(Math.min(start, size), size - maxBytes);
    const buffer = Buffer.alloc(size - from);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    return { text: buffer.subarray(0, bytesRead).toString('utf8'), whole: from === Math.min(start, size) };
  } finally {
    await handle.close();
  }
}
