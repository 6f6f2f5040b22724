// get_event_artifact (docs/orchestration-mcp.md): the whole value of an event field that was cut
// at EVENT_FIELD_BYTES. Events carry no transcript offset, so the value is found again in the
// run's transcript (read through readTranscriptPage, as read_output reads it): every line is
// re-parsed with the run's backend parser (stderr lines as the worker makes them), and the event
// that has the same type and, at the same path, a string of the byte length the cut marker names
// and starting with the kept head, is the one. When several such events exist, the same
// occurrence (counted over the events the run still keeps live) is taken.
import { backends } from '../../../activities/backends/index.js';
import type { NewEvent } from '../../../domain/event-batch.js';
import { boundEventData } from '../../../domain/event-log.js';
import { InputError } from '../../../client/errors.js';
import { readTranscriptPage } from '../../../client/transcript.js';
import type { RunsClient } from '../../../client/runs.js';
import type { RunEvent, RunView } from '../../../domain/run-view.js';
import { formatBytes, utf8Bytes } from '../../../domain/sizes.js';
import type { ToolContext } from '../../context.js';
import { CUT_MARKER } from './shapes.js';

/** The most a page of get_event_artifact returns. */
export const MAX_ARTIFACT_PAGE = 256 * 1024;
/** Transcript pages read while looking for the line. */
const TRANSCRIPT_PAGE = 1024 * 1024;

export interface ArtifactRequest {
  run_id: string;
  seq: number;
  field_path: string;
  offset: number;
  limit: number;
}

export interface ArtifactPage {
  run_id: string;
  seq: number;
  event_type: string;
  field_path: string;
  offset: number;
  next_offset: number;
  total_bytes: number;
  eof: boolean;
  text: string;
}

/**
 * The keys of a field path: orchestration-mcp's JSON Pointer into the event's data ("/input/content",
 * RFC 6901), or a path from the event ("data.input.content", "data.items[2].text").
 */
export function parsePath(fieldPath: string): string[] {
  if (fieldPath.startsWith('/')) {
    const tokens = fieldPath
      .slice(1)
      .split('/')
      .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (tokens.some((t) => t === ''))
      throw new InputError(`field_path "${fieldPath}" has an empty step: give a JSON Pointer into the event's data, e.g. "/text" or "/input/content"`);
    return ['data', ...tokens];
  }
  const segments = fieldPath
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s, i) => !(i === 0 && s === ''));
  if (segments.length < 2 || segments[0] !== 'data' || segments.some((s) => s === '')) {
    throw new InputError(
      `field_path "${fieldPath}" is not a field of an event: give a JSON Pointer into the event's data ("/text", "/input/content") or the path from the event ("data.text")`,
    );
  }
  return segments;
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = Array.isArray(value) ? value[Number(segment)] : (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** The event with this seq, from the run's live events; refusals name the seq. */
async function eventAt(runs: RunsClient, runId: string, seq: number): Promise<{ event: RunEvent; lastSeq: number }> {
  const page = await runs.events(runId, seq - 1, 1);
  const event = page.events[0];
  if (event?.seq === seq) return { event, lastSeq: page.last_seq };
  if (seq > page.last_seq) throw new InputError(`unknown seq ${seq}: run ${runId} has events 1 to ${page.last_seq} (poll_events lists them)`);
  throw new InputError(`event seq ${seq} of run ${runId} is no longer kept live (the run keeps its newest events): read_output has the full transcript`);
}

/**
 * Which occurrence (0-based) of its kind the event at `seq` is among the live events: of events
 * whose data is the same as its own (`exact`), and of events of its type with the same cut value
 * at the path (`loose`). `complete`: no older event was dropped, so the counts are right.
 */
async function occurrence(
  runs: RunsClient,
  runId: string,
  target: RunEvent,
  segments: readonly string[],
  cut: string,
): Promise<{ exact: number; loose: number; complete: boolean }> {
  const data = JSON.stringify(target.data);
  let after = 0;
  let exact = 0;
  let loose = 0;
  let complete = true;
  for (;;) {
    const page = await runs.events(runId, after, 1000);
    if (after === 0 && page.missed > 0) complete = false;
    for (const event of page.events) {
      if (event.seq >= target.seq) return { exact, loose, complete };
      if (event.type !== target.type) continue;
      if (JSON.stringify(event.data) === data) exact += 1;
      if (valueAt(event, segments) === cut) loose += 1;
    }
    const last = page.events.at(-1)?.seq;
    if (last === undefined) return { exact, loose, complete };
    after = last;
  }
}

/** The run's transcript lines, stream by stream, whole, read page by page where the transcript is. */
async function* transcriptLines(ctx: ToolContext, runs: RunsClient, view: RunView, stream: 'stdout' | 'stderr'): AsyncGenerator<string> {
  const where = { client: runs.client, taskQueue: runs.options.taskQueue, hostId: ctx.hostId, runDir: ctx.runDir(view.run_id) };
  let offset = 0;
  let carry = '';
  for (;;) {
    const page = await readTranscriptPage(view, where, { run_id: view.run_id, stream, offset, limit_bytes: TRANSCRIPT_PAGE });
    const lines = (carry + page.text).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) yield line;
    if (page.eof || page.next_offset === offset) break;
    offset = page.next_offset;
  }
  if (carry !== '') yield carry;
}

