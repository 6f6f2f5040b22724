import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, TranscriptReader } from '../../src/activities/transcript-reader.js';

let file: string;
beforeEach(async () => {
  file = path.join(await mkdtemp(path.join(os.tmpdir(), 'baton-tr-')), 'stdout.log');
});

describe('TranscriptReader', () => {
  it('returns whole lines with the offset just past each, and keeps a partial line for later', async () => {
    await writeFile(file, 'one\ntwo\nthr');
    const reader = new TranscriptReader(file, 0);
    expect(await reader.readLines(false)).toEqual([
      { text: 'one', end: 4 },
      { text: 'two', end: 8 },
    ]);
    expect(reader.offset).toBe(8);
    await appendFile(file, 'ee\n');
    expect(await reader.readLines(false)).toEqual([{ text: 'three', end: 14 }]);
  });

  it('starts at a given offset, as a re-attached activity does', async () => {
    await writeFile(file, 'one\ntwo\nthree\n');
    expect(await new TranscriptReader(file, 4).readLines(false)).toEqual([
      { text: 'two', end: 8 },
      { text: 'three', end: 14 },
    ]);
  });

  it('gives a last line without newline once the agent has exited', async () => {
    await writeFile(file, 'done');
    const reader = new TranscriptReader(file, 0);
    expect(await reader.readLines(false)).toEqual([]);
    expect(await reader.readLines(true)).toEqual([{ text: 'done', end: 4 }]);
  });

  it('says when a read stopped at its budget inside a line, so a final read goes on to the end', async () => {
    await writeFile(file, 'a long line\nlast');
    const reader = new TranscriptReader(file, 0);
    expect(await reader.readLines(true, 4)).toEqual([]);
    expect(reader.atEnd).toBe(false);
    const lines = [];
    while (!reader.atEnd) lines.push(...(await reader.readLines(true, 4)));
    expect(lines).toEqual([
      { text: 'a long line', end: 12 },
      { text: 'last', end: 16 },
    ]);
  });

  it('replaces invalid UTF-8 and drops a CR before the newline', async () => {
    await writeFile(file, Buffer.concat([Buffer.from('bad '), Buffer.from([0xff, 0xfe]), Buffer.from(' bytes\r\nok\n')]));
    const lines = await new TranscriptReader(file, 0).readLines(false);
    expect(lines.map((l) => l.text)).toEqual(['bad \uFFFD\uFFFD bytes', 'ok']);
  });

  it('cuts an endless line and goes on after its newline', async () => {
    await writeFile(file, Buffer.concat([Buffer.alloc(MAX_LINE_BYTES + 10, 'x'), Buffer.from('\nnext\n')]));
    const reader = new TranscriptReader(file, 0);
    const lines: { text: string; end: number }[] = [];
    for (let i = 0; i < 10 && !lines.some((l) => l.text === 'next'); i++) lines.push(...(await reader.readLines(false)));
    expect(lines.map((l) => l.text.length)).toEqual([MAX_LINE_BYTES + `…[line cut at ${MAX_LINE_BYTES} bytes]`.length, 4]);
    expect(lines[0].text.endsWith(`…[line cut at ${MAX_LINE_BYTES} bytes]`)).toBe(true);
    expect(lines[1]).toEqual({ text: 'next', end: MAX_LINE_BYTES + 10 + 6 });
  });

  it('returns nothing while the file does not exist yet', async () => {
    expect(await new TranscriptReader(file, 0).readLines(true)).toEqual([]);
  });
});
