// A complete RunSpec for tests that build specs by hand (unit tests of the ledger and the launch
// MAC, forged starts): a `command` run with every option at its default, and the given changes.
import { createHmac } from 'node:crypto';
import type { RunSpec } from '../../src/domain/run-spec.js';
import { canonical } from '../../src/secrets/launch-mac.js';

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

/**
 * The launch MAC as release 0.2.0 made it (`v1`, bound to no workflow id), kept here as that
 * release's formula to prove what this one does with specs still in flight from it.
 */
export function v1LaunchMac(scope: 'run' | 'pipeline', covered: Record<string, unknown>, key: Buffer): string {
  const macKey = createHmac('sha256', key).update('baton launch mac v1').digest();
  return createHmac('sha256', macKey)
    .update(`${scope}\n${canonical(covered)}`)
    .digest('base64url');
}
