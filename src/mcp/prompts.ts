// MCP prompts: Claude Code shows each as a slash command (/mcp__baton__delegate, ...). Each one is
// a user message that names the tools to call and the arguments to pass, so the model does the
// same thing whichever client it runs in. Arguments are strings (MCP prompt arguments are).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { BACKENDS } from '../domain/vocabulary.js';

const text = (body: string): GetPromptResult => ({ messages: [{ role: 'user', content: { type: 'text', text: body } }] });

const cwdArg = z.string().max(4096).optional().describe("Absolute directory to work in (default: this project's directory).");
const backendArg = z
  .string()
  .max(40)
  .optional()
  .describe(`Backend: ${BACKENDS.join(', ')} (default claude_code).`);

/** The tail every prompt shares: how the result comes back without polling. */
const FOLLOW =
  'Do not poll in a loop: if this client receives Baton\'s channel events, the result arrives as a <channel source="baton"> event when the run ends, ' +
  'asks for input or waits for plan approval; otherwise call wait_run (or get_pipeline with wait_seconds) once when you need the result.';

// Configs and schemas are built once, at load: the HTTP endpoint builds a server for every request.
const delegatePrompt = {
  title: 'Delegate a task to a Baton run',
  description: 'Spawn a durable agent run for a task and carry on; Baton reports back when it ends.',
  argsSchema: { task: z.string().min(1).max(100_000).describe('What the agent should do.'), backend: backendArg, cwd: cwdArg },
};

const pipelinePrompt = {
  title: 'Plan, work and review a goal',
  description: 'A Baton pipeline: a planner writes a plan, workers carry it out, a reviewer approves or asks for another round.',
  argsSchema: {
    goal: z.string().min(1).max(100_000).describe('What the team should achieve.'),
    cwd: cwdArg,
    approve_plan: z.enum(['yes', 'no']).optional().describe('"yes" (default): wait for your approval of the plan before work starts.'),
  },
};

const statusPrompt = { title: 'What my Baton runs are doing', description: 'A summary of running, waiting and recently finished runs and pipelines.' };

export function registerPrompts(server: McpServer): void {
  server.registerPrompt('delegate', delegatePrompt, ({ task, backend, cwd }) =>
    text(
      [
        'Delegate this task to a Baton run with the spawn_run tool, then continue with other work.',
        `spawn_run arguments: prompt = the task below, written so an agent with no other context can do it; backend = "${backend ?? 'claude_code'}"; ` +
          `cwd = ${cwd ? `"${cwd}"` : 'the absolute path of the current project directory'}.`,
        'Tell me the run_id it returns. ' + FOLLOW,
        'When it has ended, read the result with get_run (read_output for the full transcript); if it asks for input, answer with continue_run.',
        '',
        'Task:',
        task,
      ].join('\n'),
    ),
  );

  server.registerPrompt('pipeline', pipelinePrompt, ({ goal, cwd, approve_plan }) =>
    text(
      [
        'Start a Baton pipeline for the goal below with the spawn_pipeline tool.',
        `spawn_pipeline arguments: goal = the goal below; cwd = ${cwd ? `"${cwd}"` : 'the absolute path of the current project directory'}; ` +
          `require_plan_approval = ${approve_plan === 'no' ? 'false' : 'true'}; worker = {"backend": "claude_code"}.`,
        'Tell me the pipeline_id it returns. ' + FOLLOW,
        'When it awaits approval, show me the plan from get_pipeline and, once I agree, call approve_plan with decision "approve" (or "reject"). ' +
          "When it has ended, summarise get_pipeline's verdict and steps.",
        '',
        'Goal:',
        goal,
      ].join('\n'),
    ),
  );

  server.registerPrompt('status', statusPrompt, () =>
    text(
      [
        'Summarise what my Baton runs are doing, in a short table (run_id, status, role, backend, what it works on, last message).',
        'Use list_runs with status "running", then with status "input_required", then list_runs with finished_since = one hour ago for what ended recently. ' +
          'For a pipeline (pipe_...) use get_pipeline.',
        'Say which runs need me: input_required runs (answer with continue_run) and pipelines awaiting_approval (approve_plan). ' +
          "Do not wait on anything; get_run gives one run's detail.",
      ].join('\n'),
    ),
  );
}
