// What the agent's output says about the run as a whole, and how each line's patch changes it.
import type { FactsPatch, StructuredOutputOmitted } from './event-batch.js';
import type { Usage } from './run-view.js';

export interface RunFacts {
  session_id: string | null;
  output: string | null;
  is_error: boolean;
  error: string | null;
  usage: Usage | null;
  cost_usd: number | null;
  session_cost_usd: number | null;
  num_turns: number | null;
  structured_output: unknown;
  /** The last structured output the agent reported was too large to carry (absent in 0.2.0 and before). */
  structured_output_omitted?: StructuredOutputOmitted;
  remote_status: FactsPatch['remote_status'] | null;
  task_id: string | null;
}

/** Merges one line's patch, field by field; `baseline` is what the session cost before the run. */
export function mergeFacts(facts: RunFacts, patch: FactsPatch, baseline: number): void {
  if (patch.session_id !== undefined) facts.session_id = patch.session_id;
  if (patch.output !== undefined) facts.output = patch.output;
  if (patch.is_error !== undefined) facts.is_error = patch.is_error;
  if (patch.error !== undefined) facts.error = patch.error;
  if (patch.usage !== undefined) facts.usage = patch.usage;
  if (patch.usage_add !== undefined) facts.usage = addUsage(facts.usage, patch.usage_add);
  if (patch.cost_usd !== undefined) facts.cost_usd = patch.cost_usd;
  if (patch.session_cost_usd !== undefined) {
    facts.session_cost_usd = patch.session_cost_usd;
    facts.cost_usd = Math.max(0, patch.session_cost_usd - baseline);
  }
  if (patch.num_turns !== undefined) facts.num_turns = (facts.num_turns ?? 0) + patch.num_turns;
  // The last one reported counts: a later small answer replaces a note of a large one, and back.
  if (patch.structured_output !== undefined) {
    facts.structured_output = patch.structured_output;
    delete facts.structured_output_omitted;
  }
  if (patch.structured_output_omitted !== undefined) {
    facts.structured_output = undefined;
    facts.structured_output_omitted = patch.structured_output_omitted;
  }
  if (patch.remote_status !== undefined) facts.remote_status = patch.remote_status;
  if (patch.task_id !== undefined) facts.task_id = patch.task_id;
}

function addUsage(total: Usage | null, add: Usage): Usage {
  if (!total) return { ...add };
  return {
    input_tokens: total.input_tokens + add.input_tokens,
    output_tokens: total.output_tokens + add.output_tokens,
    cache_read_input_tokens: total.cache_read_input_tokens + add.cache_read_input_tokens,
    cache_creation_input_tokens: total.cache_creation_input_tokens + add.cache_creation_input_tokens,
  };
}
