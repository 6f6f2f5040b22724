// The A2A bridge's stdout (src/a2a/lines.ts) -> Baton's normalized events and run facts.
//
// Events: agent text (status messages, text parts of artifacts and Message replies) becomes
// agent_message; data parts become agent_message with `data` (and the JSON as text); file parts
// become file_changed. A state change alone makes no event: the run's status comes from the
// facts (remote_status, is_error) when the bridge ends, and the workflow records it.
// Facts: contextId -> session_id, task id -> task_id; at a stop state, output (the artifacts'
// text, else the status message), structured_output (the last data part), and is_error/error or
// remote_status.
//
// A task read again (resubscribe, polling) repeats what came before; only what is new in it
// makes events. The final read ("source":"final") is a summary and makes facts only.
import { z } from 'zod';
import type { FactsPatch, NewEvent } from '../../domain/event-batch.js';
import { describeState, isStopState } from '../../a2a/states.js';
import { readJsonLine, type LineOutcome, type LineParser } from './types.js';

const part = z.looseObject({
  text: z.string().optional(),
  data: z.unknown().optional(),
  url: z.string().optional(),
  raw: z.string().optional(),
  filename: z.string().optional(),
  mediaType: z.string().optional(),
});
type Part = z.infer<typeof part>;
const message = z.looseObject({
  messageId: z.string().optional(),
  contextId: z.string().optional(),
  taskId: z.string().optional(),
  role: z.string().optional(),
  parts: z.array(part).default([]),
});
type Message = z.infer<typeof message>;
const status = z.looseObject({ state: z.string(), message: message.optional() });
type Status = z.infer<typeof status>;
const artifact = z.looseObject({ artifactId: z.string(), name: z.string().optional(), parts: z.array(part).default([]) });
const ids = { taskId: z.string().optional(), contextId: z.string().optional() };
const a2aLine = z.object({
  source: z.string().optional(),
  prior: z.boolean().optional(),
  a2a: z.union([
    z.object({ task: z.looseObject({ id: z.string(), contextId: z.string().optional(), status: status.optional(), artifacts: z.array(artifact).default([]) }) }),
    z.object({ statusUpdate: z.looseObject({ ...ids, status }) }),
    z.object({ artifactUpdate: z.looseObject({ ...ids, artifact, append: z.boolean().optional() }) }),
    z.object({ message }),
  ]),
});
const endLine = z.looseObject({
  bridge: z.literal('end'),
  outcome: z.string(),
  task_id: z.string().nullable().optional(),
  context_id: z.string().nullable().optional(),
  error: z.string().optional(),
});

interface ArtifactView {
  name: string;
  parts: Part[];
}

export class A2aStreamParser implements LineParser {
  /** The task's artifacts as this parser has seen them, in order. */
  private readonly artifacts = new Map<string, ArtifactView>();
  private readonly seenMessages = new Set<string>();
  /** Set once a line showed the task stop, so the end line does not override what the agent said. */
  private sawStop = false;

  parse(line: string, ts: string): LineOutcome {
    const read = readJsonLine(line, ts);
    if ('outcome' in read) return read.outcome;
    const value = read.value;
    const a2a = a2aLine.safeParse(value);
    if (a2a.success) return this.a2a(a2a.data, ts);
    const end = endLine.safeParse(value);
    if (end.success) return { events: [], facts: this.end(end.data) };
    // The connected line, and anything a newer bridge adds: the transcript keeps it.
    return { events: [] };
  }

  private a2a({ a2a, source, prior }: z.infer<typeof a2aLine>, ts: string): LineOutcome {
    const events: NewEvent[] = [];
    const facts: FactsPatch = {};
    // A summary repeats what came before; a prior task is the one an answer reopens. Neither
    // is news: they only bring the parser's view of the artifacts up to date.
    const summary = source === 'final' || prior === true;
    if ('task' in a2a) {
      const task = a2a.task;
      noteIds(facts, task.id, task.contextId);
      const known = new Map(this.artifacts);
      this.artifacts.clear();
      for (const a of task.artifacts) {
        const before = known.get(a.artifactId)?.parts ?? [];
        this.artifacts.set(a.artifactId, { name: a.name ?? '', parts: a.parts });
        if (!summary) events.push(...partEvents(newParts(before, a.parts), ts, { artifact: { id: a.artifactId, name: a.name ?? '' } }));
      }
      if (task.status && !prior) this.status(task.status, ts, summary ? [] : events, facts);
    } else if ('statusUpdate' in a2a) {
      const update = a2a.statusUpdate;
      noteIds(facts, update.taskId, update.contextId);
      this.status(update.status, ts, events, facts);
    } else if ('artifactUpdate' in a2a) {
      const { artifact: a, append, taskId, contextId } = a2a.artifactUpdate;
      noteIds(facts, taskId, contextId);
      const known = this.artifacts.get(a.artifactId);
      const name = a.name || known?.name || '';
      this.artifacts.set(a.artifactId, { name, parts: append && known ? [...known.parts, ...a.parts] : a.parts });
      events.push(...partEvents(a.parts, ts, { artifact: { id: a.artifactId, name } }));
    } else {
      const reply = a2a.message;
      noteIds(facts, reply.taskId, reply.contextId);
      events.push(...this.messageEvents(reply, ts, {}));
      if (!reply.taskId) {
        this.sawStop = true;
        facts.is_error = false;
        const text = textOf(reply.parts);
        if (text) facts.output = text;
        const data = lastData(reply.parts);
        if (data !== undefined) facts.structured_output = data;
      }
    }
    return Object.keys(facts).length > 0 ? { events, facts } : { events };
  }

