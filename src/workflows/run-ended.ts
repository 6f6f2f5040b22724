// What happens after a run's final state is recorded and before its workflow closes: the
// notification (a webhook child the run abandons) and, for a scheduled run, the stop marker.
import type { RunLedger } from '../domain/run-ledger.js';
import type { RunWorkflowInput } from '../domain/run-spec.js';
import type { RunResult } from '../domain/run-view.js';

export async function onRunEnded(_input: RunWorkflowInput, _ledger: RunLedger, _result: RunResult): Promise<void> {
  // Filled in by notifications and schedules.
}
