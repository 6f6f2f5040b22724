// What one transcript line may hand the workflow: its events and facts within fixed byte budgets,
// whatever the agent printed. The transcript keeps the line whole (read_output).
import type { FactsPatch, NewEvent } from './event-batch.js';
import { boundEventData } from './event-log.js';
import { cutHeadBytes, FACT_ID_BYTES, FACT_TEXT_BYTES, jsonBytes, LINE_EVENTS_BYTES, STRUCTURED_OUTPUT_BYTES } from './sizes.js';

/** A line's events, each within EVENT_DATA_BYTES, all within LINE_EVENTS_BYTES (then a marker event). */
export function boundLineEvents(events: NewEvent[], budget = LINE_EVENTS_BYTES): NewEvent[] {
  const out: NewEvent[] = [];
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    const event = { ...events[i], data: boundEventData(events[i].data) };
    bytes += jsonBytes(event);
    if (bytes > budget && out.length > 0) {
      out.push({
        ts: event.ts,
        type: 'stderr',
        data: { text: `…[${events.length - i} more events of this line left out: over ${budget} bytes; read_output has the line]`, stream: 'stdout', note: 'events cut' },
      });
      return out;
    }
    out.push(event);
  }
  return out;
}

/**
 * A line's facts within fixed sizes: texts cut, ids cut, structured output over its budget left
 * out with a note of its size (the run then fails saying so, rather than as if the agent had
 * answered nothing; read_output has it whole).
 */
export function boundFacts(facts: FactsPatch, textBytes = FACT_TEXT_BYTES, structuredBytes = STRUCTURED_OUTPUT_BYTES): FactsPatch {
  const out: FactsPatch = { ...facts };
  if (out.output !== undefined) out.output = cutHeadBytes(out.output, textBytes);
  if (out.error !== undefined) out.error = cutHeadBytes(out.error, textBytes);
  if (out.session_id !== undefined) out.session_id = cutHeadBytes(out.session_id, FACT_ID_BYTES);
  if (out.task_id !== undefined) out.task_id = cutHeadBytes(out.task_id, FACT_ID_BYTES);
  if (out.structured_output !== undefined) {
    const bytes = jsonBytes(out.structured_output);
    if (bytes > structuredBytes) {
      delete out.structured_output;
      out.structured_output_omitted = { reason: 'too_large', bytes, limit_bytes: structuredBytes };
    }
  }
  for (const key of ['usage', 'usage_add'] as const) {
    if (out[key] !== undefined && jsonBytes(out[key]) > 1024) delete out[key];
  }
  return out;
}
