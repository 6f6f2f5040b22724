// Runs in a worker thread: compiles the caller's output_schema and validates one value against it.
// A caller's pattern can backtrack for minutes; here it can only spend this thread's time, which
// the worker ends when its budget runs out (check-output.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { compileSchema, describeErrors } from '../json-schema.js';

export interface ValidationJob {
  schema: Record<string, unknown>;
  value: unknown;
}

/** null when the value matches, else what is wrong with it. */
export type ValidationAnswer = { errors: string | null };

const job = workerData as ValidationJob;
const validate = compileSchema(job.schema);
const answer: ValidationAnswer = { errors: validate(job.value) ? null : describeErrors(validate.errors) };
parentPort?.postMessage(answer);
