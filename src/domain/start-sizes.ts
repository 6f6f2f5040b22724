// Sizes of what a start sends, checked where the data enters (spawn_run, dispatch, continue_run,
// schedule_run): each field against its own budget, then the workflow input as a whole, so that
// whatever is accepted fits every payload the run later makes (docs/RELIABILITY.md, "Sizes").
import type { InputMessage } from './input-message.js';
import type { RunWorkflowInput } from './run-spec.js';
import { BACKEND_CONFIG_BYTES, formatBytes, jsonBytes, METADATA_BYTES, OUTPUT_SCHEMA_BYTES, PROFILE_BYTES, RUN_INPUT_BYTES, RUN_START_BYTES } from './sizes.js';

const IN_A_FILE = 'put the material in a file under cwd and refer to it';

/** "`field` is N bytes …, over the limit of L bytes: advice." */
export function overLimit(field: string, bytes: number, limit: number, advice: string, how = 'of UTF-8 JSON'): string {
  return `${field} is ${formatBytes(bytes)} bytes ${how}, over the limit of ${formatBytes(limit)} bytes: ${advice}`;
}

/** A prompt: its UTF-8 bytes as it travels (JSON-escaped), against RUN_INPUT_BYTES (or `limit`). */
export function promptSizeProblem(prompt: string, field = 'prompt', limit = RUN_INPUT_BYTES): string | null {
  const bytes = jsonBytes(prompt) - 2;
  if (bytes <= limit) return null;
  return overLimit(field, bytes, limit, IN_A_FILE, `of UTF-8 (${formatBytes(prompt.length)} characters)`);
}

/** An input message as a whole, naming its largest part. */
export function messageSizeProblem(message: InputMessage, field = 'input_message'): string | null {
  const bytes = jsonBytes(message);
  if (bytes <= RUN_INPUT_BYTES) return null;
  const sizes = message.parts.map((part) => jsonBytes(part));
  const largest = sizes.indexOf(Math.max(...sizes));
  const part = message.parts[largest];
  const which = part ? ` (parts[${largest}], a ${part.kind} part, is ${formatBytes(sizes[largest])} bytes)` : '';
  return overLimit(field, bytes, RUN_INPUT_BYTES, `${IN_A_FILE} (a file part with its uri)`, `of UTF-8 JSON${which}`);
}

/** Fields of a run's spec with budgets of their own, in the words of spawn_run's arguments. */
export function specSizeProblems(spec: { profile_text: string | null; output_schema: unknown; backend_config: unknown; metadata: unknown }): string[] {
  const problems: string[] = [];
  const check = (field: string, value: unknown, limit: number, advice: string) => {
    if (value === null || value === undefined) return;
    const bytes = typeof value === 'string' ? jsonBytes(value) - 2 : jsonBytes(value);
    if (bytes > limit) problems.push(overLimit(field, bytes, limit, advice, typeof value === 'string' ? 'of UTF-8' : 'of UTF-8 JSON'));
  };
  check('profile', spec.profile_text, PROFILE_BYTES, 'shorten it, or keep the details in files under cwd that it refers to');
  check('output_schema', spec.output_schema, OUTPUT_SCHEMA_BYTES, 'use a smaller schema ($ref to shared definitions, fewer enum values)');
  check('backend_config', spec.backend_config, BACKEND_CONFIG_BYTES, 'pass fewer or shorter options and environment variables');
  check('metadata', spec.metadata, METADATA_BYTES, 'keep labels short; put data in the prompt or in files');
  return problems;
}

/**
 * The workflow input a start is about to send: every field within its budget, and the whole
 * within RUN_START_BYTES, so the agent activity's request (this plus the launch's input) and
 * continue-as-new stay under Temporal's 2 MiB payload limit.
 */
export function runStartProblem(input: RunWorkflowInput): string | null {
  const { spec } = input;
  const problem = messageSizeProblem(spec.input, "the run's input (prompt or input_message)") ?? specSizeProblems(spec)[0];
  if (problem) return problem;
  const bytes = jsonBytes(input);
  if (bytes <= RUN_START_BYTES) return null;
  const fields = Object.entries({ ...spec, notify: input.notify ?? null })
    .map(([key, value]) => [key, jsonBytes(value)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(
      ([key, size]) =>
        `${key === 'input' ? 'prompt/input_message' : key === 'profile_text' ? 'profile' : key === 'notify' ? 'notify_url and notify_headers' : key} ${formatBytes(size)}`,
    );
  return overLimit("the run's arguments together", bytes, RUN_START_BYTES, `make the largest smaller (${fields.join(', ')} bytes)`);
}
