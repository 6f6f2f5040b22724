// Reads an agent's output file line by line from a byte offset, as the agent writes it.
import { open, type FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;
/** A line longer than this is cut: its head becomes the event, the rest is skipped. */
export const MAX_LINE_BYTES = 16 << 20;
const NEWLINE = 0x0a;

export interface Line {
  text: string;
  /** Byte offset just past the line (and its newline) in the file. */
  end: number;
}

export class TranscriptReader {
  private handle: FileHandle | null = null;
  /** Bytes read but not yet returned: the start of a line whose newline has not come yet. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private readPos: number;
  private skippingLongLine = false;
  private endReached = false;

  constructor(
    private readonly file: string,
    offset: number,
  ) {
    this.readPos = offset;
  }

  /**
   * Whether the last readLines call read to the end of the file. False when it stopped at its
   * byte budget: then an empty result means "more to read", not "nothing new".
   */
  get atEnd(): boolean {
    return this.endReached;
  }

  /** Offset up to which every line has been returned. */
  get offset(): number {
    return this.readPos - this.partialBytes;
  }

  /**
   * Returns the complete lines written since the last call. With `final`, the agent has exited,
   * so a last line without a newline is complete too.
   */
  async readLines(final: boolean, maxBytes = 8 * CHUNK_BYTES): Promise<Line[]> {
    const handle = await this.open();
    this.endReached = handle === null;
    if (!handle) return [];
    const lines: Line[] = [];
    let budget = maxBytes;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(budget, 1)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.readPos);
      if (bytesRead === 0) {
        this.endReached = true;
        break;
      }
      this.take(buffer.subarray(0, bytesRead), lines);
      budget -= bytesRead;
      if (budget <= 0) return lines;
    }
    if (final && this.partialBytes > 0) {
      lines.push(this.completeLine(this.readPos));
    }
    return lines;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
  }

  private async open(): Promise<FileHandle | null> {
    if (!this.handle) this.handle = await open(this.file, 'r').catch(() => null);
    return this.handle;
  }

  private take(chunk: Buffer, lines: Line[]): void {
    const chunkStart = this.readPos;
    this.readPos += chunk.length;
    let lineStart = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, lineStart);
      const segmentEnd = newline === -1 ? chunk.length : newline;
      this.append(chunk.subarray(lineStart, segmentEnd), chunkStart + segmentEnd, lines);
      if (newline === -1) return;
      if (this.skippingLongLine) this.skippingLongLine = false;
      else lines.push(this.completeLine(chunkStart + newline + 1));
      lineStart = newline + 1;
    }
  }

  /** Adds bytes to the line in progress; past MAX_LINE_BYTES the head is given now, the rest skipped. */
  private append(bytes: Buffer, endOffset: number, lines: Line[]): void {
    if (bytes.length === 0 || this.skippingLongLine) return;
    const room = MAX_LINE_BYTES - this.partialBytes;
    if (bytes.length <= room) {
      this.partial.push(bytes);
      this.partialBytes += bytes.length;
      return;
    }
    this.partial.push(bytes.subarray(0, room));
    lines.push({ text: `${decode(Buffer.concat(this.partial))}…[line cut at ${MAX_LINE_BYTES} bytes]`, end: endOffset });
    this.resetPartial();
    this.skippingLongLine = true;
  }

  private completeLine(end: number): Line {
    const text = decode(Buffer.concat(this.partial));
    this.resetPartial();
    return { text, end };
  }

  private resetPartial(): void {
    this.partial = [];
    this.partialBytes = 0;
  }
}

/** UTF-8 with replacement characters for invalid bytes; a trailing CR is dropped. */
function decode(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
