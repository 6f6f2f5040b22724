import { describe, expect, it } from 'vitest';
import { forTerminal, printable } from '../../src/terminal-text.js';

describe('printable: text from runs, shown and never obeyed by a terminal', () => {
  it('escapes ESC, the other C0 controls but newline and tab, DEL, C1 and bidi overrides', () => {
    expect(printable('a\x1b[2Jb')).toBe('a\\x1b[2Jb');
    expect(printable('bell\x07 nul\x00 cr\r del\x7f csi\x9b')).toBe('bell\\x07 nul\\x00 cr\\x0d del\\x7f csi\\x9b');
    expect(printable('\u202eevil\u2066x\u2069')).toBe('\\u202eevil\\u2066x\\u2069');
    expect(printable('two\nlines\tand a tab, ünïcödé, 漢字, 🙂')).toBe('two\nlines\tand a tab, ünïcödé, 漢字, 🙂');
  });

  it('is idempotent: what it printed once prints the same again', () => {
    const once = printable('\x1b]52;c;cHduZWQ=\x07');
    expect(printable(once)).toBe(once);
  });

  it('forTerminal reaches every string of a value, at any depth, and leaves the rest', () => {
    const value = { a: 'x\x1b', n: 3, none: null, list: ['\x07', { deep: '\r' }], ok: true };
    expect(forTerminal(value)).toEqual({ a: 'x\\x1b', n: 3, none: null, list: ['\\x07', { deep: '\\x0d' }], ok: true });
  });

  it("forTerminal escapes keys too (a structured output is the agent's JSON, keys and all)", () => {
    expect(forTerminal({ 'k\x1b]0;t\x07': 1 })).toEqual({ 'k\\x1b]0;t\\x07': 1 });
  });
});
