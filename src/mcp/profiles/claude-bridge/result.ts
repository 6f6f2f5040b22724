// claude-bridge's results: its dicts as JSON text (as its FastMCP sends them), plus the same value as
// structuredContent. Its refusals are results too ({ok: false, error}); only a failure that is not
// about the arguments (Temporal away) is a tool error.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { InputError } from '../../../client/errors.js';
import { log } from '../../../log.js';
import { toolError } from '../../tool-result.js';

export function bridgeResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/** Runs a handler; an InputError becomes claude-bridge's `{ok: false, error}`, anything else a logged tool error. */
export async function bridgeGuarded(
  tool: string,
  handler: () => Promise<Record<string, unknown>>,
  refusal: (error: string) => Record<string, unknown> = (error) => ({ ok: false, error }),
): Promise<CallToolResult> {
  try {
    return bridgeResult(await handler());
  } catch (err) {
    if (err instanceof InputError) return bridgeResult(refusal(err.message));
    const message = err instanceof Error ? err.message : String(err);
    log.error(`${tool} failed`, { error: message });
    return toolError(`${tool} failed: ${message}. This is not a problem with your arguments; try again, and check that Baton's Temporal server is up.`);
  }
}
