// A complete RunSpec for tests that build specs by hand (unit tests of the ledger and the launch
// MAC, forged starts): a `command` run with every option at its default, and the given changes.
import type { RunSpec } from '../../src/domain/run-spec.js';

export function commandSpec(changes: Partial<RunSpec> = {}): RunSpec {
  return {
    backend: 'command',
    role: 'worker',
    input: { role: 'user', parts: [{ kind: 'text', text: 'run the tests' }] },
    cwd: '/tmp',
    session_mode: 'new',
    session_id: null,
    model: null,
    permission_mode: null,
    max_turns: null,
    max_budget_usd: null,
    timeout_seconds: null,
    on_worker_loss: 'resume',
    metadata: {},
    profile_text: null,
    output_schema: null,
    channel: null,
    parent: null,
    session_cost_baseline_usd: null,
    backend_config: { command: ['true'], env: {} },
    ...changes,
  };
}
