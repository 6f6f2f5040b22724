// Byte budgets: what any one payload Baton hands Temporal may hold, and how values are measured
// and cut to fit. Temporal refuses a payload over 2 MiB ("Blob data size exceeds limit"; a workflow
// whose command carries one is terminated) and a gRPC message over 4 MiB, and warns from 512 KiB.
// Every budget below is in bytes of UTF-8 JSON, as the payload converter writes it, never in
// characters: one character is 1 to 6 bytes (an escaped control character). Pure and
// deterministic (no Buffer), so the workflow bundle uses it too. docs/RELIABILITY.md, "Sizes",
// adds them up.

/** Temporal's hard limit on one payload (blob size limit). */
export const TEMPORAL_PAYLOAD_LIMIT = 2 * 1024 * 1024;

/** One string inside an event, at any depth: the transcript (read_output) keeps the whole text. */
export const EVENT_FIELD_BYTES = 4 * 1024;
/** One event's `data`, as JSON: 2,000 of them in the ring stay a few MiB of worker memory. */
export const EVENT_DATA_BYTES = 8 * 1024;
/** Deeper values are replaced by a marker: no agent's event needs more, and walking stays cheap. */
export const EVENT_MAX_DEPTH = 32;
/** The events one transcript line makes (a message with many blocks, a task with many artifacts). */
export const LINE_EVENTS_BYTES = 64 * 1024;
/** A text fact of a line (the final answer, an error): the result keeps at most this much. */
export const FACT_TEXT_BYTES = 32 * 1024;
/** Structured output (JSON) a run carries to its output check and its result. */
export const STRUCTURED_OUTPUT_BYTES = 128 * 1024;
/** Ids an agent reports (session, task): real ones are tens of bytes. */
export const FACT_ID_BYTES = 1024;
/** One event signal: a quarter of Temporal's warning size; a single line's group may add to it. */
export const BATCH_BYTES = 256 * 1024;
/** An agent's last events ride in its activity's result (not a signal) when they are at most this. */
export const RESULT_BATCH_BYTES = 64 * 1024;
/** One answer of the events query (poll_events), far under gRPC's 4 MiB. */
export const EVENTS_PAGE_BYTES = 1024 * 1024;
/** The live ring as a whole, besides its 2,000 events: what one cached run costs a worker. */
export const RING_BYTES = 4 * 1024 * 1024;
/** Events handed to the next segment by continue-as-new, at most (less when the rest is big). */
export const CARRIED_EVENTS_BYTES = 256 * 1024;
/** Everything continue-as-new hands on: well under the 2 MiB payload limit. */
export const CARRIED_BYTES = 1536 * 1024;

/** The run's input (prompt or input_message, or a continue_run answer), as JSON. */
export const RUN_INPUT_BYTES = 512 * 1024;
/**
 * A pipeline's goal: every role's prompt quotes it whole, with a worker's own plan step (a plan is
 * structured output, at most STRUCTURED_OUTPUT_BYTES): half of RUN_INPUT_BYTES leaves them room.
 * What else a step's prompt quotes (findings, reports, titles) is cut to fit (prompt-fit.ts).
 */
export const PIPELINE_GOAL_BYTES = 256 * 1024;
/** A profile (inline or read from its file). */
export const PROFILE_BYTES = 128 * 1024;
/** output_schema, as JSON. */
export const OUTPUT_SCHEMA_BYTES = 64 * 1024;
/** backend_config, as JSON (env, command, headers). */
export const BACKEND_CONFIG_BYTES = 64 * 1024;
/** metadata, as JSON. */
export const METADATA_BYTES = 16 * 1024;
/**
 * The whole workflow input a start sends. The runAgent activity's request carries it plus the
 * launch's input once more (at most RUN_INPUT_BYTES): 768 KiB + 512 KiB stays under 2 MiB.
 */
export const RUN_START_BYTES = 768 * 1024;

