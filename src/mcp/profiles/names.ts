// The MCP tool surfaces Baton can offer (BATON_TOOL_PROFILE, `baton mcp --profile`): Baton's own
// tools, or claude-bridge's 16 (docs/claude-bridge.md). Every profile is a thin layer over the same runs.
export const TOOL_PROFILES = ['baton', 'claude-bridge'] as const;
export type ToolProfile = (typeof TOOL_PROFILES)[number];

export function isToolProfile(name: string): name is ToolProfile {
  return (TOOL_PROFILES as readonly string[]).includes(name);
}
