// Typed failure kinds (src/domain/vocabulary.ts): a run lost with its worker says so in
// failure_kind; results of earlier releases, which have none, are read by their error's words.
import { describe, expect, it } from 'vitest';
import { bridgeStatusOf } from '../../src/domain/claude-bridge.js';
import { isWorkerLost } from '../../src/domain/vocabulary.js';

describe('failure_kind', () => {
  it('decides, where it is there, whatever the error says', () => {
    expect(isWorkerLost({ status: 'failed', error: 'the agent died with its worker', failure_kind: 'worker_lost' })).toBe(true);
    // Typed as another failure: words that look like worker_lost do not make it one.
    expect(isWorkerLost({ status: 'failed', error: 'worker_lost: quoted by an agent', failure_kind: null })).toBe(false);
    // A result of a release before the field: read by its words.
    expect(isWorkerLost({ status: 'failed', error: 'worker_lost: the agent died with its worker', failure_kind: undefined })).toBe(true);
    expect(isWorkerLost({ status: 'completed', error: null, failure_kind: 'worker_lost' })).toBe(false);
    expect(isWorkerLost({ status: 'failed', error: 'exit code 1', failure_kind: undefined })).toBe(false);
    expect(isWorkerLost(null)).toBe(false);
  });

  it("is claude-bridge's abandoned", () => {
    expect(bridgeStatusOf('failed', 'lost', 'worker_lost')).toBe('abandoned');
    expect(bridgeStatusOf('failed', 'exit code 1')).toBe('done');
  });
});
