// When the notifier of a claude-bridge schedule looks next (src/activities/bridge-schedule.ts),
// from a schedule's description alone: a stub client stands in for Temporal.
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { lookAtBridgeSchedule } from '../../src/activities/bridge-schedule.js';

function clientDescribing(nextActionTimes: Date[]): Client {
  const description = { info: { nextActionTimes, recentActions: [], numActionsTaken: 0 }, spec: {}, state: { paused: false, note: '' }, memo: {} };
  return {
    schedule: { getHandle: () => ({ describe: async () => description }) },
    // No runs yet: the fire has not started one.
    workflowService: { listWorkflowExecutions: async () => ({ executions: [] }) },
    options: { namespace: 'default' },
  } as unknown as Client;
}

describe('lookAtBridgeSchedule: the next look', () => {
  it('is just after the next fire when that fire is ahead', async () => {
    const next = Date.now() + 9_000;
    const look = await lookAtBridgeSchedule({ client: clientDescribing([new Date(next), new Date(next + 10_000)]), secretKey: Buffer.alloc(32) }, 'sched_x');
    expect(look.look_again_at).toBe(next + 1_500);
  });

  it('is a few seconds away when a fire is due but the schedule has not taken it yet (a busy server), not at the fire after it', async () => {
    const now = Date.now();
    const look = await lookAtBridgeSchedule({ client: clientDescribing([new Date(now - 500), new Date(now + 9_500)]), secretKey: Buffer.alloc(32) }, 'sched_x');
    expect(look.look_again_at).toBeGreaterThan(now);
    expect(look.look_again_at).toBeLessThanOrEqual(Date.now() + 3_000);
  });
});
