// The MCP tool surfaces Baton can offer (BATON_TOOL_PROFILE, `baton mcp --profile`): Baton's own
// tools, claude-bridge's 16 (docs/claude-bridge.md) or orchestration-mcp's 10 (docs/orchestration-mcp.md).
// Every profile is a thin layer over the same runs.
export const TOOL_PROFILES = ['baton', 'claude-bridge', 'orchestration-mcp'] as const;
export type ToolProfile = (typeof TOOL_PROFILES)[number];

export function isToolProfile(name: string): name is ToolProfile {
  return (TOOL_PROFILES as readonly string[]).includes(name);
}
