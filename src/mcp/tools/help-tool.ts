// help: what each tool is for and when to use it.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { strictObject } from '../../domain/spawn-input.js';
import { structured } from '../tool-result.js';
import { READ_ONLY } from './shared.js';

export const SERVER_INSTRUCTIONS = [
  'Baton runs coding agents durably as Temporal workflows. A run keeps going while you do other work and survives restarts.',
  'Start: spawn_run (returns run_id at once) or dispatch (starts and waits up to ~50 s).',
  'Follow: wait_run (long-poll, call again while finished=false), poll_events (incremental events with a cursor; read on while has_more), get_run (current state), read_output (the full raw transcript).',
  "Find: list_runs (filters: status, role, backend, channel, parent, session, created_after). Stop: cancel_run (idempotent; stops the agent's whole process tree).",
  'Backends: "claude_code" (the claude CLI; model, permission_mode, max_turns, max_budget_usd, profile, backend_config.allowed_tools/disallowed_tools/fork_session), ' +
    '"codex" (the codex CLI; model, backend_config options such as sandbox), "remote_a2a" (a remote A2A agent; backend_config.agent_url, headers, bearer_token), ' +
    '"command" (any program in backend_config.command, e.g. ["npm","test"]; exit code 0 = completed).',
  'output_schema (JSON Schema) makes the final output structured and validated: result.structured_output, or the run fails with the validation errors (or, for an answer over 128 KiB of JSON, saying so in result.structured_output_omitted: read_output has it).',
  'Sessions: session_mode "resume" + session_id continues a backend session; continue_run follows up a finished run on its session, or answers a remote agent that is input_required.',
  'Channels: spawn_run with channel "name" queues a turn; turns run one at a time on the channel\'s pinned session (list_channels, reset_channel).',
  'Repeat: schedule_run (every interval_seconds or a cron, optionally until; after_schedule_id chains; a run printing [BATON_STOP_SCHEDULE] ends its schedule), list_schedules, get_schedule, cancel_schedule. wait_any: the first of several runs (run_ids) or of all runs since a time (finished_since) to finish.',
  "Agents that talk: spawn_run with nickname \"name\" names the agent (unique among live runs; a channel's turns go by the channel's name). send_agent_message puts a message in a name's inbox, fetch_agent_messages reads one (after_seq cursor, wait_seconds long-poll), list_agents lists the names. Inside an agent, `baton peer` does the same.",
  "cwd must be an absolute, existing directory under Baton's allowed roots. Pass idempotency_key to make a start safe to retry.",
  'Resources: baton://runs/{run_id} (the run as JSON, like get_run) and baton://runs/{run_id}/output (its stdout, 64 KiB a page; _meta.next_uri reads on). Prompts: delegate, pipeline, status.',
].join('\n');

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
const helpTool = {
  title: 'How to use Baton',
  description: 'Explains what each Baton tool is for and when to use it.',
  inputSchema: strictObject({}, 'help'),
  outputSchema: z.object({ text: z.string() }),
  annotations: READ_ONLY,
};

export function registerHelpTool(server: McpServer): void {
  server.registerTool('help', helpTool, async () => structured({ text: SERVER_INSTRUCTIONS }));
}
