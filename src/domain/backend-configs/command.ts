import { z } from 'zod';
import { envSchema, strictObject } from '../strict.js';

export const commandConfigSchema = strictObject(
  {
    command: z
      .array(z.string().min(1), {
        error: (issue) => (issue.input === undefined ? 'the command backend needs backend_config.command: the program and its arguments, e.g. ["npm", "test"]' : undefined),
      })
      .min(1, 'backend_config.command needs at least the program, e.g. ["npm", "test"]')
      .describe('The program and its arguments, e.g. ["npm", "test"]. Run without a shell; the prompt arrives on stdin.'),
    env: envSchema.default({}),
  },
  'backend_config for the command backend',
);
export type CommandConfig = z.infer<typeof commandConfigSchema>;
