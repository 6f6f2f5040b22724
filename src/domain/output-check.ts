// The contract of the checkOutput step: does a run's final output match its output_schema?
import type { StructuredOutputOmitted } from './event-batch.js';

export interface CheckOutputRequest {
  schema: Record<string, unknown>;
  /** What the backend reported as structured output (absent when it reported none). */
  structured_output?: unknown;
  /** The agent reported structured output too large to carry: the check fails saying so. */
  structured_output_omitted?: StructuredOutputOmitted;
  /** The final output text, parsed as JSON when no structured output was reported. */
  output: string;
}

export type CheckOutputResult = { ok: true; value: unknown } | { ok: false; error: string };
