// help: what each tool is for and when to use it.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { strictObject } from '../../domain/spawn-input.js';
import { structured } from '../tool-result.js';

export const SERVER_INSTRUCTIONS = [
  'Baton runs coding agents durably as Temporal workflows. A run keeps going while you do other work and survives restarts.',
  'Start: spawn_run (returns run_id at once) or dispatch (starts and waits up to ~50 s).',
  'Follow: wait_run (long-poll, call again while finished=false), poll_events (incremental events with a cursor), get_run (current state), read_output (the full raw transcript).',
  'Find: list_runs (filters: status, role, backend, channel, created_after). Stop: cancel_run (idempotent; stops the agent\'s whole process tree).',
  'Backends: "claude_code" runs the claude CLI (options: model, permission_mode, max_turns, max_budget_usd, session_mode/session_id to resume a session); ' +
    '"command" runs any program given in backend_config.command (e.g. ["npm","test"]), exit code 0 = completed.',
  'cwd must be an absolute, existing directory under Baton\'s allowed roots. Pass idempotency_key to make a start safe to retry.',
].join('\n');

export function registerHelpTool(server: McpServer): void {
  server.registerTool(
    'help',
    {
      title: 'How to use Baton',
      description: 'Explains what each Baton tool is for and when to use it.',
      inputSchema: strictObject({}, 'help'),
      outputSchema: z.object({ text: z.string() }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async () => structured({ text: SERVER_INSTRUCTIONS }),
  );
}
