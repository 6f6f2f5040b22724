// continue_run: a follow-up turn on a finished run's backend session (linked by parent), a new
// turn on its channel, or the answer to a remote agent that is waiting for input.
import type { InputMessage } from '../domain/input-message.js';
import type { RunSpec } from '../domain/run-spec.js';
import type { RunView } from '../domain/run-view.js';
import { spawnRunInputSchema, type SpawnRunArgs } from '../domain/spawn-input.js';
import { isFinalStatus } from '../domain/vocabulary.js';
import { signAnswer } from '../secrets/launch-mac.js';
import { answerUpdate } from '../workflows/messages.js';
import { checkFileParts } from './cwd.js';
import { InputError } from './errors.js';
import { openedBackendConfig } from './run-request.js';
import { readRunInput } from './run-input.js';
import type { RunsClient } from './runs.js';
import { capabilitiesOf } from '../domain/backends.js';

export interface ContinueArgs {
  run_id: string;
  prompt?: string;
  input_message?: InputMessage;
  timeout_seconds?: number;
  output_schema?: Record<string, unknown>;
  idempotency_key?: string;
}

export interface Continued {
  run_id: string;
  parent_run_id: string;
  how: 'answered' | 'follow_up' | 'channel_turn';
  view: RunView;
}

export async function continueRun(runs: RunsClient, args: ContinueArgs): Promise<Continued> {
  const parent = await runs.get(args.run_id);
  const message = args.input_message ?? { role: 'user' as const, parts: [{ kind: 'text' as const, text: args.prompt ?? '' }] };
  if (args.input_message) checkFileParts('input_message', args.input_message, runs.options.allowedRoots);
  if (parent.status === 'input_required' || parent.status === 'auth_required') {
    // The workflow hands the answer unchanged to the agent's next launch; its MAC lets the worker
    // tell it from an answer sent straight through Temporal.
    const answer: InputMessage = signAnswer(args.run_id, message, runs.options.secretKey);
    const view = await runs.client.workflow.getHandle(args.run_id).executeUpdate(answerUpdate, { args: [answer] });
    return { run_id: args.run_id, parent_run_id: args.run_id, how: 'answered', view };
  }
  if (!isFinalStatus(parent.status)) {
    throw new InputError(`run ${args.run_id} is still ${parent.status}: wait for it (wait_run) or cancel it before you continue it`);
  }
  const spec = (await readRunInput(runs.client, args.run_id)).spec;
  if (!spec.channel && !parent.session_id) {
    throw new InputError(
      `run ${args.run_id} has no backend session to continue (${capabilitiesOf(spec.backend).resumable ? 'it ended before one started' : `the ${spec.backend} backend has none`}): start a new run instead`,
    );
  }
  // The parent's secrets were sealed for the parent; the follow-up seals them again for itself.
  const backendConfig = openedBackendConfig(spec.backend_config, spec.backend, runs.options.secretKey, args.run_id);
  const followUp = spawnRunInputSchema.parse(followUpArgs({ ...spec, backend_config: backendConfig }, parent, args));
  const started = await runs.spawn(followUp, { parent: args.run_id, sessionCostBaseline: parent.result?.session_cost_usd ?? null });
  return { run_id: started.run_id, parent_run_id: args.run_id, how: spec.channel ? 'channel_turn' : 'follow_up', view: started.view };
}

/** The parent's settings, its session (or channel), and the new input. */
function followUpArgs(spec: RunSpec, parent: RunView, args: ContinueArgs): Record<string, unknown> {
  const followUp: Partial<Record<keyof SpawnRunArgs, unknown>> = {
    backend: spec.backend,
    cwd: spec.cwd,
    role: spec.role,
    metadata: spec.metadata,
    // A follow-up continues the session it has; it never forks it again.
    backend_config: 'fork_session' in spec.backend_config ? { ...spec.backend_config, fork_session: false } : spec.backend_config,
    on_worker_loss: spec.on_worker_loss,
    ...(args.input_message ? { input_message: args.input_message } : { prompt: args.prompt }),
  };
  if (spec.channel) followUp.channel = spec.channel;
  // A follow-up goes by its parent's name (the parent has ended, so the name is free for it).
  if (spec.nickname) followUp.nickname = spec.nickname;
  else Object.assign(followUp, { session_mode: 'resume', session_id: parent.session_id });
  for (const key of ['model', 'permission_mode', 'max_turns', 'max_budget_usd', 'profile_text'] as const) {
    const value = spec[key];
    if (value !== null) followUp[key === 'profile_text' ? 'profile' : key] = value;
  }
  const timeout = args.timeout_seconds ?? spec.timeout_seconds;
  if (timeout !== null) followUp.timeout_seconds = timeout;
  if (args.output_schema) followUp.output_schema = args.output_schema;
  if (args.idempotency_key) followUp.idempotency_key = args.idempotency_key;
  return followUp;
}
