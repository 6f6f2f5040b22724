// A2A task states by their wire names (A2A v1.0 JSON: TASK_STATE_…), and what each means for
// the bridge and for Baton. Plain strings, so the parser needs no SDK enum.
import type { BridgeOutcome } from './lines.js';

/** States after which the task never changes again. */
export const TERMINAL_STATES = ['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED', 'TASK_STATE_REJECTED'] as const;
/** States in which the task waits for the client: the bridge stops, the task lives on. */
export const INTERRUPTED_STATES = ['TASK_STATE_INPUT_REQUIRED', 'TASK_STATE_AUTH_REQUIRED'] as const;

export function isTerminalState(state: string | null | undefined): boolean {
  return (TERMINAL_STATES as readonly string[]).includes(state ?? '');
}

/** A state at which the bridge stops following the task. */
export function isStopState(state: string | null | undefined): boolean {
  return isTerminalState(state) || (INTERRUPTED_STATES as readonly string[]).includes(state ?? '');
}

const OUTCOMES: Record<string, BridgeOutcome> = {
  TASK_STATE_COMPLETED: 'completed',
  TASK_STATE_FAILED: 'failed',
  TASK_STATE_CANCELED: 'canceled',
  TASK_STATE_REJECTED: 'rejected',
  TASK_STATE_INPUT_REQUIRED: 'input_required',
  TASK_STATE_AUTH_REQUIRED: 'auth_required',
};

/** The bridge's outcome for a stop state (see isStopState). */
export function outcomeOfState(state: string): BridgeOutcome {
  const outcome = OUTCOMES[state];
  if (!outcome) throw new Error(`${state} is not a state the bridge stops at`);
  return outcome;
}

/** `TASK_STATE_INPUT_REQUIRED` -> `input required`, for messages people read. */
export function describeState(state: string): string {
  return state
    .replace(/^TASK_STATE_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
}
