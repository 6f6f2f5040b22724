// The contract of the checkOutput step: does a run's final output match its output_schema?

export interface CheckOutputRequest {
  schema: Record<string, unknown>;
  /** What the backend reported as structured output (absent when it reported none). */
  structured_output?: unknown;
  /** The final output text, parsed as JSON when no structured output was reported. */
  output: string;
}

export type CheckOutputResult = { ok: true; value: unknown } | { ok: false; error: string };
