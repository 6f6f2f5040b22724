import type { Backend } from '../../domain/vocabulary.js';
import { claudeCodeBackend } from './claude-code.js';
import { commandBackend } from './command.js';
import type { BackendAdapter } from './types.js';

export const backends: Record<Backend, BackendAdapter> = {
  claude_code: claudeCodeBackend,
  command: commandBackend,
};
