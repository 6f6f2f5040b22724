// When a delivery attempt checks who made its notification, and what a check that cannot finish
// does: it must never end the notification (a passing outage would lose it), and it must never
// let a later attempt through unchecked.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeliverWebhookRequest } from '../../src/domain/webhook-delivery.js';

const checks = vi.hoisted(() => ({ outcomes: [] as Array<'pass' | 'refuse' | 'unreachable'>, calls: 0 }));

vi.mock('../../src/activities/webhook-origin.js', () => {
  class WebhookRefusedError extends Error {}
  return {
    WebhookRefusedError,
    checkWebhookOrigin: async () => {
      const outcome = checks.outcomes[Math.min(checks.calls++, checks.outcomes.length - 1)];
      if (outcome === 'refuse') throw new WebhookRefusedError('not made by Baton');
      if (outcome === 'unreachable') throw new Error('14 UNAVAILABLE: connection refused');
    },
  };
});

const { gateWebhook, WEBHOOK_UNCHECKED_TYPE } = await import('../../src/activities/webhook-origin-gate.js');

const FAILED = proto.temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED;

/** A client whose webhook history holds earlier attempts that failed with these types. */
function clientWithAttempts(types: string[]): Client {
  const events = types.map((type) => ({ eventType: FAILED, activityTaskFailedEventAttributes: { failure: { applicationFailureInfo: { type } } } }));
  return { workflow: { getHandle: () => ({ fetchHistory: async () => ({ events }) }) } } as unknown as Client;
}

function deps(client: Client) {
  return { client, secretKey: Buffer.alloc(32), signingSince: new Date(0), bindingSince: new Date(0) };
}

const target = { workflowId: 'run_x.webhook', runId: undefined };
const request = (attempt: number) => ({ attempt }) as DeliverWebhookRequest;

async function gate(client: Client, attempt: number): Promise<ApplicationFailure | null> {
  try {
    await new MockActivityEnvironment().run(() => gateWebhook(deps(client), target, request(attempt)));
    return null;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
}

beforeEach(() => {
  checks.outcomes = [];
  checks.calls = 0;
});

describe('the webhook origin gate', () => {
  it('a first attempt that passes the check may send', async () => {
    checks.outcomes = ['pass'];
    expect(await gate(clientWithAttempts([]), 1)).toBeNull();
    expect(checks.calls).toBe(1);
  });

  it('a refusal ends the notification: not retryable', async () => {
    checks.outcomes = ['refuse'];
    const failure = await gate(clientWithAttempts([]), 1);
    expect(failure?.nonRetryable).toBe(true);
    expect(failure?.message).toContain('not made by Baton');
  });

  it('a check that cannot finish at once is tried again within the attempt', async () => {
    checks.outcomes = ['unreachable', 'unreachable', 'pass'];
    expect(await gate(clientWithAttempts([]), 1)).toBeNull();
    expect(checks.calls).toBe(3);
  });

  it('a check that cannot finish for long fails the attempt as retryable, with a type the workflow retries', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      checks.outcomes = ['unreachable'];
      const pending = gate(clientWithAttempts([]), 1);
      vi.setSystemTime(Date.now() + 60_000);
      const failure = await pending;
      expect(failure?.type).toBe(WEBHOOK_UNCHECKED_TYPE);
      expect(failure?.nonRetryable).toBe(false);
      expect(failure?.message).toContain('nothing was sent or signed');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a later attempt after attempts that were never checked is checked again', async () => {
    checks.outcomes = ['refuse'];
    const failure = await gate(clientWithAttempts([WEBHOOK_UNCHECKED_TYPE, WEBHOOK_UNCHECKED_TYPE]), 3);
    expect(checks.calls).toBe(1);
    expect(failure?.nonRetryable).toBe(true);
  });

  it('a later attempt after one that reached the receiver is not checked again (the evidence may have aged)', async () => {
    checks.outcomes = ['refuse'];
    expect(await gate(clientWithAttempts([WEBHOOK_UNCHECKED_TYPE, 'BatonWebhookRetryable']), 3)).toBeNull();
    expect(checks.calls).toBe(0);
  });
});