/** Printable ASCII but `"` and `\`: each is one byte in a JSON string (a native regex test is far cheaper than counting). */
const PLAIN_JSON_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** ASCII: one byte a character in UTF-8. */
const ASCII_TEXT = /^[\x00-\x7f]*$/;

/** Bytes of one UTF-16 code unit (or pair) inside a JSON string, as JSON.stringify writes it. */
function jsonCharBytes(s: string, i: number): [bytes: number, units: number] {
  const c = s.charCodeAt(i);
  if (c === 0x22 || c === 0x5c) return [2, 1];
  if (c < 0x20) return [c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6, 1];
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = s.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff ? [4, 2] : [6, 1];
  }
  if (c >= 0xdc00 && c <= 0xdfff) return [6, 1];
  return [3, 1];
}

/** UTF-8 bytes of text (lone surrogates count as the 3 bytes of U+FFFD an encoder writes). */
export function utf8Bytes(text: string): number {
  if (ASCII_TEXT.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of a value as a JSON payload (UTF-8). */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : utf8Bytes(text);
}

/** `12,345` for messages. */
export function formatBytes(bytes: number): string {
  return bytes.toLocaleString('en-US');
}

export function byteMarker(originalBytes: number): string {
  return `…[truncated, original ${originalBytes} bytes]`;
}

/** The head of `text` whose JSON string (quotes included) is at most `maxJson` bytes, marker included. */
export function cutJsonString(text: string, maxJson: number): string {
  const full = jsonStringBytes(text);
  if (full <= maxJson) return text;
  const marker = byteMarker(utf8Bytes(text));
  return text.slice(0, headEnd(text, maxJson - 2 - utf8Bytes(marker), jsonCharBytes)) + marker;
}

/**
 * The head of `text` whose JSON (inside a larger string, so without quotes) is at most `maxJson`
 * bytes, ending with `marker(bytes cut)`; '' when not even the marker fits. Used where the
 * marker must say where the rest is (a pipeline step's prompt).
 */
export function cutJsonHeadWith(text: string, maxJson: number, marker: (cutBytes: number) => string): string {
  if (jsonStringBytes(text) - 2 <= maxJson) return text;
  // Room for the longest marker this cut can need (the count of cut bytes is at most the total).
  const total = utf8Bytes(text);
  const room = maxJson - (jsonStringBytes(marker(total)) - 2);
  if (room < 0) return '';
  const head = text.slice(0, headEnd(text, room, jsonCharBytes));
  return head + marker(total - utf8Bytes(head));
}

/** Where the head of `text` that fits in `room` bytes ends, counting each character with `charBytes`. */
function headEnd(text: string, room: number, charBytes: (s: string, i: number) => [bytes: number, units: number]): number {
  let end = 0;
  while (end < text.length) {
    const [bytes, units] = charBytes(text, end);
    if (bytes > room) break;
    room -= bytes;
    end += units;
  }
  return end;
}

/** UTF-8 bytes of the code point at `i` (a pair counts once, at its high half), and its UTF-16 units. */
function utf8At(text: string, i: number): [bytes: number, units: number] {
  const c = text.charCodeAt(i);
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if ((c & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) return [4, 2];
  return [3, 1];
}

/** The tail of `text` (the newest output) within `maxBytes` of UTF-8, marker first. */
export function cutTailBytes(text: string, maxBytes: number): string {
  const total = utf8Bytes(text);
  if (total <= maxBytes) return text;
  const marker = byteMarker(total);
  let room = maxBytes - utf8Bytes(marker);
  let start = text.length;
  while (start > 0) {
    const pair = start >= 2 && (text.charCodeAt(start - 1) & 0xfc00) === 0xdc00 && (text.charCodeAt(start - 2) & 0xfc00) === 0xd800;
    const [bytes, units] = pair ? [4, 2] : utf8At(text, start - 1);
    if (bytes > room) break;
    room -= bytes;
    start -= units;
  }
  return marker + text.slice(start);
}

/** The head of `text` within `maxBytes` of UTF-8, marker included. */
export function cutHeadBytes(text: string, maxBytes: number): string {
  const total = utf8Bytes(text);
  if (total <= maxBytes) return text;
  const marker = byteMarker(total);
  return text.slice(0, headEnd(text, maxBytes - utf8Bytes(marker), utf8At)) + marker;
}

function jsonStringBytes(text: string): number {
  if (PLAIN_JSON_TEXT.test(text)) return text.length + 2;
  let bytes = 2;
  for (let i = 0; i < text.length;) {
    const [b, units] = jsonCharBytes(text, i);
    bytes += b;
    i += units;
  }
  return bytes;
}

export interface BoundOptions {
  /** The value as JSON, at most. */
  maxBytes: number;
  /** Any one string, as JSON, at most. */
  fieldBytes: number;
  maxDepth: number;
}

/** Room a marker for left-out items needs, so there is always room to say what was cut. */
const MARKER_ROOM = 64;

/**
 * A copy of a JSON value whose JSON is at most `maxBytes`, whatever its shape: every string cut
 * at any depth (keys too), items past the budget left out with a marker that says how many,
 * values deeper than `maxDepth` replaced by a marker. Values JSON cannot carry are dropped, as
 * JSON.stringify drops them.
 */
export function boundJson(value: unknown, options: BoundOptions): unknown {
  if (options.maxBytes < MARKER_ROOM) return null;
  if (jsonBytes(value) <= options.maxBytes && fitsFields(value, options, 0)) return value;
  return walk(value, options.maxBytes, options, 0);
}

/** Whether every string is within fieldBytes and nothing is too deep (the cheap common case). */
function fitsFields(value: unknown, options: BoundOptions, depth: number): boolean {
  if (typeof value === 'string') return jsonStringBytes(value) <= options.fieldBytes;
  if (value === null || typeof value !== 'object') return true;
  if (depth >= options.maxDepth) return false;
  if (Array.isArray(value)) return value.every((v) => fitsFields(v, options, depth + 1));
  return Object.entries(value).every(([k, v]) => jsonStringBytes(k) <= options.fieldBytes && fitsFields(v, options, depth + 1));
}

function walk(value: unknown, budget: number, options: BoundOptions, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return cutJsonString(value, Math.min(budget, options.fieldBytes));
  if (typeof value !== 'object') return null;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return walk(JSON.parse(JSON.stringify(value)) as unknown, budget, options, depth);
  if (depth >= options.maxDepth) return `…[nested deeper than ${options.maxDepth} levels; read_output has it]`;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    let used = 2;
    for (let i = 0; i < value.length; i++) {
      const room = budget - used - (out.length > 0 ? 1 : 0) - MARKER_ROOM;
      const item = value[i] === undefined || typeof value[i] === 'function' ? null : walk(value[i], room, options, depth + 1);
      const size = jsonBytes(item);
      if (room < 8 || size > room) {
        out.push(`…[${value.length - i} more items]`);
        return out;
      }
      out.push(item);
      used += size + (out.length > 1 ? 1 : 0);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  let used = 2;
  let count = 0;
  for (const [rawKey, item] of entries) {
    const key = cutJsonString(rawKey, Math.min(256, options.fieldBytes)).slice(0);
    const keyBytes = jsonStringBytes(key) + 1;
    const room = budget - used - (count > 0 ? 1 : 0) - keyBytes - MARKER_ROOM;
    const bounded = room < 8 ? undefined : walk(item, room, options, depth + 1);
    const size = bounded === undefined ? Infinity : jsonBytes(bounded);
    if (size > room || key in out) {
      out['…'] = `${entries.length - count} more fields; read_output has them`;
      return out;
    }
    out[key] = bounded;
    used += keyBytes + size + (count > 0 ? 1 : 0);
    count += 1;
  }
  return out;
}
