// What every backend adapter provides: how to start its CLI, and how to read its output.
import type { LaunchMode } from '../../domain/agent-activity.js';
import type { FactsPatch, NewEvent } from '../../domain/event-batch.js';
import type { InputMessage } from '../../domain/input-message.js';
import type { RunSpec } from '../../domain/run-spec.js';

export interface LaunchRequest {
  run_id: string;
  spec: RunSpec;
  mode: LaunchMode;
  /** The session the run has so far (for resume after a lost worker). */
  session_id: string | null;
  /** What to send the agent this time: the run's input, or the answer to a remote agent's question. */
  input: InputMessage;
  /** The remote task this launch continues (A2A), if any. */
  task_id: string | null;
  /** The run's directory on this host, for files the launch needs (e.g. an output schema). */
  runDir: string;
  /** Opens a secret sealed at spawn time (A2A headers); plain values pass through. */
  openSecret: (value: string, field: string) => string;
  /** The worker's environment: where binaries are looked up. */
  env: NodeJS.ProcessEnv;
}

export interface LaunchPlan {
  /** Absolute path of the program. */
  file: string;
  args: string[];
  /** Added to the worker's environment. */
  env: Record<string, string>;
  /** Written to the prompt file, which becomes the agent's stdin. */
  input: string;
  /** The backend session id when it is known before the agent starts. */
  session_id: string | null;
}

export interface LineOutcome {
  events: NewEvent[];
  facts?: FactsPatch;
}

/** Reads one launch's stdout lines; may keep state between lines (e.g. tool names by id). */
export interface LineParser {
  parse(line: string, ts: string): LineOutcome;
}

export interface BackendAdapter {
  plan(request: LaunchRequest): Promise<LaunchPlan>;
  parser(): LineParser;
}

/** The prompt of a run whose agent died with its worker and whose session is resumed. */
export function resumePrompt(original: string): string {
  return [
    'Your previous session on this task was interrupted: the machine that ran you was lost.',
    'Check the current state of the work, then continue from where you left off and finish the task.',
    'The original request was:',
    '',
    original,
  ].join('\n');
}

/**
 * A stdout line of a JSON-lines CLI, parsed; a line that is not JSON becomes a stderr event that
 * says so (a blank line, nothing), so stray output is shown rather than lost.
 */
export function readJsonLine(line: string, ts: string): { value: unknown } | { outcome: LineOutcome } {
  try {
    return { value: JSON.parse(line) };
  } catch {
    if (line.trim() === '') return { outcome: { events: [] } };
    return { outcome: { events: [{ ts, type: 'stderr', data: { text: line, stream: 'stdout', note: 'not JSON' } }] } };
  }
}
