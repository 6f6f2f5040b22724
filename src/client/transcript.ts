// read_output: pages of a run's full transcript (the agent's raw stdout or stderr), read from the
// run directory on the agent's host.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { RunView } from '../domain/run-view.js';
import { InputError } from './errors.js';

export type TranscriptStream = 'stdout' | 'stderr';

export interface TranscriptPage {
  run_id: string;
  stream: TranscriptStream;
  offset: number;
  /** Pass as offset to read on; equals total_bytes at the end. */
  next_offset: number;
  total_bytes: number;
  eof: boolean;
  text: string;
}

export async function readTranscriptPage(
  view: RunView,
  where: { hostId: string; runDir: string },
  request: { stream: TranscriptStream; offset: number; limitBytes: number },
): Promise<TranscriptPage> {
  const empty = { run_id: view.run_id, stream: request.stream, offset: request.offset, next_offset: request.offset, total_bytes: 0, eof: true, text: '' };
  if (view.host === null) return empty;
  if (view.host !== where.hostId) {
    throw new InputError(
      `the transcript of run ${view.run_id} is on host ${view.host}, and this MCP server runs on host ${where.hostId}: ask an MCP server on that host, or use get_run and poll_events`,
    );
  }
  const file = path.join(where.runDir, request.stream === 'stdout' ? 'stdout.log' : 'stderr.log');
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return empty;
  try {
    const total = (await handle.stat()).size;
    if (request.offset > total) {
      throw new InputError(`offset ${request.offset} is past the end of the ${request.stream} transcript (${total} bytes)`);
    }
    const buffer = Buffer.alloc(Math.min(request.limitBytes, total - request.offset));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, request.offset);
    const chunk = buffer.subarray(0, keepWholeLines(buffer.subarray(0, bytesRead), request.offset + bytesRead >= total));
    const next = request.offset + chunk.length;
    return { ...empty, next_offset: next, total_bytes: total, eof: next >= total, text: chunk.toString('utf8') };
  } finally {
    await handle.close();
  }
}

/** Ends a page after its last newline, so no line (or UTF-8 character) is split between pages. */
function keepWholeLines(bytes: Buffer, atEnd: boolean): number {
  if (atEnd) return bytes.length;
  const lastNewline = bytes.lastIndexOf(0x0a);
  if (lastNewline >= 0) return lastNewline + 1;
  // One line longer than the page: cut at a character boundary instead.
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1]! & 0xc0) === 0x80) end -= 1;
  return end > 0 && bytes[end - 1]! >= 0xc0 ? end - 1 : end;
}
