// The activity registry (src/domain/activity-registry.ts): each kind of queue gets the activities
// the registry names for it, and nothing else.
import { describe, expect, it } from 'vitest';
import { ACTIVITY_QUEUES, activitiesOn, type AllActivities } from '../../src/domain/activity-registry.js';

const all = Object.fromEntries(Object.keys(ACTIVITY_QUEUES).map((name) => [name, () => Promise.resolve(name)])) as unknown as AllActivities;

describe('the activity registry', () => {
  it('gives each kind of queue exactly its activities', () => {
    expect(Object.keys(activitiesOn('agents', all))).toEqual(['runAgent']);
    expect(Object.keys(activitiesOn('short', all)).sort()).toEqual(
      ['checkOutput', 'deleteSchedule', 'deliverWebhook', 'earlierScheduleState', 'lookAtBridgeSchedule', 'prepareIsolation', 'startChainedSchedule'].sort(),
    );
    expect(Object.keys(activitiesOn('control', all)).sort()).toEqual(
      ['commitWorktree', 'createWorktree', 'mergeBranch', 'prepareIsolation', 'readTranscriptPage', 'removeWorktree', 'stopAgent'].sort(),
    );
  });

  it('hands over the implementations themselves', async () => {
    expect(await activitiesOn('control', all).stopAgent({} as never)).toBe('stopAgent');
  });

  it('puts every activity on at least one queue', () => {
    for (const [name, queues] of Object.entries(ACTIVITY_QUEUES)) expect(queues.length, name).toBeGreaterThan(0);
  });
});
