// One MCP server with every Baton tool (or, with the claude-bridge or orchestration-mcp profile, that profile's tools). Cheap to build: the HTTP transport makes one a request.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CheckedMcpServer } from './checked-server.js';
import type { ToolContext } from './context.js';
import { createClaudeBridgeServer, defaultClaudeBridge, type ClaudeBridgeDefaults } from './profiles/claude-bridge/server.js';
import type { ToolProfile } from './profiles/names.js';
import { createOrchestrationServer } from './profiles/orchestration-mcp/server.js';
import { registerPrompts } from './prompts.js';
import { PUSH_INSTRUCTIONS } from './push-text.js';
import { registerResources } from './resources.js';
import { registerAgentTools } from './tools/agent-tools.js';
import { registerCancelTools } from './tools/cancel-tools.js';
import { registerHelpTool, SERVER_INSTRUCTIONS } from './tools/help-tool.js';
import { registerListTools } from './tools/list-tools.js';
import { registerPipelineTools } from './tools/pipeline-tools.js';
import { registerReadTools } from './tools/read-tools.js';
import { registerScheduleTools } from './tools/schedule-tools.js';
import { registerSessionTools } from './tools/session-tools.js';
import { registerStartTools } from './tools/start-tools.js';
import { registerWaitAnyTool } from './tools/wait-any-tool.js';

export const SERVER_NAME = 'baton';

/**
 * `push`: this server sends Claude Code channel events (stdio `baton mcp` only; the stateless HTTP
 * endpoint has no connection to push on), so it declares the capability and says what they mean.
 */
export function createMcpServer(ctx: ToolContext, version: string, opts: { push?: boolean; profile?: ToolProfile; claudeBridge?: ClaudeBridgeDefaults } = {}): McpServer {
  if (opts.profile === 'claude-bridge') return createClaudeBridgeServer(ctx, version, { push: opts.push ?? false, defaults: opts.claudeBridge ?? defaultClaudeBridge() });
  if (opts.profile === 'orchestration-mcp') return createOrchestrationServer(ctx, version);
  const server = new CheckedMcpServer(
    { name: SERVER_NAME, version },
    {
      instructions: opts.push ? `${SERVER_INSTRUCTIONS}\n${PUSH_INSTRUCTIONS}` : SERVER_INSTRUCTIONS,
      capabilities: { logging: {}, ...(opts.push ? { experimental: { 'claude/channel': {} } } : {}) },
    },
  );
  registerStartTools(server, ctx);
  registerReadTools(server, ctx);
  registerListTools(server, ctx);
  registerCancelTools(server, ctx);
  registerSessionTools(server, ctx);
  registerPipelineTools(server, ctx);
  registerScheduleTools(server, ctx);
  registerWaitAnyTool(server, ctx);
  registerAgentTools(server, ctx);
  registerHelpTool(server);
  registerResources(server, ctx);
  registerPrompts(server);
  return server;
}
