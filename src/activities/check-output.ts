// The checkOutput activity: the final output against the run's output_schema (DESIGN.md §5).
// Run as an activity because schema validation compiles code, which has no place in a workflow.
import type { CheckOutputRequest, CheckOutputResult } from '../domain/output-check.js';
import { compileSchema, describeErrors } from '../json-schema.js';

export async function checkOutput(request: CheckOutputRequest): Promise<CheckOutputResult> {
  const candidate = request.structured_output !== undefined ? { value: request.structured_output } : parseJson(request.output);
  if (!candidate) {
    return { ok: false, error: `the agent's final output is not JSON, so it cannot match output_schema; it begins: ${JSON.stringify(request.output.slice(0, 200))}` };
  }
  const validate = compileSchema(request.schema);
  if (validate(candidate.value)) return { ok: true, value: candidate.value };
  return { ok: false, error: `the agent's output does not match output_schema: ${describeErrors(validate.errors)}` };
}

/** The whole text as JSON, else its last non-empty line (a command that logs before its answer). */
function parseJson(text: string): { value: unknown } | null {
  for (const candidate of [text, text.trim().split('\n').at(-1) ?? '']) {
    try {
      return { value: JSON.parse(candidate) };
    } catch {
      // try the next form
    }
  }
  return null;
}
