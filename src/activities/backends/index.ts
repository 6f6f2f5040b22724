import type { Backend } from '../../domain/vocabulary.js';
import { remoteA2aBackend } from './a2a.js';
import { claudeCodeBackend } from './claude-code.js';
import { codexBackend } from './codex.js';
import { commandBackend } from './command.js';
import type { BackendAdapter } from './types.js';

export const backends: Record<Backend, BackendAdapter> = {
  claude_code: claudeCodeBackend,
  codex: codexBackend,
  remote_a2a: remoteA2aBackend,
  command: commandBackend,
};
