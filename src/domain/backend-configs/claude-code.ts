import { z } from 'zod';
import { envSchema, strictObject } from '../strict.js';

const toolList = z
  .array(
    z
      .string()
      .min(1)
      .regex(/^[^,]+$/, 'one tool rule per entry, e.g. "Bash(git *)" (no commas)'),
  )
  .max(200);

export const claudeCodeConfigSchema = strictObject(
  {
    allowed_tools: toolList.default([]).describe('Tools Claude may use without asking, e.g. ["Read", "Edit", "Bash(npm test)"] (--allowedTools).'),
    disallowed_tools: toolList.default([]).describe('Tools Claude may not use, e.g. ["WebFetch"] (--disallowedTools).'),
    fork_session: z
      .boolean()
      .default(false)
      .describe('With session_mode "resume": continue in a new session forked from session_id, leaving the original as it was (--fork-session).'),
    env: envSchema.default({}),
  },
  'backend_config for the claude_code backend',
);
export type ClaudeCodeConfig = z.infer<typeof claudeCodeConfigSchema>;
