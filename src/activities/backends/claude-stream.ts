// Claude Code's stream-json output -> Baton's normalized events and run facts.
// One JSON object a line: system (init and others), assistant, user, result, stream_event, ...
import { z } from 'zod';
import type { FactsPatch, NewEvent } from '../../domain/event-batch.js';
import type { Usage } from '../../domain/run-view.js';
import { readJsonLine, type LineOutcome, type LineParser } from './types.js';

const contentBlock = z.looseObject({ type: z.string() });
const messageLine = z.looseObject({
  type: z.enum(['assistant', 'user']),
  message: z.looseObject({ content: z.union([z.string(), z.array(contentBlock)]) }),
  session_id: z.string().optional(),
});
const usageFields = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_read_input_tokens: z.number().optional(),
  cache_creation_input_tokens: z.number().optional(),
});
const resultLine = z.looseObject({
  type: z.literal('result'),
  subtype: z.string(),
  is_error: z.boolean().optional(),
  result: z.string().optional(),
  session_id: z.string().optional(),
  total_cost_usd: z.number().optional(),
  num_turns: z.number().optional(),
  usage: usageFields.optional(),
  errors: z.array(z.unknown()).optional(),
  terminal_reason: z.string().optional(),
  structured_output: z.unknown().optional(),
  api_error_status: z.union([z.number(), z.string(), z.null()]).optional(),
});
const systemInit = z.looseObject({
  type: z.literal('system'),
  subtype: z.literal('init'),
  session_id: z.string(),
  model: z.string().optional(),
});

type Block = z.infer<typeof contentBlock>;

export class ClaudeStreamParser implements LineParser {
  /** Tool names by tool_use id, so a tool result can say which tool it ends. */
  private readonly toolNames = new Map<string, string>();

  parse(line: string, ts: string): LineOutcome {
    const read = readJsonLine(line, ts);
    if ('outcome' in read) return read.outcome;
    const value = read.value;
    const type = (value as { type?: unknown })?.type;
    if (type === 'assistant' || type === 'user') return this.message(value, ts);
    if (type === 'result') return this.result(value, ts);
    const init = systemInit.safeParse(value);
    if (init.success) return { events: [], facts: { session_id: init.data.session_id } };
    // Everything else (other system subtypes, stream_event chunks, ...) carries nothing a run's
    // reader needs; the transcript keeps it.
    return { events: [] };
  }

  private message(value: unknown, ts: string): LineOutcome {
    const parsed = messageLine.safeParse(value);
    if (!parsed.success) return { events: [] };
    const { content } = parsed.data.message;
    const blocks: Block[] = typeof content === 'string' ? [] : content;
    const events = blocks.flatMap((block) => this.block(block, ts));
    const facts: FactsPatch | undefined = parsed.data.session_id ? { session_id: parsed.data.session_id } : undefined;
    return facts ? { events, facts } : { events };
  }

  private block(block: Block, ts: string): NewEvent[] {
    const b = block as Record<string, unknown>;
    switch (block.type) {
      case 'text':
        return typeof b.text === 'string' && b.text !== '' ? [{ ts, type: 'agent_message', data: { text: b.text } }] : [];
      case 'thinking':
        return [{ ts, type: 'reasoning', data: { text: typeof b.thinking === 'string' ? b.thinking : '' } }];
      case 'redacted_thinking':
        return [{ ts, type: 'reasoning', data: { text: '', redacted: true } }];
      case 'tool_use':
      case 'server_tool_use':
      case 'mcp_tool_use': {
        const id = textOf(b.id, '');
        const name = textOf(b.name, 'unknown');
        this.toolNames.set(id, name);
        return [{ ts, type: 'tool_started', data: { tool_use_id: id, name, input: b.input ?? null } }];
      }
      case 'tool_result':
      case 'mcp_tool_result': {
        const id = textOf(b.tool_use_id, '');
        const name = this.toolNames.get(id) ?? null;
        this.toolNames.delete(id);
        return [{ ts, type: 'tool_finished', data: { tool_use_id: id, name, is_error: b.is_error === true, output: toolOutputText(b.content) } }];
      }
      default:
        return [];
    }
  }

  private result(value: unknown, ts: string): LineOutcome {
    const parsed = resultLine.safeParse(value);
    if (!parsed.success) return { events: [] };
    const r = parsed.data;
    // is_error decides: an API error or a missing login ends with subtype "success" and is_error.
    const isError = r.is_error === true || r.subtype !== 'success';
    const facts: FactsPatch = { is_error: isError };
    if (r.result !== undefined) facts.output = r.result;
    if (r.session_id) facts.session_id = r.session_id;
    // total_cost_usd counts the whole session (earlier invocations of a resumed one too); usage
    // and num_turns count this invocation only, so they add up over a run's invocations.
    if (r.total_cost_usd !== undefined) facts.session_cost_usd = r.total_cost_usd;
    if (r.num_turns !== undefined) facts.num_turns = r.num_turns;
    if (r.usage) facts.usage_add = normalizeUsage(r.usage);
    if (r.structured_output !== undefined) facts.structured_output = r.structured_output;
    if (isError) facts.error = describeResultError(r);
    const events: NewEvent[] = [];
    if (facts.usage_add || facts.session_cost_usd !== undefined) {
      events.push({ ts, type: 'usage', data: { ...(facts.usage_add ?? {}), session_cost_usd: facts.session_cost_usd ?? null, num_turns: facts.num_turns ?? null } });
    }
    return { events, facts };
  }
}

function normalizeUsage(u: z.infer<typeof usageFields>): Usage {
  return {
    input_tokens: u.input_tokens ?? 0,
    output_tokens: u.output_tokens ?? 0,
    cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
  };
}

const RESULT_ERRORS: Record<string, string> = {
  error_max_turns: 'Claude Code stopped at max_turns before finishing',
  error_max_budget_usd: 'Claude Code stopped at max_budget_usd before finishing',
  error_during_execution: 'Claude Code failed during execution',
  error_max_structured_output_retries: 'Claude Code could not produce output that matches the JSON schema',
};

function describeResultError(r: z.infer<typeof resultLine>): string {
  const reason = r.terminal_reason && r.terminal_reason !== 'completed' ? ` (${r.terminal_reason}${r.api_error_status ? ` ${r.api_error_status}` : ''})` : '';
  const head = (RESULT_ERRORS[r.subtype] ?? (r.subtype === 'success' ? 'Claude Code reported an error' : `Claude Code ended with ${r.subtype}`)) + reason;
  const details = [r.result, ...(r.errors ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))].filter(Boolean);
  return details.length > 0 ? `${head}: ${details.join('; ')}` : head;
}

/** A tool result's content is a string or a list of blocks (text, image, ...). */
function toolOutputText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => {
      const p = part as { type?: string; text?: string };
      return p.type === 'text' && typeof p.text === 'string' ? p.text : `[${p.type ?? 'content'}]`;
    })
    .join('\n');
}

/** A field of Claude Code's JSON as text: a string as it is, another value as its JSON, a missing one as `fallback`. */
function textOf(value: unknown, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
