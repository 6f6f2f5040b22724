// Placeholder until the codex adapter lands.
import { LaunchError } from '../launch-error.js';
import type { BackendAdapter } from './types.js';

export const codexBackend: BackendAdapter = {
  async plan() {
    throw new LaunchError('the codex backend is not available in this build');
  },
  parser: () => ({ parse: () => ({ events: [] }) }),
};
