import { z } from 'zod';
import { envSchema, strictObject } from '../strict.js';

export const codexConfigSchema = strictObject(
  {
    env: envSchema.default({}),
  },
  'backend_config for the codex backend',
);
export type CodexConfig = z.infer<typeof codexConfigSchema>;
