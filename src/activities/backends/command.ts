// The command backend: any program, without a shell; the prompt on stdin; each stdout line an
// agent message; exit code 0 means completed.
import type { CommandConfig } from '../../domain/run-spec.js';
import { renderMessageAsText } from './render-message.js';
import { resolveProgram } from './resolve-binary.js';
import type { BackendAdapter, LaunchPlan, LaunchRequest, LineParser } from './types.js';

export const commandBackend: BackendAdapter = {
  async plan({ spec, env, input }: LaunchRequest): Promise<LaunchPlan> {
    const config = spec.backend_config as CommandConfig;
    const [program, ...args] = config.command;
    return {
      file: await resolveProgram(program, spec.cwd, env),
      args,
      env: config.env,
      input: renderMessageAsText(input),
      session_id: null,
    };
  },
  parser(): LineParser {
    return { parse: (line, ts) => ({ events: [{ ts, type: 'agent_message', data: { text: line } }] }) };
  },
};
