// Turning Baton results and errors into MCP tool results: structured content plus the same JSON
// as text (for clients that read only text), and errors a model can act on.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { InputError } from '../client/errors.js';
import { log } from '../log.js';

export function structured<T extends object>(value: T): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value as Record<string, unknown> };
}

export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Runs a handler; an InputError becomes its message, anything else a short, logged error. */
export async function guarded(tool: string, handler: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await handler();
  } catch (err) {
    if (err instanceof InputError) return toolError(err.message);
    const message = err instanceof Error ? err.message : String(err);
    log.error(`${tool} failed`, { error: message });
    return toolError(`${tool} failed: ${message}. This is not a problem with your arguments; try again, and check that Baton's Temporal server is up.`);
  }
}
