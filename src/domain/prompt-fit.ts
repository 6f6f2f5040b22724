// Fitting a prompt the workflow builds (a pipeline step's) into a byte budget: what the caller
// gave (the goal, a worker's own step) stays whole; what the workflow adds (earlier steps'
// reports, the reviewer's findings, plan titles) is cut evenly, each cut marked with where the
// rest is. Pure: the workflow bundle uses it. Sizes are bytes of the prompt as a JSON string,
// as Temporal and the launch check (messageSizeProblem) measure it.
import type { RunWorkflowInput } from './run-spec.js';
import { cutJsonHeadWith, cutJsonString, jsonBytes, RUN_INPUT_BYTES, RUN_START_BYTES } from './sizes.js';

/**
 * The bytes (as a JSON string, quotes included) the prompt of a run whose start is `input` (built
 * with an empty prompt) may take: its message within RUN_INPUT_BYTES and the whole start within
 * RUN_START_BYTES, the budgets the client and the worker's launch check hold every start to.
 */
export function stepPromptBudget(input: RunWorkflowInput): number {
  const message = jsonBytes(input.spec.input) - 2;
  const whole = jsonBytes(input) - 2;
  return Math.min(RUN_INPUT_BYTES - message, RUN_START_BYTES - whole);
}

/** One line of the cuttable part: `prefix` is kept, `body` is cut to its share. */
export interface FitItem {
  prefix: string;
  body: string;
  /** The body's own cap in bytes, whatever room is left (a step's report). */
  max?: number;
  /** The text that ends a cut body: how many bytes were cut and where they are. */
  marker: (cutBytes: number) => string;
}

export interface PromptLayout {
  /** Lines before the items (kept whole). */
  head: string[];
  items: FitItem[];
  /** Lines after the items (kept whole). */
  tail: string[];
  /** The line that replaces items left out when not even a marker fits for each. */
  leftOut: (count: number) => string;
}

/** A body is never cut below this: room for its marker and a little text. */
const MIN_BODY_BYTES = 240;

/** `[… 123,456 bytes cut; <where> has all of it]`. */
export function cutMarker(where: string): (cutBytes: number) => string {
  return (cutBytes) => `[… ${cutBytes.toLocaleString('en-US')} bytes cut; ${where} has all of it]`;
}

/** Bytes `text` adds inside a JSON string. */
function inner(text: string): number {
  return jsonBytes(text) - 2;
}

function render(layout: PromptLayout, lines: string[]): string {
  return [...layout.head, ...lines, ...layout.tail].join('\n');
}

/**
 * The prompt, as a JSON string (quotes included) at most `budget` bytes. Items share the room the
 * whole lines leave: the small ones whole, the large ones cut to one equal cap. When even
 * MIN_BODY_BYTES each does not fit, the first items that fit stay and one line says how many were
 * left out; if the whole lines alone are over (which the spawn-time budgets rule out), the prompt
 * is cut as a whole, so the bound holds whatever the input.
 */
export function fitPrompt(layout: PromptLayout, budget: number): string {
  const sizes = layout.items.map((i) => Math.min(inner(i.body), i.max ?? Infinity));
  const whole = layout.items.every((i, n) => sizes[n] === inner(i.body));
  const full = whole
    ? render(
        layout,
        layout.items.map((i) => i.prefix + i.body),
      )
    : null;
  if (full !== null && jsonBytes(full) <= budget) return full;
  const fixed = jsonBytes(
    render(
      layout,
      layout.items.map((i) => i.prefix),
    ),
  );
  const cap = equalCap(sizes, budget - fixed);
  const lines = cap >= MIN_BODY_BYTES ? layout.items.map((i) => i.prefix + cutJsonHeadWith(i.body, Math.min(cap, i.max ?? Infinity), i.marker)) : firstThatFit(layout, budget);
  const text = render(layout, lines);
  return jsonBytes(text) <= budget ? text : cutJsonString(text, budget);
}

/** The largest cap c with sum(min(size, c)) <= room (-1 when room is negative). */
function equalCap(sizes: number[], room: number): number {
  if (room < 0) return -1;
  const sorted = [...sizes].sort((a, b) => a - b);
  let left = room;
  for (let i = 0; i < sorted.length; i++) {
    const share = Math.floor(left / (sorted.length - i));
    if (sorted[i] > share) return share;
    left -= sorted[i];
  }
  return Number.MAX_SAFE_INTEGER;
}

/** Items in order, each within MIN_BODY_BYTES, while they fit with the left-out line after them. */
function firstThatFit(layout: PromptLayout, budget: number): string[] {
  const lines: string[] = [];
  const notice = inner(layout.leftOut(layout.items.length)) + 2;
  let used = jsonBytes(render(layout, [])) + notice;
  for (const item of layout.items) {
    const line = item.prefix + cutJsonHeadWith(item.body, Math.min(MIN_BODY_BYTES, item.max ?? Infinity), item.marker);
    const size = inner(line) + 2;
    if (used + size > budget) break;
    lines.push(line);
    used += size;
  }
  if (lines.length < layout.items.length) lines.push(layout.leftOut(layout.items.length - lines.length));
  return lines;
}
