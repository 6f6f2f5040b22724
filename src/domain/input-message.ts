// A run's input as a message of parts (text, data, file), the shape A2A uses; a plain prompt is
// one text part. CLI backends get it rendered as text; remote A2A agents get the parts as they are.

export interface TextPart {
  kind: 'text';
  text: string;
}

export interface DataPart {
  kind: 'data';
  data: Record<string, unknown>;
}

export interface FilePart {
  kind: 'file';
  file: {
    /** A URI the agent can fetch, or an absolute path on the worker's host. */
    uri?: string;
    /** Base64 content, for small files. */
    bytes?: string;
    name?: string;
    mimeType?: string;
  };
}

export type MessagePart = TextPart | DataPart | FilePart;

export interface InputMessage {
  role: 'user';
  parts: MessagePart[];
}

export function messageFromPrompt(prompt: string): InputMessage {
  return { role: 'user', parts: [{ kind: 'text', text: prompt }] };
}

/** The first text of a message: what lists and the Web UI show as the run's prompt. */
export function messageHeadline(message: InputMessage): string {
  const text = message.parts.find((p): p is TextPart => p.kind === 'text')?.text;
  if (text !== undefined) return text;
  return message.parts.map((p) => (p.kind === 'file' ? `[file ${p.file.name ?? p.file.uri ?? ''}]` : `[${p.kind}]`)).join(' ');
}
