// Text that reaches a person's terminal (the people commands, Baton's log lines) made safe to print.

/**
 * Control characters other than newline and tab (ESC above all, which starts the sequences that
 * set a terminal's title or clipboard, clear its screen or move its cursor; C1 controls; the
 * bidirectional overrides that make text read otherwise than it is), shown as escapes. What an
 * agent printed, and every other field a run carries, goes through this before a person's
 * terminal sees it, so it is read, never obeyed; so does JSON printed for a person (JSON escapes
 * C0 controls only). --json output is for scripts and keeps the characters as they were.
 */
const UNPRINTABLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** A value from a run (a view, an event, a message) with every string in it printable(), keys too. */
export function forTerminal<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => forTerminal(v)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k), forTerminal(v)])) as T;
  return value;
}
