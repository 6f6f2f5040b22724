// The MCP server every Baton tool registers on: each tool's arguments pass argumentProblem first,
// so a value no tool can use (a NUL, a lone surrogate, nesting thousands deep) is refused the same
// way by every tool, naming the field, before anything is looked up or started; then the tool's
// schema, whose refusals are worded like the tools' own (src/mcp/input-issues.ts).
import { McpServer, type RegisteredTool, type ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import { normalizeObjectSchema, safeParseAsync, type AnySchema, type ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { ZodError } from 'zod';
import { argumentProblem } from '../domain/argument-shape.js';
import { reachability } from '../temporal/reachability.js';
import { describeIssues } from './input-issues.js';
import { toolError } from './tool-result.js';

type ToolConfig<I, O> = Parameters<typeof McpServer.prototype.registerTool<O & (ZodRawShapeCompat | AnySchema), I & (undefined | ZodRawShapeCompat | AnySchema)>>[1];
type Handler = (args: unknown, extra: unknown) => ReturnType<ToolCallback>;

// One Ajv for every server: the HTTP endpoint builds a server per request, and an Ajv instance
// each time cost a quarter of a millisecond of CPU a request (bench, docs/PERFORMANCE.md).
const sharedValidator = new AjvJsonSchemaValidator();

export class CheckedMcpServer extends McpServer {
  constructor(...[info, options]: ConstructorParameters<typeof McpServer>) {
    super(info, { jsonSchemaValidator: sharedValidator, ...options });
    // The SDK validates arguments before any handler runs, and words a refusal its own way; this
    // takes its place (a private method, so assigned rather than overridden), so that every
    // refused argument reads as the tools' own refusals do. A plain Error's message is what the
    // SDK puts in the tool result.
    (this as unknown as { validateToolInput: typeof validateToolInput }).validateToolInput = validateToolInput;
  }

  override registerTool<O extends ZodRawShapeCompat | AnySchema, I extends undefined | ZodRawShapeCompat | AnySchema = undefined>(
    name: string,
    config: ToolConfig<I, O>,
    cb: ToolCallback<I>,
  ): RegisteredTool {
    const handler = cb as unknown as Handler;
    const checked: Handler = (args, extra) => {
      if (name === 'help' || name === 'bridge_help') return handler(args, extra);
      // While the Temporal server is away every call answers at once with the one clear error,
      // and a call already waiting on it (a wait_run, a retrying query) stops waiting.
      const away = reachability.problem();
      if (away) return toolError(away);
      let unsubscribe = () => undefined as void;
      const lost = new Promise<ReturnType<typeof toolError>>((resolve) => {
        unsubscribe = reachability.onDown(() => resolve(toolError(reachability.problem() ?? 'the Temporal server is not reachable')));
      });
      return Promise.race([Promise.resolve(handler(args, extra)), lost]).finally(() => unsubscribe());
    };
    return super.registerTool<O, I>(name, config, checked as unknown as ToolCallback<I>);
  }
}

async function validateToolInput(tool: { inputSchema?: AnySchema }, args: unknown): Promise<unknown> {
  const problem = argumentProblem(args);
  if (problem) throw new Error(problem);
  if (!tool.inputSchema) return undefined;
  const parsed = await safeParseAsync(normalizeObjectSchema(tool.inputSchema) ?? tool.inputSchema, args ?? {});
  if (!parsed.success) throw new Error(describeIssues((parsed.error as ZodError).issues).join('\n'));
  return parsed.data;
}
