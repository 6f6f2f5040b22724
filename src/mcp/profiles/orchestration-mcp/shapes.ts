// orchestration-mcp's result shapes over Baton's (docs/orchestration-mcp.md): a run summary, an
// event with the run it belongs to and its artifact_refs, and an input message in its part format.
// Every answer keeps Baton's own keys beside orchestration-mcp's, so a client of either reads it.
import { z } from 'zod';
import { InputError } from '../../../client/errors.js';
import { channelAgentName } from '../../../domain/agent-inbox.js';
import { runEventSchema, runViewSchema, type RunEvent, type RunView } from '../../../domain/run-view.js';

/** A JSON object of any values (orchestration-mcp's `unknownObjectSchema`). */
export const objectValue = z.record(z.string(), z.unknown());

/** orchestration-mcp's input message, checked by normalizeMessage and then Baton's own schema. */
export const inputMessageArg = z
  .record(z.string(), z.unknown())
  .describe(
    'The input as a message of parts, instead of prompt: {"role": "user", "parts": [{"type": "text", "text": "..."}]}; parts {"type": "data", data}, {"type": "file", uri | bytes_base64, mime_type, name}; Baton\'s "kind" is taken in place of "type". At most 512 KiB of UTF-8 JSON in all.',
  );

/** The marker cutJsonString leaves at the end of a cut string. */
export const CUT_MARKER = /…\[truncated, original (\d+) bytes\]$/;
/** get_event_artifact's default page, by which artifact_refs counts chunks (orchestration-mcp's). */
export const ARTIFACT_CHUNK = 65_536;
/** A run's summary line is cut to this many characters. */
const SUMMARY_CHARS = 500;

/**
 * A run's agent name: its nickname, else its channel's name, else its run id (orchestration-mcp
 * names every run; Baton names only those given a nickname, so the id stands for the rest).
 */
export function agentNameOf(view: Pick<RunView, 'run_id' | 'channel'> & { nickname?: string | null }): string {
  return view.nickname ?? channelAgentName(view.channel) ?? view.run_id;
}

/** orchestration-mcp's one-line summary of a run: how it ended, or what it last said. */
function summaryOf(view: RunView): string {
  const line = view.result?.error ?? view.result?.output ?? view.last_message ?? `Run ${view.status}`;
  const text = line.trim() === '' ? `Run ${view.status}` : line.trim();
  return text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS)}…` : text;
}

/** orchestration-mcp's run summary (get_run, list_runs), on top of Baton's RunView. */
export function runSummary(view: RunView, nickname: string | null = null): Record<string, unknown> {
  return {
    ...view,
    agent_name: agentNameOf({ ...view, nickname }),
    // orchestration-mcp's are strings: "" until the agent's session is known.
    session_id: view.session_id ?? '',
    started_at: view.started_at ?? view.created_at,
    updated_at: view.finished_at ?? view.started_at ?? view.created_at,
    summary: summaryOf(view),
    metadata: view.metadata,
    remote_ref: null,
  };
}

export const runSummarySchema = runViewSchema.extend({
  agent_name: z.string().describe("The nickname, the channel's name, or else the run id: any of them is a valid agent_name."),
  session_id: z.string().describe('The backend session; "" until it is known.'),
  started_at: z.string(),
  updated_at: z.string(),
  summary: z.string(),
  remote_ref: z.null(),
});

export interface ArtifactRef {
  field_path: string;
  relpath: string;
  mime: string;
  encoding: string;
  total_bytes: number;
  chunk_count: number;
  truncated: boolean;
}

/** A JSON Pointer token (RFC 6901). */
const pointerToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The strings of an event's data that were cut, as orchestration-mcp's artifact_refs (JSON Pointers into data). */
export function artifactRefsOf(data: unknown, path = ''): ArtifactRef[] {
  if (typeof data === 'string') {
    const cut = CUT_MARKER.exec(data);
    if (!cut) return [];
    const total = Number(cut[1]);
    return [
      { field_path: path, relpath: '', mime: 'text/plain', encoding: 'utf-8', total_bytes: total, chunk_count: Math.max(1, Math.ceil(total / ARTIFACT_CHUNK)), truncated: true },
    ];
  }
  if (data === null || typeof data !== 'object') return [];
  const entries = Array.isArray(data) ? data.map((v, i) => [String(i), v] as const) : Object.entries(data);
  return entries.flatMap(([key, value]) => artifactRefsOf(value, `${path}/${pointerToken(key)}`));
}

/** An event as orchestration-mcp gives it: with its run, session and backend, and artifact_refs when a field was cut. */
export function orchestrationEvent(event: RunEvent, view: Pick<RunView, 'run_id' | 'session_id' | 'backend'>): Record<string, unknown> {
  const refs = artifactRefsOf(event.data);
  return {
    ...event,
    run_id: view.run_id,
    session_id: view.session_id ?? '',
    backend: view.backend,
    data: refs.length > 0 ? { ...event.data, artifact_refs: refs } : event.data,
  };
}

export const orchestrationEventSchema = runEventSchema.extend({
  run_id: z.string(),
  session_id: z.string(),
  backend: z.string(),
});

/**
 * An input message in orchestration-mcp's format turned into Baton's: parts keyed by `type` (or
 * Baton's `kind`; both given must agree), a file part's flat fields (uri, bytes_base64, mime_type,
 * name) nested as Baton's `file`. The role (user, agent or system) and the message's metadata are
 * accepted; the agent is given the parts as the run's input.
 */
export function normalizeMessage(message: unknown, field = 'input_message'): unknown {
  if (message === undefined || message === null || typeof message !== 'object' || Array.isArray(message)) return message;
  const { parts, role, metadata: _metadata, ...rest } = message as { parts?: unknown; role?: unknown; metadata?: unknown };
  if (role !== undefined && role !== 'user' && role !== 'agent' && role !== 'system') {
    throw new InputError(`${field}.role must be "user", "agent" or "system" (got ${JSON.stringify(role)})`);
  }
  if (!Array.isArray(parts)) return { ...rest, parts };
  return { ...rest, role: 'user', parts: parts.map((part: unknown, i) => normalizePart(part, `${field}.parts.${i}`)) };
}

function normalizePart(part: unknown, where: string): unknown {
  if (part === null || typeof part !== 'object' || Array.isArray(part)) return part;
  const { type, ...others } = part as Record<string, unknown>;
  if (type !== undefined && others.kind !== undefined && others.kind !== type)
    throw new InputError(`${where}: type ${JSON.stringify(type)} and kind ${JSON.stringify(others.kind)} differ: give one of them`);
  const kind = type ?? others.kind;
  const { uri, bytes_base64, mime_type, name, ...kept } = others;
  if (kind !== 'file' || kept.file !== undefined || (uri === undefined && bytes_base64 === undefined && mime_type === undefined && name === undefined)) {
    return { ...others, kind };
  }
  const file = Object.fromEntries(Object.entries({ uri, bytes: bytes_base64, mimeType: mime_type, name }).filter(([, v]) => v !== undefined));
  return { ...kept, kind, file };
}
