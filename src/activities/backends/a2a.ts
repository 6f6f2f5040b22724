// Placeholder until the remote_a2a adapter lands.
import { LaunchError } from '../launch-error.js';
import type { BackendAdapter } from './types.js';

export const remoteA2aBackend: BackendAdapter = {
  async plan() {
    throw new LaunchError('the remote_a2a backend is not available in this build');
  },
  parser: () => ({ parse: () => ({ events: [] }) }),
};
