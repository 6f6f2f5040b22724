// `codex exec --json` output -> Baton's normalized events and run facts.
// One JSON object a line (test/fixtures/codex/*.jsonl, recorded from Codex CLI 0.169.0):
// thread.started, turn.started, item.started / item.updated / item.completed, turn.completed,
// turn.failed, error.
//
// Each item becomes events once:
// - command_execution, mcp_tool_call and web_search report item.started (shown as *_started, so a
//   reader sees what is in flight) and item.completed (*_finished);
// - agent_message, reasoning and error items only ever complete: one event each;
// - file_change: file_changed on completion only (its started/updated lines are previews of the
//   same patch, and a patch that failed still completes, with status "failed");
// - todo_list: todo_updated on started and on every update; its completion repeats the last
//   update and is dropped unless the list changed.
import { z } from 'zod';
import type { FactsPatch, NewEvent } from '../../domain/event-batch.js';
import type { Usage } from '../../domain/run-view.js';
import { readJsonLine, type LineOutcome, type LineParser } from './types.js';

const usageLine = z.looseObject({
  input_tokens: z.number().optional(),
  cached_input_tokens: z.number().optional(),
  cache_write_input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  reasoning_output_tokens: z.number().optional(),
});
const line = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.looseObject({ type: z.literal('turn.completed'), usage: usageLine.optional() }),
  z.looseObject({ type: z.literal('turn.failed'), error: z.looseObject({ message: z.string() }).optional() }),
  z.looseObject({ type: z.literal('error'), message: z.string() }),
  z.looseObject({ type: z.enum(['item.started', 'item.updated', 'item.completed']), item: z.looseObject({ id: z.string(), type: z.string() }) }),
]);
type Item = { id: string; type: string } & Record<string, unknown>;
type Stage = 'started' | 'updated' | 'completed';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export class CodexStreamParser implements LineParser {
  /** The last agent message: codex's final answer when the turn completes. */
  private lastMessage: string | null = null;
  /** The last todo list emitted, by item id, so a repeat is not emitted twice. */
  private readonly todos = new Map<string, string>();

  parse(raw: string, ts: string): LineOutcome {
    const read = readJsonLine(raw, ts);
    if ('outcome' in read) return read.outcome;
    const parsed = line.safeParse(read.value);
    // turn.started, item.plan.delta, request_user_input and types this version does not know:
    // nothing a run's reader needs; the transcript keeps them.
    if (!parsed.success) return { events: [] };
    const l = parsed.data;
    switch (l.type) {
      case 'thread.started':
        return { events: [], facts: { session_id: l.thread_id } };
      case 'turn.completed':
        return this.turnCompleted(l.usage, ts);
      case 'turn.failed': {
        const message = l.error?.message ?? 'codex reported that the turn failed';
        return { events: [], facts: { is_error: true, error: message } };
      }
      case 'error':
        // Not the end of the run: codex also reports retries this way ("Reconnecting... 1/5 (...)")
        // and goes on. A failed turn follows with turn.failed; until then the message only
        // explains an agent that dies.
        return { events: [{ ts, type: 'stderr', data: { text: l.message, stream: 'stdout', note: 'codex error event' } }], facts: { error: l.message } };
      default:
        return this.item(l.item, l.type.slice('item.'.length) as Stage, ts);
    }
  }

  private turnCompleted(usage: z.infer<typeof usageLine> | undefined, ts: string): LineOutcome {
    const facts: FactsPatch = { is_error: false, num_turns: 1 };
    // With --output-schema the final message is the JSON value; without one it is prose, and a
    // structured_output Baton does not ask for is never read.
    if (this.lastMessage !== null) {
      const structured = parseJson(this.lastMessage);
      if (structured !== undefined) facts.structured_output = structured;
    }
    const events: NewEvent[] = [];
    if (usage) {
      // codex reports the thread's totals, every earlier invocation of a resumed thread included:
      // they replace what the run had rather than add to it.
      facts.usage = normalizeUsage(usage);
      events.push({ ts, type: 'usage', data: { ...facts.usage, reasoning_output_tokens: usage.reasoning_output_tokens ?? 0, num_turns: 1, thread_total: true } });
    }
    return { events, facts };
  }

  private item(item: Item, stage: Stage, ts: string): LineOutcome {
    const event = (type: NewEvent['type'], data: Record<string, unknown>): LineOutcome => ({ events: [{ ts, type, data: { item_id: item.id, ...data } }] });
    const none: LineOutcome = { events: [] };
    switch (item.type) {
      case 'agent_message': {
        if (stage !== 'completed') return none;
        this.lastMessage = text(item.text);
        return { ...event('agent_message', { text: this.lastMessage }), facts: { output: this.lastMessage } };
      }
      case 'reasoning':
        return stage === 'completed' ? event('reasoning', { text: text(item.text) }) : none;
      case 'command_execution':
        if (stage === 'started') return event('command_started', { command: text(item.command) });
        if (stage === 'completed') {
          return event('command_finished', { command: text(item.command), exit_code: item.exit_code ?? null, status: item.status ?? null, output: text(item.aggregated_output) });
        }
        return none;
      case 'file_change':
        return stage === 'completed' ? event('file_changed', { changes: Array.isArray(item.changes) ? item.changes : [], status: item.status ?? null }) : none;
      case 'mcp_tool_call':
        return this.mcpToolCall(item, stage, event);
      case 'web_search': {
        const common = { tool_use_id: item.id, name: 'web_search', query: text(item.query) };
        if (stage === 'started') return event('tool_started', { ...common, input: item.action ?? null });
        if (stage === 'completed') return event('tool_finished', { ...common, is_error: false, output: '' });
        return none;
      }
      case 'todo_list': {
        const items = Array.isArray(item.items) ? item.items : [];
        const key = JSON.stringify(items);
        if (stage === 'completed' && this.todos.get(item.id) === key) return none;
        this.todos.set(item.id, key);
        return event('todo_updated', { items });
      }
      case 'error':
        // A warning that does not stop the run (a deprecated setting, a transport fallback, ...).
        return stage === 'completed' ? event('stderr', { text: text(item.message), stream: 'stdout', note: 'codex error item' }) : none;
      default:
        return none;
    }
  }

  private mcpToolCall(item: Item, stage: Stage, event: (type: NewEvent['type'], data: Record<string, unknown>) => LineOutcome): LineOutcome {
    const server = text(item.server);
    const tool = text(item.tool);
    // Named like Claude Code's MCP tools, so one filter finds a tool under either backend.
    const common = { tool_use_id: item.id, name: `mcp__${server}__${tool}`, server, tool };
    if (stage === 'started') return event('tool_started', { ...common, input: item.arguments ?? null });
    if (stage !== 'completed') return { events: [] };
    const error = (item.error as { message?: unknown } | null | undefined)?.message;
    const result = item.result as { content?: unknown; structured_content?: unknown } | null | undefined;
    return event('tool_finished', {
      ...common,
      is_error: item.status === 'failed',
      output: typeof error === 'string' ? error : contentText(result?.content),
      ...(result?.structured_content != null ? { structured_content: result.structured_content } : {}),
    });
  }
}

function normalizeUsage(u: z.infer<typeof usageLine>): Usage {
  return {
    input_tokens: u.input_tokens ?? 0,
    output_tokens: u.output_tokens ?? 0,
    cache_read_input_tokens: u.cached_input_tokens ?? 0,
    cache_creation_input_tokens: u.cache_write_input_tokens ?? 0,
  };
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** An MCP result's content blocks as text (text blocks as they are, others by type). */
function contentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.map((part: { type?: string; text?: string }) => (part?.type === 'text' && typeof part.text === 'string' ? part.text : `[${part?.type ?? 'content'}]`)).join('\n');
}