  /** A status: its message's text as events, and at a stop state, the run's outcome as facts. */
  private status(s: Status, ts: string, events: NewEvent[], facts: FactsPatch): void {
    const state = s.state;
    if (s.message) events.push(...this.messageEvents(s.message, ts, { state: shortState(state) }));
    if (!isStopState(state)) return;
    this.sawStop = true;
    Object.assign(facts, stopFacts(state, textOf(s.message?.parts ?? []), [...this.artifacts.values()]));
  }

  private messageEvents(m: Message, ts: string, extra: Record<string, unknown>): NewEvent[] {
    if (m.messageId) {
      if (this.seenMessages.has(m.messageId)) return [];
      this.seenMessages.add(m.messageId);
    }
    const text = textOf(m.parts);
    const events: NewEvent[] = text ? [{ ts, type: 'agent_message', data: { text, ...extra } }] : [];
    return [
      ...events,
      ...partEvents(
        m.parts.filter((p) => p.text === undefined),
        ts,
        extra,
      ),
    ];
  }

  private end(line: z.infer<typeof endLine>): FactsPatch {
    const facts: FactsPatch = {};
    if (line.task_id) facts.task_id = line.task_id;
    if (line.context_id) facts.session_id = line.context_id;
    if (line.outcome === 'error') return { ...facts, is_error: true, error: line.error ?? 'the A2A bridge failed' };
    // Only when the lines before were not read (a transcript taken up near its end).
    if (this.sawStop) return facts;
    if (line.outcome === 'input_required' || line.outcome === 'auth_required' || line.outcome === 'rejected') facts.remote_status = line.outcome;
    if (line.outcome === 'failed' || line.outcome === 'canceled') facts.is_error = true;
    if (line.error) facts.error = line.error;
    return facts;
  }
}

function noteIds(facts: FactsPatch, taskId: string | undefined, contextId: string | undefined): void {
  if (taskId) facts.task_id = taskId;
  if (contextId) facts.session_id = contextId;
}

/** `TASK_STATE_INPUT_REQUIRED` -> `input_required`, Baton's spelling. */
function shortState(state: string): string {
  return describeState(state).replace(/ /g, '_');
}

function stopFacts(state: string, statusText: string, artifacts: ArtifactView[]): FactsPatch {
  const artifactText = artifacts
    .map((a) => textOf(a.parts, ''))
    .filter((t) => t !== '')
    .join('\n\n');
  const data = lastData(artifacts.flatMap((a) => a.parts));
  const said = statusText ? `: ${statusText}` : '';
  switch (state) {
    case 'TASK_STATE_COMPLETED': {
      const facts: FactsPatch = { is_error: false };
      const output = artifactText || statusText || (data !== undefined ? JSON.stringify(data) : '');
      if (output) facts.output = output;
      if (data !== undefined) facts.structured_output = data;
      return facts;
    }
    case 'TASK_STATE_FAILED':
      return { is_error: true, error: `the remote agent's task failed${said || ' (it gave no reason)'}`, output: artifactText || statusText };
    case 'TASK_STATE_CANCELED':
      return { is_error: true, error: `the remote agent's task was canceled${said}` };
    case 'TASK_STATE_REJECTED':
      return { remote_status: 'rejected', error: `the remote agent rejected the task${said}`, output: statusText };
    case 'TASK_STATE_INPUT_REQUIRED':
      return { remote_status: 'input_required', output: statusText };
    default:
      return { remote_status: 'auth_required', output: statusText };
  }
}

/**
 * The text parts of a message (one a line), or of an artifact (joined as they are: an artifact
 * streamed in chunks reads as one text).
 */
function textOf(parts: Part[], separator: '\n' | '' = '\n'): string {
  return parts
    .filter((p) => p.text !== undefined)
    .map((p) => p.text)
    .join(separator)
    .trim();
}

function lastData(parts: Part[]): unknown {
  return parts.filter((p) => p.data !== undefined).at(-1)?.data;
}

/** The parts of `now` that `before` did not have: the appended tail, or all when it changed. */
function newParts(before: Part[], now: Part[]): Part[] {
  const same = (a: Part, b: Part) => JSON.stringify(a) === JSON.stringify(b);
  return before.length <= now.length && before.every((p, i) => same(p, now[i])) ? now.slice(before.length) : now;
}

function partEvents(parts: Part[], ts: string, extra: Record<string, unknown>): NewEvent[] {
  return parts.flatMap((p): NewEvent[] => {
    if (p.text !== undefined) return p.text === '' ? [] : [{ ts, type: 'agent_message', data: { text: p.text, ...extra } }];
    if (p.data !== undefined) return [{ ts, type: 'agent_message', data: { text: JSON.stringify(p.data), data: p.data, ...extra } }];
    if (p.url !== undefined || p.raw !== undefined) {
      const file = { name: p.filename || null, uri: p.url ?? null, media_type: p.mediaType || null, bytes: p.raw === undefined ? null : Buffer.byteLength(p.raw, 'base64') };
      return [{ ts, type: 'file_changed', data: { ...file, ...extra } }];
    }
    return [];
  });
}
