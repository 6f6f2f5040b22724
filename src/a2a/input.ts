// The message Baton sends: read from stdin as Baton's InputMessage (src/domain/input-message.ts,
// A2A v0.3-style parts) and turned into the SDK's A2A v1.0 Message.
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Role, type Message, type Part } from '@a2a-js/sdk';
import { z } from 'zod';
import type { MessagePart } from '../domain/input-message.js';

/** A local file sent inline is read into the message; larger ones should be given by URL. */
export const MAX_INLINE_FILE_BYTES = 10 * 1024 * 1024;

const inputMessageSchema = z.object({
  role: z.literal('user').default('user'),
  parts: z
    .array(
      z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('text'), text: z.string() }),
        z.object({ kind: z.literal('data'), data: z.record(z.string(), z.unknown()) }),
        z.object({
          kind: z.literal('file'),
          file: z.object({
            uri: z.string().min(1).optional(),
            bytes: z.string().optional(),
            name: z.string().optional(),
            mimeType: z.string().optional(),
          }),
        }),
      ]),
    )
    .min(1),
});

export class InputError extends Error {
  override name = 'InputError';
}

export interface MessageTarget {
  contextId: string | null;
  taskId: string | null;
}

/** Parses stdin's JSON and builds the message to send, reading local files into it. */
export async function buildMessage(stdin: string, target: MessageTarget): Promise<Message> {
  let json: unknown;
  try {
    json = JSON.parse(stdin);
  } catch (err) {
    throw new InputError(`stdin is not JSON (${(err as Error).message}); expected {"role":"user","parts":[…]}`);
  }
  const parsed = inputMessageSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`stdin is not a message: ${z.prettifyError(parsed.error)}`);
  const parts: Part[] = [];
  for (const part of parsed.data.parts as MessagePart[]) parts.push(await toPart(part));
  return {
    messageId: randomUUID(),
    contextId: target.contextId ?? '',
    taskId: target.taskId ?? '',
    role: Role.ROLE_USER,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

async function toPart(part: MessagePart): Promise<Part> {
  const base = { metadata: undefined, filename: '', mediaType: '' };
  switch (part.kind) {
    case 'text':
      return { ...base, content: { $case: 'text', value: part.text }, mediaType: 'text/plain' };
    case 'data':
      return { ...base, content: { $case: 'data', value: part.data }, mediaType: 'application/json' };
    case 'file': {
      const { uri, bytes, name, mimeType } = part.file;
      const file = { ...base, filename: name ?? '', mediaType: mimeType ?? '' };
      if (bytes !== undefined) return { ...file, content: { $case: 'raw', value: Buffer.from(bytes, 'base64') } };
      const local = localPath(uri!);
      if (local === null) return { ...file, content: { $case: 'url', value: uri! } };
      // A path on this host means nothing to a remote agent: send the content instead.
      return { ...file, filename: name ?? path.basename(local), content: { $case: 'raw', value: await readLocalFile(local) } };
    }
  }
}

function localPath(uri: string): string | null {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  return path.isAbsolute(uri) ? uri : null;
}

async function readLocalFile(file: string): Promise<Buffer> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new InputError(`file part ${file} is not a readable file on this host`);
  if (info.size > MAX_INLINE_FILE_BYTES) {
    throw new InputError(`file part ${file} is ${info.size} bytes; files over ${MAX_INLINE_FILE_BYTES} bytes must be given as an http(s) URL the agent can fetch`);
  }
  return readFile(file);
}
