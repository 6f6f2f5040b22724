// A child run's RunResult, also when it failed or was cancelled: Baton's runs put it in the
// failure's details.
import type { RunResult } from '../domain/run-view.js';

export function resultFromFailure(err: unknown): RunResult | null {
  let cause: unknown = err;
  while (cause && typeof cause === 'object') {
    const details = (cause as { details?: unknown[] }).details;
    if (Array.isArray(details) && details[0] && typeof details[0] === 'object') return details[0] as RunResult;
    cause = (cause as { cause?: unknown }).cause;
  }
  return null;
}
