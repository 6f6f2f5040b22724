// Pages of a run's transcript (the agent's raw stdout or stderr) from its run directory: read
// where the directory is, by an MCP server on that host or by that host's worker for others.
import { open } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES } from './domain/agent-activity.js';

export type TranscriptStream = 'stdout' | 'stderr';

export interface TranscriptRequest {
  run_id: string;
  stream: TranscriptStream;
  offset: number;
  limit_bytes: number;
}

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

/** Thrown for an offset past the end: the caller's mistake, not the host's. */
export class TranscriptRangeError extends Error {
  override name = 'TranscriptRangeError';
}

export function emptyPage(request: TranscriptRequest): TranscriptPage {
  return { run_id: request.run_id, stream: request.stream, offset: request.offset, next_offset: request.offset, total_bytes: 0, eof: true, text: '' };
}

export async function readTranscriptFile(runDir: string, request: TranscriptRequest): Promise<TranscriptPage> {
  const file = path.join(runDir, request.stream === 'stdout' ? 'stdout.log' : 'stderr.log');
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return emptyPage(request);
  try {
    const total = (await handle.stat()).size;
    if (request.offset > total) {
      throw new TranscriptRangeError(`offset ${request.offset} is past the end of the ${request.stream} transcript (${total} bytes)`);
    }
    const buffer = Buffer.alloc(Math.min(request.limit_bytes, total - request.offset));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, request.offset);
    const chunk = buffer.subarray(0, keepWholeLines(buffer.subarray(0, bytesRead), request.offset + bytesRead >= total));
    const next = request.offset + chunk.length;
    return { ...emptyPage(request), next_offset: next, total_bytes: total, eof: next >= total, text: chunk.toString('utf8') };
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
  while (end > 0 && (bytes[end - 1] & 0xc0) === 0x80) end -= 1;
  return end > 0 && bytes[end - 1] >= 0xc0 ? end - 1 : end;
}

/** readTranscriptFile as the host's activity: an offset past the end is the caller's to fix, so it is not retried. */
export async function readTranscriptOnHost(runDir: string, request: TranscriptRequest): Promise<TranscriptPage> {
  try {
    return await readTranscriptFile(runDir, request);
  } catch (err) {
    if (err instanceof TranscriptRangeError) throw ApplicationFailure.create({ type: FAILURE_TYPES.transcriptRange, message: err.message, nonRetryable: true });
    throw err;
  }
}
