// Sealing binds a value to its scope and field; the scopes a workflow may open come from its id.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretError, seal, sealScopesOf, unseal } from '../../src/secrets/seal.js';

const key = randomBytes(32);

describe('a sealed value', () => {
  const sealed = seal('s3cret', key, { scope: 'run_A', field: 'notify_headers.X-Token' });

  it('opens for its scope and field', () => {
    expect(unseal(sealed, key, ['run_A'], 'notify_headers.X-Token')).toBe('s3cret');
  });

  it.each([
    [['run_B'], 'notify_headers.X-Token'],
    [['run_A'], 'notify_headers.Authorization'],
    [['run_A'], 'backend_config.bearer_token'],
    [['sched_A'], 'notify_headers.X-Token'],
  ])('does not open for scopes %j and field %s, and never shows its plaintext', (scopes, field) => {
    expect(() => unseal(sealed, key, scopes, field)).toThrow(SecretError);
    try {
      unseal(sealed, key, scopes, field);
    } catch (err) {
      expect((err as Error).message).toContain(field);
      expect((err as Error).message).not.toContain('s3cret');
    }
  });
});

describe('the scopes a workflow id answers for', () => {
  it.each([
    ['run_01ABC', ['run_01ABC']],
    ['run_01ABC.webhook', ['run_01ABC']],
    ['pipe_01XYZ.r1.work-2', ['pipe_01XYZ.r1.work-2', 'pipe_01XYZ']],
    ['pipe_01XYZ.webhook', ['pipe_01XYZ']],
    ['run_sched_01S-2026-11-30T13:00:00Z', ['run_sched_01S-2026-11-30T13:00:00Z', 'sched_01S']],
    ['run_sched_01S-2026-11-30T13:00:00Z.webhook', ['run_sched_01S-2026-11-30T13:00:00Z', 'sched_01S']],
    // A claude-bridge schedule notifier's notifications open what was sealed for the notifier; nothing else of its name does.
    ['bridgenotify_sched_01S.tick-3.webhook', ['bridgenotify_sched_01S.tick-3', 'bridgenotify_sched_01S']],
    ['bridgenotify_sched_01S.schedule_end.webhook', ['bridgenotify_sched_01S.schedule_end', 'bridgenotify_sched_01S']],
    ['bridgenotify_sched_01S.tick-3', ['bridgenotify_sched_01S.tick-3']],
    ['bridgenotify_sched_01S.read-1.webhook', ['bridgenotify_sched_01S.read-1']],
    ['bridgenotify_sched_01S.tick_error-x.webhook', ['bridgenotify_sched_01S.tick_error-x']],
  ])('%s opens what was sealed for %j', (workflowId, scopes) => {
    expect(sealScopesOf(workflowId)).toEqual(scopes);
  });
});
