// The claude-bridge profile's schedules (docs/claude-bridge.md) through a real MCP SDK client over
// stdio, against the real dev server and the fake claude CLI: schedules in claude-bridge's shape,
// their notifications (claude-bridge's schedule payload, signed), an ended schedule whose record has
// gone, chained schedules, and claude-bridge's stop marker.
import { mkdtempSync, rmSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { recordId } from '../../src/mcp/profiles/claude-bridge/schedule-records.js';
import { baton, bridgeCall, env, receiver, schedules, setUpBridgeProfile, signingSecret, type Dict } from '../helpers/claude-bridge-profile.js';
import { fakeAgent } from '../helpers/env.js';
import { callOk } from '../helpers/mcp.js';
import { temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

setUpBridgeProfile();

describe('schedules', () => {
  it('schedule_dispatch makes a schedule in claude-bridge shape; get_schedule and list_schedules show it; cancel_schedule ends it', async () => {
    const made = await bridgeCall('schedule_dispatch', { prompt: 'check the PRs', channel: 'watcher', interval_seconds: 3600, until_seconds: 7200 });
    expect(made).toMatchObject({ ok: true, schedule_id: expect.stringMatching(/^sched_/) });
    const id = made.schedule_id as string;
    schedules.push(id);
    expect(made.schedule).toMatchObject({
      id,
      channel: 'watcher',
      interval_seconds: 3600,
      until: expect.any(Number),
      status: 'active',
      tick_count: 0,
      last_job_id: null,
      args: { timeout_seconds: 300, permission_mode: 'acceptEdits', cwd: env.workDir },
      notify_url: null,
    });
    expect(await bridgeCall('get_schedule', { schedule_id: id })).toEqual({ ok: true, schedule: made.schedule });
    expect((await bridgeCall('list_schedules')).schedules as Dict[]).toContainEqual(made.schedule);

    const cancelled = await bridgeCall('cancel_schedule', { schedule_id: id });
    expect(cancelled).toMatchObject({ ok: true, cancelled: true, schedule: { id, status: 'cancelled' } });
    // The schedule is deleted; its record says it was cancelled, as claude-bridge keeps it.
    expect(await bridgeCall('get_schedule', { schedule_id: id })).toEqual({ ok: true, schedule: { ...(made.schedule as Dict), status: 'cancelled' } });
    expect((await bridgeCall('list_schedules')).schedules as Dict[]).toContainEqual({ ...(made.schedule as Dict), status: 'cancelled' });
    expect(await bridgeCall('cancel_schedule', { schedule_id: id })).toEqual({ ok: true, cancelled: false, reason: 'already_inactive', status: 'cancelled' });
    expect(await callOk<{ deleted: boolean }>(baton.client, 'cancel_schedule', { schedule_id: id })).toMatchObject({ deleted: false });
  });

  it(
    "a schedule's notifications are claude-bridge's schedule payload, with its headers, signed: tick, tick_error for a tick whose agent could not start, schedule_end once cancelled",
    { timeout: 120_000 },
    async () => {
      const vanishing = mkdtempSync(`${env.workDir}/vanishing-`);
      const made = await bridgeCall('schedule_dispatch', {
        prompt: 'check the PRs',
        channel: 'hooks: #1',
        interval_seconds: 10,
        cwd: vanishing,
        notify_url: `${receiver.url}/sched`,
        notify_on: ['tick', 'tick_error', 'schedule_end'],
        notify_headers: { 'X-Auth': 'abc' },
      });
      const id = made.schedule_id as string;
      schedules.push(id);
      // The tick's claude cannot start where its cwd was: claude-bridge's "a tick failed to spawn".
      rmSync(vanishing, { recursive: true });
      const hooks = () =>
        receiver.requests
          .filter((r) => r.path.endsWith('/sched'))
          .map((r) => ({ request: r, payload: new Webhook(signingSecret).verify(r.body, r.headers) as Dict }))
          .filter((h) => h.payload.schedule_id === id);
      const first = (event: string) =>
        waitFor(() => hooks().find((h) => h.payload.event === event && (event === 'schedule_end' || h.payload.tick_count === 1)), {
          timeoutMs: 60_000,
          what: `the ${event} notification (got ${
            hooks()
              .map((h) => `${String(h.payload.event)} ${String(h.payload.tick_count)}`)
              .join(', ') || 'none'
          })`,
        });
      const [tick, tickError] = await Promise.all([first('tick'), first('tick_error')]);
      const keys = ['channel', 'error', 'event', 'last_job_id', 'last_tick_at', 'last_tick_result', 'schedule_id', 'status', 'tick_count'];
      expect(tick.request.headers['x-auth']).toBe('abc');
      expect(tick.payload).toEqual({
        event: 'tick',
        schedule_id: id,
        channel: 'hooks: #1',
        tick_count: 1,
        status: 'active',
        last_tick_at: expect.any(Number),
        last_tick_result: null,
        last_job_id: expect.stringMatching(new RegExp(`^run_${id}-`)),
        error: null,
      });
      expect(tickError.payload).toMatchObject({ event: 'tick_error', tick_count: 1, last_job_id: tick.payload.last_job_id, error: expect.stringContaining(vanishing) });
      expect(Object.keys(tickError.payload).sort()).toEqual(keys);
      // The tick's run is a job that failed (ok: false), as the tick is; list_events has claude-bridge's schedule_tick_error.
      expect(await bridgeCall('get_dispatch', { job_id: tick.payload.last_job_id })).toMatchObject({ status: 'done', ok: false });
      const tickErrors = (await bridgeCall('list_events', { types: ['schedule_tick_error'], limit: 0 })).events as Dict[];
      expect(tickErrors.find((e) => e.schedule_id === id)).toMatchObject({ event: 'schedule_tick_error', error: expect.stringContaining(vanishing) });

      expect(await bridgeCall('cancel_schedule', { schedule_id: id })).toMatchObject({ ok: true, cancelled: true });
      const end = await first('schedule_end');
      expect(end.payload).toMatchObject({ event: 'schedule_end', schedule_id: id, channel: 'hooks: #1', status: 'cancelled', tick_count: expect.any(Number), error: null });
      expect(Object.keys(end.payload).sort()).toEqual(keys);
      // Each is one notification, whatever the receiver's retries: one id each.
      expect(new Set(hooks().map((h) => h.request.headers['webhook-id'])).size).toBe(hooks().length);
      // Their deliveries are claude-bridge's webhook_sent events, which name no job for a schedule's.
      const sent = await waitFor(
        async () =>
          ((await bridgeCall('list_events', { types: ['webhook_sent'], limit: 0 })).events as Dict[]).find(
            (e) => e.payload_event === 'schedule_end' && e.url === new URL(receiver.url).host,
          ),
        { what: 'the webhook_sent of schedule_end' },
      );
      expect(sent).toMatchObject({ event: 'webhook_sent', http_status: 200, url: new URL(receiver.url).host });
      expect(sent).not.toHaveProperty('job_id');
    },
  );

  it('a schedule whose record has gone (past its retention) still tells its schedule_end when it is cancelled', async () => {
    const made = await bridgeCall('schedule_dispatch', { prompt: 'old', channel: 'aged', interval_seconds: 3600, notify_url: `${receiver.url}/aged` });
    const id = made.schedule_id as string;
    schedules.push(id);
    const temporal = await temporalClient(env);
    try {
      // What the namespace's retention does to a closed record, done now: the record is gone.
      await temporal.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: recordId(id) } });
      await waitFor(
        async () =>
          (await bridgeCall('get_schedule', { schedule_id: id })).ok === true &&
          !(await temporal.workflow
            .getHandle(recordId(id))
            .describe()
            .then(
              () => true,
              () => false,
            )),
        {
          what: `the record of ${id} to be deleted`,
        },
      );
      // Cancelled outside the claude-bridge profile: no record of the cancel either.
      await callOk(baton.client, 'cancel_schedule', { schedule_id: id });
      const end = await waitFor(() => receiver.requests.find((r) => r.path.endsWith('/aged') && (JSON.parse(r.body) as Dict).schedule_id === id), {
        timeoutMs: 60_000,
        what: 'the schedule_end',
      });
      expect(JSON.parse(end.body)).toMatchObject({ event: 'schedule_end', schedule_id: id, channel: 'aged', status: 'cancelled', tick_count: 0, error: null });
    } finally {
      await temporal.connection.close();
    }
  });

  it('a chained schedule starts once the one before it is cancelled: list_events says schedule_activated', async () => {
    const first = await bridgeCall('schedule_dispatch', { prompt: 'first', channel: 'chain', interval_seconds: 3600 });
    const second = await bridgeCall('schedule_dispatch', { prompt: 'second', channel: 'chain', interval_seconds: 3600, after_schedule_id: first.schedule_id });
    schedules.push(first.schedule_id as string, second.schedule_id as string);
    expect(second.schedule).toMatchObject({ status: 'waiting', after_schedule_id: first.schedule_id });
    await bridgeCall('cancel_schedule', { schedule_id: first.schedule_id });
    const activated = await waitFor(
      async () => ((await bridgeCall('list_events', { types: ['schedule_activated'], limit: 0 })).events as Dict[]).find((e) => e.schedule_id === second.schedule_id),
      { what: 'schedule_activated of the chained schedule' },
    );
    expect(activated).toMatchObject({ channel: 'chain', after_schedule_id: first.schedule_id, predecessor_status: 'cancelled', ts: expect.any(Number) });
    expect((await bridgeCall('get_schedule', { schedule_id: second.schedule_id })).schedule).toMatchObject({ status: 'active' });
    await bridgeCall('cancel_schedule', { schedule_id: second.schedule_id });
  });

  it("a scheduled run whose output holds claude-bridge's stop marker ends its schedule", async () => {
    const made = await callOk<{ schedule_id: string }>(baton.client, 'schedule_run', {
      prompt: 'all checked [BRIDGE_STOP_SCHEDULE]',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--stdin'),
      interval_seconds: 10,
    });
    schedules.push(made.schedule_id);
    await waitFor(async () => (await bridgeCall('get_schedule', { schedule_id: made.schedule_id })).ok === false, {
      timeoutMs: 45_000,
      intervalMs: 500,
      what: 'the stop marker to end the schedule',
    });
    const runs = await waitFor(
      async () => {
        const page = await callOk<{ runs: RunView[] }>(baton.client, 'list_runs', { schedule_id: made.schedule_id });
        return page.runs[0]?.result ? page.runs : null;
      },
      { what: 'the scheduled run to be listed as finished' },
    );
    expect(runs[0].result!.output).toContain('[BRIDGE_STOP_SCHEDULE]');
    const { events } = await bridgeCall('list_events', { types: ['schedule_tick'], limit: 0 });
    expect((events as Dict[]).filter((e) => e.schedule_id === made.schedule_id).map((e) => e.job_id)).toContain(runs[0].run_id);
  });
});
