// What each backend can do and what its options mean, in one table: spawn_run's checks
// (src/domain/spawn-input.ts), the client that seals and checks a run's options before it starts
// (src/client/run-request.ts), the worker that checks them again before a launch
// (src/activities/launch-paths.ts, final-answer.ts) and the workflow that decides where a run whose
// host is lost goes on (src/workflows/supervise-agent.ts) all read it. A new backend is a row here
// and an adapter in src/activities/backends (docs/recipes.md). Plain data: workflows import it.
import type { Backend } from './vocabulary.js';

/** spawn_run options that only some backends understand: anywhere else they are refused, not ignored. */
export const BACKEND_OPTIONS = ['model', 'permission_mode', 'max_turns', 'max_budget_usd', 'profile'] as const;
export type BackendOption = (typeof BACKEND_OPTIONS)[number];

export interface BackendCapabilities {
  /** Its runs have sessions that a later run can continue (session_mode "resume", continue_run). */
  resumable: boolean;
  /** Its session lives off the worker's host, so a run whose host is lost can resume it on another. */
  session_travels: boolean;
  /** The backend-only spawn_run options it takes. */
  options: readonly BackendOption[];
  /** backend_config fields that are secrets, sealed before they enter workflow history: records of values, and single values. */
  secret_records: readonly string[];
  secret_values: readonly string[];
  /** backend_config fields that list directories on the worker's host: on the allow-list, checked at spawn and before each launch. */
  path_lists: readonly string[];
  /** The agent is not on the worker's host: a local file part of its input is sent as content, not as a path. */
  remote: boolean;
  /** output_schema's answer is the last line of its stdout (the others report their final answer themselves). */
  answer_on_stdout: boolean;
}

export const BACKEND_CAPABILITIES: Readonly<Record<Backend, BackendCapabilities>> = {
  claude_code: {
    resumable: true,
    session_travels: false,
    options: ['model', 'permission_mode', 'max_turns', 'max_budget_usd', 'profile'],
    secret_records: [],
    secret_values: [],
    path_lists: [],
    remote: false,
    answer_on_stdout: false,
  },
  codex: {
    resumable: true,
    session_travels: false,
    options: ['model', 'profile'],
    secret_records: [],
    secret_values: [],
    path_lists: ['add_dirs'],
    remote: false,
    answer_on_stdout: false,
  },
  remote_a2a: {
    resumable: true,
    session_travels: true,
    options: [],
    secret_records: ['headers'],
    secret_values: ['bearer_token'],
    path_lists: [],
    remote: true,
    answer_on_stdout: false,
  },
  command: {
    resumable: false,
    session_travels: false,
    options: [],
    secret_records: [],
    secret_values: [],
    path_lists: [],
    remote: false,
    answer_on_stdout: true,
  },
};

export function capabilitiesOf(backend: Backend): BackendCapabilities {
  return BACKEND_CAPABILITIES[backend];
}

/** The backends that take a backend-only option. */
export function backendsTaking(option: BackendOption): Backend[] {
  return (Object.keys(BACKEND_CAPABILITIES) as Backend[]).filter((b) => BACKEND_CAPABILITIES[b].options.includes(option));
}
