// Cutting long text the same way everywhere, with a marker that says how much was cut.

export function truncationMarker(originalLength: number): string {
  return `…[truncated, original ${originalLength} chars]`;
}

/** Keeps the head of `text` so that the result, marker included, is at most `max` characters. */
export function cutHead(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = truncationMarker(text.length);
  return text.slice(0, Math.max(0, max - marker.length)) + marker;
}

/** Keeps the tail of `text` (the newest output), marker first. */
export function cutTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = truncationMarker(text.length);
  return marker + text.slice(text.length - Math.max(0, max - marker.length));
}

/** The first non-empty line, cut: how a prompt is shown in lists and in the Web UI. */
export function firstLine(text: string, max = 200): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return cutHead(line.trim(), max);
}
