// The remote_a2a backend: Baton runs the A2A bridge (src/a2a/bridge.ts) as the agent's CLI, so a
// remote agent is started, followed, re-attached to and stopped like a local one. The message goes
// on stdin as JSON, the headers in BATON_A2A_HEADERS (never argv), the A2A context id is the
// run's session id.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RemoteA2aConfig } from '../../domain/backend-configs/remote-a2a.js';
import { HEADERS_ENV } from '../../a2a/connect.js';
import { packageRoot } from '../../temporal/ensure-cli.js';
import { LaunchError } from '../launch-error.js';
import { A2aStreamParser } from './a2a-stream.js';
import type { BackendAdapter, LaunchPlan, LaunchRequest } from './types.js';

/** The compiled bridge, found from the package root (this module runs from dist/, or src/ under vitest). */
export function bridgePath(): string {
  return path.join(packageRoot(), 'dist', 'a2a', 'bridge.js');
}

export const remoteA2aBackend: BackendAdapter = {
  async plan(request: LaunchRequest): Promise<LaunchPlan> {
    const config = request.spec.backend_config as RemoteA2aConfig;
    const bridge = bridgePath();
    if (!existsSync(bridge)) {
      throw new LaunchError(`remote_a2a: the A2A bridge ${bridge} is missing; build Baton (npm run build) so dist/a2a/bridge.js exists`);
    }
    const target = chooseTarget(request);
    return {
      file: process.execPath,
      args: [bridge, `--agent-url=${config.agent_url}`, ...target.args],
      env: { [HEADERS_ENV]: JSON.stringify(requestHeaders(config, request.openSecret)) },
      // --resume-task sends nothing; the bridge does not read stdin then.
      input: target.sends ? JSON.stringify(request.input) : '',
      session_id: target.contextId,
    };
  },
  parser: () => new A2aStreamParser(),
};

/** The configured headers, opened; bearer_token becomes the Authorization header and wins over one given in headers. */
export function requestHeaders(config: RemoteA2aConfig, openSecret: (value: string, field: string) => string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    if (config.bearer_token && name.toLowerCase() === 'authorization') continue;
    headers[name] = openSecret(value, `backend_config.headers.${name}`);
  }
  if (config.bearer_token) headers.Authorization = `Bearer ${openSecret(config.bearer_token, 'backend_config.bearer_token')}`;
  return headers;
}

interface Target {
  args: string[];
  contextId: string | null;
  /** False when the bridge only follows an existing task. */
  sends: boolean;
}

/**
 * - launch / restart: a new task, in the spec's session when it resumes one;
 * - answer: the input goes to the run's task (input-required), in the run's context;
 * - resume (the bridge died with its worker): follow the run's task without sending; with no
 *   task id known, the message may never have arrived, so it is sent again in the run's context.
 */
function chooseTarget(request: LaunchRequest): Target {
  const { spec, mode } = request;
  const specContext = spec.session_mode === 'resume' ? spec.session_id : null;
  if (mode === 'launch' || mode === 'restart') return withContext([], specContext, true);
  const contextId = request.session_id ?? specContext;
  if (mode === 'resume' && request.task_id) return withContext([`--resume-task=${request.task_id}`], contextId, false);
  if (mode === 'answer' && request.task_id) return withContext([`--task-id=${request.task_id}`], contextId, true);
  return withContext([], contextId, true);
}

function withContext(args: string[], contextId: string | null, sends: boolean): Target {
  // Ids a remote agent chose (task, context) are glued to their options: never read as options.
  return { args: contextId ? [...args, `--context-id=${contextId}`] : args, contextId, sends };
}