/** The full value of the cut field, found again in the transcript. */
export async function findCutValue(
  ctx: ToolContext,
  runs: RunsClient,
  request: Pick<ArtifactRequest, 'run_id' | 'seq' | 'field_path'>,
): Promise<{ event: RunEvent; value: string }> {
  const segments = parsePath(request.field_path);
  const view = await runs.get(request.run_id);
  const { event } = await eventAt(runs, request.run_id, request.seq);
  const cut = valueAt(event, segments);
  const field = `field ${request.field_path} of event seq ${request.seq} (${event.type})`;
  if (cut === undefined) {
    const keys =
      Object.keys(event.data)
        .map((k) => `data.${k}`)
        .join(', ') || 'none';
    throw new InputError(`${field} not found: the event has no such field (its data fields: ${keys})`);
  }
  if (typeof cut !== 'string')
    throw new InputError(
      `${field} is not a string (it is ${Array.isArray(cut) ? 'an array' : cut === null ? 'null' : `a${typeof cut === 'object' ? 'n object' : ` ${typeof cut}`}`}): only strings are cut; poll_events has it whole`,
    );
  const marker = CUT_MARKER.exec(cut);
  if (!marker) throw new InputError(`${field} was not cut: poll_events has its whole value (${formatBytes(utf8Bytes(cut))} bytes)`);
  const totalBytes = Number(marker[1]);
  const head = cut.slice(0, marker.index);
  const { exact, loose, complete } = await occurrence(runs, request.run_id, event, segments, cut);

  // A candidate is exact when its data, bounded as the worker bounds it, is the event's data; loose
  // when only the type and the field (same head, same length) agree. Exact ones decide when there are any.
  const data = JSON.stringify(event.data);
  const exactFound: string[] = [];
  const looseFound: string[] = [];
  const parser = backends[view.backend].parser();
  const ts = new Date().toISOString();
  scan: for (const stream of ['stdout', 'stderr'] as const) {
    for await (const line of transcriptLines(ctx, runs, view, stream)) {
      const events: NewEvent[] = stream === 'stdout' ? safeParse(() => parser.parse(line, ts).events) : line.trim() === '' ? [] : [{ ts, type: 'stderr', data: { text: line } }];
      for (const candidate of events) {
        if (candidate.type !== event.type) continue;
        const value = valueAt(candidate, segments);
        if (typeof value !== 'string' || !value.startsWith(head) || utf8Bytes(value) !== totalBytes) continue;
        looseFound.push(value);
        if (JSON.stringify(boundEventData(candidate.data)) === data) exactFound.push(value);
      }
      // With every earlier event known, the occurrence decides; else a second match makes it ambiguous.
      if (complete ? exactFound.length > exact : exactFound.length > 1) break scan;
    }
  }
  const [found, index] = exactFound.length > 0 ? [exactFound, exact] : [looseFound, loose];
  if (complete && found.length > index) return { event, value: found[index] };
  if (!complete && found.length === 1) return { event, value: found[0] };
  if (!complete && found.length > 1) {
    throw new InputError(`${field} matches several cut values in the transcript, and older events are no longer kept live to tell which: read_output has them all`);
  }
  throw new InputError(
    `${field} was cut (${formatBytes(totalBytes)} bytes), but its line was not found in the run's transcript (it may be on another host whose worker is away, or the run has no transcript): read_output has what there is`,
  );
}

function safeParse(parse: () => NewEvent[]): NewEvent[] {
  try {
    return parse();
  } catch {
    return [];
  }
}

/** A page of `value` by UTF-8 bytes: ends on a character boundary; an offset inside a character is refused. */
export function pageOf(value: string, offset: number, limit: number, fieldPath: string): { text: string; next_offset: number; total_bytes: number; eof: boolean } {
  const bytes = Buffer.from(value, 'utf8');
  const total = bytes.length;
  if (offset > total) throw new InputError(`offset ${offset} is past the end of ${fieldPath} (${formatBytes(total)} bytes)`);
  if (offset < total && (bytes[offset] & 0xc0) === 0x80)
    throw new InputError(`offset ${offset} is inside a UTF-8 character of ${fieldPath}: pass next_offset from the previous page (or 0)`);
  let end = Math.min(total, offset + limit);
  while (end < total && end > offset && (bytes[end] & 0xc0) === 0x80) end -= 1;
  if (end === offset && offset < total) throw new InputError(`limit ${limit} is smaller than the character at offset ${offset} of ${fieldPath}: ask for more bytes`);
  return { text: bytes.subarray(offset, end).toString('utf8'), next_offset: end, total_bytes: total, eof: end >= total };
}
