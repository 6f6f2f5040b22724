// orchestration-mcp's shapes over Baton's (src/mcp/profiles/orchestration-mcp/shapes.ts): its
// artifact_refs for cut strings, and its input message turned into Baton's.
import { describe, expect, it } from 'vitest';
import { artifactRefsOf, normalizeMessage } from '../../src/mcp/profiles/orchestration-mcp/shapes.js';
import { parsePath } from '../../src/mcp/profiles/orchestration-mcp/artifact.js';

const cut = (n: number) => `head…[truncated, original ${n} bytes]`;

describe('artifact_refs', () => {
  it("lists every cut string of an event's data as a JSON Pointer, escaping / and ~", () => {
    const refs = artifactRefsOf({ text: cut(200_000), input: { 'a/b~c': cut(10), ok: 'short' }, items: ['x', cut(70_000)] });
    expect(refs.map((r) => [r.field_path, r.total_bytes, r.chunk_count])).toEqual([
      ['/text', 200_000, 4],
      ['/input/a~1b~0c', 10, 1],
      ['/items/1', 70_000, 2],
    ]);
    expect(refs[0]).toMatchObject({ relpath: '', mime: 'text/plain', encoding: 'utf-8', truncated: true });
    expect(artifactRefsOf({ text: 'whole', n: 3, none: null })).toEqual([]);
  });

  it("is found again by get_event_artifact's path parser, as from the event", () => {
    expect(parsePath('/input/a~1b~0c')).toEqual(['data', 'input', 'a/b~c']);
    expect(parsePath('/items/1')).toEqual(['data', 'items', '1']);
    expect(parsePath('data.items[1]')).toEqual(['data', 'items', '1']);
    expect(() => parsePath('/a//b')).toThrow(/empty step/);
    expect(() => parsePath('text')).toThrow(/JSON Pointer/);
  });
});

describe("orchestration-mcp's input message", () => {
  it("becomes Baton's: type as kind, flat file fields nested, role and metadata accepted", () => {
    expect(
      normalizeMessage({
        role: 'system',
        metadata: { a: 1 },
        parts: [
          { type: 'text', text: 'hi' },
          { type: 'file', uri: '/w/a.txt', mime_type: 'text/plain', name: 'a.txt' },
          { kind: 'data', data: { x: 1 } },
          { type: 'file', bytes_base64: 'aGk=' },
        ],
      }),
    ).toEqual({
      role: 'user',
      parts: [
        { kind: 'text', text: 'hi' },
        { kind: 'file', file: { uri: '/w/a.txt', mimeType: 'text/plain', name: 'a.txt' } },
        { kind: 'data', data: { x: 1 } },
        { kind: 'file', file: { bytes: 'aGk=' } },
      ],
    });
  });

  it('refuses a role of another name and parts whose type and kind differ, naming them', () => {
    expect(() => normalizeMessage({ role: 'robot', parts: [] })).toThrow(/input_message.role must be/);
    expect(() => normalizeMessage({ parts: [{ type: 'text', kind: 'data', text: 'x' }] })).toThrow(/input_message.parts.0: type "text" and kind "data" differ/);
  });
});
