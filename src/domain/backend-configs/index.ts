// backend_config, per backend: validated at spawn time, stored in the RunSpec with defaults filled.
import type { z } from 'zod';
import type { Backend } from '../vocabulary.js';
import { claudeCodeConfigSchema, type ClaudeCodeConfig } from './claude-code.js';
import { codexConfigSchema, type CodexConfig } from './codex.js';
import { commandConfigSchema, type CommandConfig } from './command.js';
import { remoteA2aConfigSchema, type RemoteA2aConfig } from './remote-a2a.js';

export type { ClaudeCodeConfig, CodexConfig, CommandConfig, RemoteA2aConfig };

export interface BackendConfigs {
  claude_code: ClaudeCodeConfig;
  codex: CodexConfig;
  remote_a2a: RemoteA2aConfig;
  command: CommandConfig;
}

export type BackendConfig = BackendConfigs[Backend];

export const backendConfigSchemas: { [B in Backend]: z.ZodType<BackendConfigs[B]> } = {
  claude_code: claudeCodeConfigSchema,
  codex: codexConfigSchema,
  remote_a2a: remoteA2aConfigSchema,
  command: commandConfigSchema,
};
