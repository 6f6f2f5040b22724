// The checkOutput activity: the final output against the run's output_schema (docs/ARCHITECTURE.md).
// Run as an activity because schema validation compiles code, which has no place in a workflow.
// The caller's schema runs in a worker thread with a time budget: a pattern with catastrophic
// backtracking (`^(a+)+$`) must not freeze the worker's event loop, and with it every other run
// and, under `npm start`, the MCP endpoint that shares the process.
import { Worker } from 'node:worker_threads';
import type { CheckOutputRequest, CheckOutputResult } from '../domain/output-check.js';
import { formatBytes, STRUCTURED_OUTPUT_BYTES } from '../domain/sizes.js';
import type { ValidationAnswer, ValidationJob } from './output-validator-thread.js';

/** BATON_OUTPUT_CHECK_SECONDS: how long one validation may take. */
export const DEFAULT_OUTPUT_CHECK_SECONDS = 10;

export function outputCheckBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.BATON_OUTPUT_CHECK_SECONDS);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_OUTPUT_CHECK_SECONDS) * 1000;
}

export async function checkOutput(request: CheckOutputRequest, budgetMs = outputCheckBudgetMs()): Promise<CheckOutputResult> {
  const omitted = request.structured_output === undefined ? request.structured_output_omitted : undefined;
  // The agent's answer was left out for its size: checking the text instead would judge something
  // else (a cut head, or the last message), so the run fails saying why, and where the answer is.
  if (omitted) return { ok: false, error: omittedError(omitted) };
  const candidate = request.structured_output !== undefined ? { value: request.structured_output } : parseJson(request.output);
  if (!candidate) {
    return { ok: false, error: `the agent's final output is not JSON, so it cannot match output_schema; it begins: ${JSON.stringify(request.output.slice(0, 200))}` };
  }
  const outcome = await validateInThread({ schema: request.schema, value: candidate.value }, budgetMs);
  if (outcome === 'timed_out') {
    // Not retried: the same schema on the same output would spend the same time again.
    return {
      ok: false,
      error:
        `validating the output against output_schema exceeded ${budgetMs / 1000} s and was stopped: ` +
        'most likely a "pattern" (or "patternProperties") in the schema backtracks catastrophically on this output, e.g. nested quantifiers like ^(a+)+$; ' +
        'rewrite the pattern without nested or overlapping quantifiers',
    };
  }
  if (outcome.errors === null) return { ok: true, value: candidate.value };
  return { ok: false, error: `the agent's output does not match output_schema: ${outcome.errors}` };
}

function omittedError(omitted: NonNullable<CheckOutputRequest['structured_output_omitted']>): string {
  const trimmed = omitted.limit_bytes < STRUCTURED_OUTPUT_BYTES ? ' (its line was sent trimmed: Temporal refused it as too large)' : '';
  return (
    `the agent's structured output is ${formatBytes(omitted.bytes)} bytes of UTF-8 JSON, over the limit of ${formatBytes(omitted.limit_bytes)} bytes a run carries${trimmed}, ` +
    'so it was not checked against output_schema and result.structured_output is absent; read_output has it whole. ' +
    'Ask the agent for a smaller answer, or to write the data to a file under cwd and answer with its path'
  );
}

function validateInThread(job: ValidationJob, budgetMs: number): Promise<ValidationAnswer | 'timed_out'> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(new URL('./output-validator-thread.js', import.meta.url), { workerData: job });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void thread.terminate();
    };
    const timer = setTimeout(() => settle(() => resolve('timed_out')), budgetMs);
    thread.once('message', (answer: ValidationAnswer) => settle(() => resolve(answer)));
    thread.once('error', (err) => settle(() => reject(err)));
    thread.once('exit', (code) => settle(() => reject(new Error(`the output_schema validation thread exited with code ${code} before it answered`))));
  });
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
