import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundEventData } from '../../src/domain/event-log.js';
import { boundFacts, boundLineEvents } from '../../src/domain/line-bounds.js';
import { boundJson, cutHeadBytes, cutJsonString, cutTailBytes, EVENT_DATA_BYTES, jsonBytes, LINE_EVENTS_BYTES, utf8Bytes } from '../../src/domain/sizes.js';

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 3000 }),
  fc.string({ unit: 'grapheme', maxLength: 3000 }),
  fc.constantFrom('é'.repeat(5000), '\u0001'.repeat(3000), '😀'.repeat(3000), '"\\'.repeat(3000)),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(text, tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('byte sizes', () => {
  it('utf8Bytes and jsonBytes count what Buffer and JSON.stringify make', () => {
    fc.assert(fc.property(text, (t) => utf8Bytes(t) === Buffer.byteLength(t) || /[\ud800-\udfff]/.test(t)));
    fc.assert(fc.property(json, (v) => jsonBytes(v) === Buffer.byteLength(JSON.stringify(v))));
  });

  it('cuts text to a byte budget, head or tail, with a marker that says the original size', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 64, max: 4000 }), (t, max) => {
        expect(utf8Bytes(cutHeadBytes(t, max))).toBeLessThanOrEqual(max);
        expect(utf8Bytes(cutTailBytes(t, max))).toBeLessThanOrEqual(max);
        expect(jsonBytes(cutJsonString(t, max))).toBeLessThanOrEqual(max);
      }),
    );
    expect(cutHeadBytes('é'.repeat(100), 80)).toMatch(/^é+…\[truncated, original 200 bytes\]$/);
  });

  it('bounds any JSON value, however large or deep, to its budget', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 64, max: 20_000 }), (inner, depth, maxBytes) => {
        let value: unknown = inner;
        for (let i = 0; i < depth; i++) value = { d: [value] };
        const bounded = boundJson(value, { maxBytes, fieldBytes: 1024, maxDepth: 32 });
        expect(jsonBytes(bounded)).toBeLessThanOrEqual(maxBytes);
      }),
    );
  });

  it('keeps an event whole when it fits, and cuts a 3 MB nested field with a marker', () => {
    expect(boundEventData({ text: 'hello', input: { a: [1, 'b'] } })).toEqual({ text: 'hello', input: { a: [1, 'b'] } });
    const cut = boundEventData({ name: 'Write', input: { content: 'é'.repeat(1_572_864) } }) as { input: { content: string } };
    expect(cut.input.content).toMatch(/…\[truncated, original 3145728 bytes\]$/);
    expect(jsonBytes(cut)).toBeLessThanOrEqual(EVENT_DATA_BYTES);
  });

  it('bounds the events of one line and its facts', () => {
    const events = Array.from({ length: 100 }, () => ({ ts: 't', type: 'agent_message' as const, data: { text: 'x'.repeat(5000) } }));
    const bounded = boundLineEvents(events);
    expect(jsonBytes(bounded)).toBeLessThanOrEqual(LINE_EVENTS_BYTES + 8 * 1024);
    expect(bounded.at(-1)!.data.note).toBe('events cut');
    const facts = boundFacts({ output: '€'.repeat(100_000), structured_output: { big: 'x'.repeat(200_000) }, session_id: 's' });
    expect(utf8Bytes(facts.output!)).toBeLessThanOrEqual(32 * 1024);
    expect(facts.structured_output).toBeUndefined();
    // Left out with a note of its size, so the run can say why it has none.
    expect(facts.structured_output_omitted).toEqual({ reason: 'too_large', bytes: jsonBytes({ big: 'x'.repeat(200_000) }), limit_bytes: 128 * 1024 });
    expect(facts.session_id).toBe('s');
  });
});
