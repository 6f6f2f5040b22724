// orchestration-mcp's agent message ({role, parts, metadata}) carried in Baton's inbox, whose
// messages are text (docs/orchestration-mcp.md, "Agent messages"). A message of text parts only
// and no metadata travels as its plain text, so an agent reading `baton peer inbox` sees what was
// said; anything else travels as a JSON envelope, which fetch_agent_messages turns back into the
// message. Pure: no client, no server.
import { z } from 'zod';
import { MAX_MESSAGE_BYTES } from '../../../domain/agent-inbox.js';
import { utf8Bytes } from '../../../domain/sizes.js';
import { overLimit } from '../../../domain/start-sizes.js';
import { strictObject } from '../../../domain/strict.js';

export const MESSAGE_ROLES = ['user', 'agent', 'system'] as const;
export const PART_TYPES = ['text', 'data', 'file'] as const;
type PartType = (typeof PART_TYPES)[number];

import { objectValue } from './shapes.js';
const nonEmpty = (what: string) => z.string().min(1, `${what} is empty: give a value, or leave it out`);

/** The fields each part type may carry besides its type (orchestration-mcp's messagePartSchema). */
const FIELDS_OF: Record<PartType, readonly string[]> = {
  text: ['text'],
  data: ['data'],
  file: ['uri', 'bytes_base64', 'mime_type', 'name'],
};

/**
 * One part as a caller gives it: keyed by `type` (orchestration-mcp) or `kind` (Baton). One flat
 * object rather than a union, so a refusal names the field at fault instead of "no union matched".
 */
export const partInputSchema = strictObject(
  {
    type: z.enum(PART_TYPES).optional().describe('text, data or file.'),
    kind: z.enum(PART_TYPES).optional().describe("Baton's name for type; give one of them."),
    text: z.string().optional().describe('type text: the text (not empty).'),
    data: objectValue.optional().describe('type data: a JSON object.'),
    uri: nonEmpty('uri').optional().describe('type file: where the file is.'),
    bytes_base64: nonEmpty('bytes_base64').optional().describe('type file: the content, base64.'),
    mime_type: nonEmpty('mime_type').optional(),
    name: nonEmpty('name').optional(),
  },
  'a message part',
).superRefine((part, ctx) => {
  const type = part.type ?? part.kind;
  if (type === undefined) return void ctx.addIssue({ code: 'custom', path: ['type'], message: 'a part needs type: "text", "data" or "file"' });
  if (part.type !== undefined && part.kind !== undefined && part.type !== part.kind) {
    return void ctx.addIssue({ code: 'custom', path: ['kind'], message: `type "${part.type}" and kind "${part.kind}" differ: give one of them` });
  }
  const allowed = FIELDS_OF[type];
  for (const field of Object.keys(part)) {
    if (field === 'type' || field === 'kind' || allowed.includes(field)) continue;
    ctx.addIssue({ code: 'custom', path: [field], message: `a ${type} part has no field ${field}: remove it (its fields: ${allowed.join(', ')})` });
  }
  if (type === 'text' && !part.text) ctx.addIssue({ code: 'custom', path: ['text'], message: 'a text part needs text, not empty' });
  if (type === 'data' && part.data === undefined) ctx.addIssue({ code: 'custom', path: ['data'], message: 'a data part needs data: a JSON object' });
});
export type PartInput = z.infer<typeof partInputSchema>;

export const messageInputSchema = strictObject(
  {
    role: z.enum(MESSAGE_ROLES).describe('user, agent or system.'),
    parts: z.array(partInputSchema).min(1, 'message.parts needs at least one part').max(100, 'message.parts holds at most 100 parts'),
    metadata: objectValue.optional().describe("The message's own metadata (kept in body.metadata)."),
  },
  'message',
);

/** A part as orchestration-mcp hands it out: keyed by `type`, with only its type's fields. */
export type Part =
  { type: 'text'; text: string } | { type: 'data'; data: Record<string, unknown> } | ({ type: 'file' } & Partial<Record<'uri' | 'bytes_base64' | 'mime_type' | 'name', string>>);

export interface AgentMessageBody {
  role: (typeof MESSAGE_ROLES)[number];
  parts: Part[];
  metadata?: Record<string, unknown>;
}

const partOutputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('data'), data: objectValue }),
  z.object({ type: z.literal('file'), uri: z.string().optional(), bytes_base64: z.string().optional(), mime_type: z.string().optional(), name: z.string().optional() }),
]);
export const bodyOutputSchema = z.object({ role: z.enum(MESSAGE_ROLES), parts: z.array(partOutputSchema), metadata: objectValue.optional() });

/** A checked part keyed by `type`, its `kind` dropped. */
export function typedPart(part: PartInput): Part {
  const { type, kind, ...fields } = part;
  return { type: (type ?? kind)!, ...fields } as Part;
}

/**
 * The envelope's keys: the message's own, and `inbox_metadata` for send_agent_message's top-level
 * metadata (orchestration-mcp keeps that beside the message, fetch returns it as `metadata`).
 */
const envelopeSchema = strictObject(
  {
    // Marks Baton's envelope, so a plain message that happens to be JSON of this shape is read as the text it is.
    baton_envelope: z.literal(1),
    role: z.enum(MESSAGE_ROLES),
    parts: z.array(partInputSchema).min(1),
    metadata: objectValue.optional(),
    inbox_metadata: objectValue.optional(),
  },
  'envelope',
);

/**
 * What the inbox stores for a message: its texts joined when that loses nothing but the role
 * (plain), else the JSON envelope.
 */
export function inboxText(body: AgentMessageBody, inboxMetadata: Record<string, unknown> | undefined): { text: string; plain: boolean } {
  const texts = body.parts.map((p) => (p.type === 'text' ? p.text : null));
  const joined = texts.join('\n');
  // A text that reads as an envelope travels in one, so it comes back as the text it was.
  if (body.metadata === undefined && inboxMetadata === undefined && texts.every((t) => t !== null) && parseEnvelope(joined) === null) return { text: joined, plain: true };
  return { text: JSON.stringify({ baton_envelope: 1, ...body, ...(inboxMetadata === undefined ? {} : { inbox_metadata: inboxMetadata }) }), plain: false };
}

/** Refusal of a stored text the inbox would refuse: blank, or over Baton's 64 KiB of text a message. */
export function inboxTextProblem(text: string, plain: boolean): string | null {
  if (text.trim() === '') return 'message.parts: the texts are only white space: say something';
  const bytes = utf8Bytes(text);
  if (bytes <= MAX_MESSAGE_BYTES) return null;
  const advice = 'send less, or write it to a file under cwd and send a file part with its uri';
  return plain
    ? overLimit('message.parts (their texts joined)', bytes, MAX_MESSAGE_BYTES, advice, 'of UTF-8')
    : overLimit('message (with metadata, as stored in the inbox)', bytes, MAX_MESSAGE_BYTES, advice);
}

/** A stored text read back: the envelope it holds, or the text as one text part from an agent (`baton peer send` sends plain text). */
export function bodyOfInboxText(text: string): { body: AgentMessageBody; metadata: Record<string, unknown> } {
  const envelope = parseEnvelope(text);
  if (envelope) {
    const { inbox_metadata, metadata, role, parts } = envelope;
    return { body: { role, parts: parts.map(typedPart), ...(metadata === undefined ? {} : { metadata }) }, metadata: inbox_metadata ?? {} };
  }
  return { body: { role: 'agent', parts: [{ type: 'text', text }] }, metadata: {} };
}

function parseEnvelope(text: string): z.infer<typeof envelopeSchema> | null {
  if (!text.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = envelopeSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
