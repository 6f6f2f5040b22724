// claude-bridge's list_events, derived from the runs and schedules themselves (Baton keeps no
// separate, bounded event buffer that could lose them): a run gives dispatch_start (and
// schedule_tick, when a schedule fired it) and, once it ended, dispatch_end / _cancelled / _error
// / _abandoned; a schedule gives schedule_created; a notification's attempts webhook_sent / _failed.
import type { Client } from '@temporalio/client';
import type { RunsClient } from '../../../client/runs.js';
import { listSchedules } from '../../../client/schedules.js';
import { BRIDGE_CHANNEL_KEY, BRIDGE_NOTABLE_EVENTS, BRIDGE_PERMISSION_KEY, BRIDGE_TIMEOUT_KEY, bridgeStatusOf, epochSeconds } from '../../../domain/claude-bridge.js';
import type { RunView } from '../../../domain/run-view.js';
import { scheduleWatcherId } from '../../../domain/schedule.js';
import { scheduleOfNotifier, spawnErrorOf } from '../../../domain/bridge-schedule-notify.js';
import { WEBHOOK_MEMO_KEY, type WebhookState } from '../../../domain/webhook-delivery.js';
import { isFinalStatus } from '../../../domain/vocabulary.js';
import { channelOf } from './jobs.js';
import { MAX_LISTED_JOBS, runsMatching } from './runs.js';
import { listRecords, stopMarkerIn, type ScheduleRecord } from './schedule-records.js';

type BridgeEvent = { ts: number; event: string } & Record<string, unknown>;

const NOTABLE = new Set<string>(BRIDGE_NOTABLE_EVENTS);
/** schedule_activated looks at this many started chains at most. */
const MAX_LISTED_CHAINS = 200;
/** A scheduled run's id: run_<schedule id>-<fire time>. */
const SCHEDULED_RUN = /^run_(sched_[A-Za-z0-9]+)-/;

export interface EventQuery {
  since: number;
  limit: number;
  types: string[] | null;
  notable_only: boolean;
}

export async function bridgeEvents(runs: RunsClient, query: EventQuery): Promise<BridgeEvent[]> {
  const [views, schedules, webhooks, records, started] = await Promise.all([
    runsMatching(runs, {}, MAX_LISTED_JOBS),
    listSchedules(runs.client, 200),
    webhookStates(runs.client),
    listRecords(runs.client, 200),
    startedChains(runs.client, query.since),
  ]);
  const events: BridgeEvent[] = views.flatMap(eventsOfRun);
  numberTicks(events);
  events.push(...webhooks.flatMap(eventsOfWebhook));
  const recorded = new Map(records.map((r) => [r.facts.id, r]));
  for (const schedule of schedules) {
    const ts = epochSeconds(schedule.created_at);
    if (ts === null || recorded.has(schedule.schedule_id)) continue;
    events.push({
      ts,
      event: 'schedule_created',
      schedule_id: schedule.schedule_id,
      channel: null,
      interval_seconds: schedule.interval_seconds,
      until: epochSeconds(schedule.until),
      after_schedule_id: schedule.after_schedule_id,
      initial_status: schedule.state === 'waiting' ? 'waiting' : 'active',
    });
  }
  for (const schedule of schedules) {
    // A schedule past its until: claude-bridge's schedule_completed, at the until.
    const until = epochSeconds(schedule.until);
    if (schedule.state !== 'ended' || until === null) continue;
    const tickCount = views.filter((v) => SCHEDULED_RUN.exec(v.run_id)?.[1] === schedule.schedule_id).length;
    events.push({ ts: until, event: 'schedule_completed', schedule_id: schedule.schedule_id, tick_count: tickCount, reason: 'until_reached' });
  }
  const live = new Set(schedules.map((s) => s.schedule_id));
  for (const record of records) events.push(...eventsOfRecord(record, live.has(record.facts.id), views));
  for (const chain of started) {
    // The earlier schedule ended: past its until (still kept: completed), or deleted (cancelled, by a call or a stop marker).
    const earlierLive = schedules.find((s) => s.schedule_id === chain.after_schedule_id);
    const predecessor = earlierLive ? 'completed' : 'cancelled';
    events.push({
      ts: chain.ts,
      event: 'schedule_activated',
      schedule_id: chain.schedule_id,
      channel: recorded.get(chain.schedule_id)?.facts.channel ?? null,
      after_schedule_id: chain.after_schedule_id,
      predecessor_status: predecessor,
    });
  }
  const types = query.types && query.types.length > 0 ? new Set(query.types) : null;
  const kept = events.filter((e) => e.ts > query.since && (!types || types.has(e.event)) && (!query.notable_only || NOTABLE.has(e.event))).sort((a, b) => a.ts - b.ts);
  return query.limit > 0 ? kept.slice(0, query.limit) : kept;
}

/** The notifications' delivery states, from their workflows' memos (no worker needed), newest first. */
async function webhookStates(client: Client): Promise<WebhookState[]> {
  const states: WebhookState[] = [];
  for await (const execution of client.workflow.list({ query: `BatonKind = 'webhook'`, pageSize: 100 })) {
    const state = execution.memo?.[WEBHOOK_MEMO_KEY];
    if (state && typeof state === 'object') states.push(state as WebhookState);
    if (states.length >= MAX_LISTED_JOBS) break;
  }
  return states;
}

/** Chained schedules their watcher started (claude-bridge's schedule_activated): the watcher's end is when. */
async function startedChains(client: Client, since: number): Promise<{ ts: number; schedule_id: string; after_schedule_id: string }[]> {
  const closed: { id: string; ts: number; after: string }[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowType = 'scheduleWatcher' AND ExecutionStatus = 'Completed'`, pageSize: 100 })) {
    const after = execution.searchAttributes?.BatonParent?.[0];
    if (execution.closeTime && execution.closeTime.getTime() / 1000 > since && typeof after === 'string')
      closed.push({ id: execution.workflowId, ts: execution.closeTime.getTime() / 1000, after });
    if (closed.length >= MAX_LISTED_CHAINS) break;
  }
  // A watcher also ends when its schedule was deleted while it waited: only a start is an activation.
  // Its result is read only for the watchers that closed after `since` (few: one a chained schedule).
  const results = await Promise.all(
    closed.map((c) =>
      client.workflow
        .getHandle(c.id)
        .result()
        .then(
          (r: { started?: boolean }) => r?.started === true,
          () => false,
        ),
    ),
  );
  return closed.filter((_, i) => results[i]).map((c) => ({ ts: c.ts, schedule_id: c.id.slice(scheduleWatcherId('').length), after_schedule_id: c.after }));
}

/** claude-bridge's webhook_sent / webhook_failed, one per attempt (url is the host only: its path may be secret). */
function eventsOfWebhook(state: WebhookState): BridgeEvent[] {
  return state.attempts.map((attempt) => {
    const ts = (Date.parse(attempt.at) + attempt.duration_ms) / 1000;
    // A schedule's notification names no job (claude-bridge's names nothing but the event).
    const about = scheduleOfNotifier(state.run_id) === null ? { job_id: state.run_id } : {};
    const common = { url: state.url_host, payload_event: state.event, ...about };
    return attempt.outcome === 'delivered'
      ? { ts, event: 'webhook_sent', ...common, http_status: attempt.status }
      : { ts, event: 'webhook_failed', ...common, error: attempt.error, http_status: attempt.status, will_retry: attempt.outcome === 'will_retry' };
  });
}

/** A schedule of this profile, from its record: schedule_created, and once it has ended schedule_cancelled or schedule_self_cancelled. */
function eventsOfRecord(record: ScheduleRecord, live: boolean, views: RunView[]): BridgeEvent[] {
  const { facts } = record;
  const events: BridgeEvent[] = [];
  const created = typeof facts.created_at === 'number' ? facts.created_at : null;
  if (created !== null) {
    events.push({
      ts: created,
      event: 'schedule_created',
      schedule_id: facts.id,
      channel: facts.channel ?? null,
      interval_seconds: facts.interval_seconds ?? null,
      until: facts.until ?? null,
      after_schedule_id: facts.after_schedule_id ?? null,
      initial_status: facts.after_schedule_id ? 'waiting' : 'active',
    });
  }
  if (live) return events;
  // Its ticks among the runs looked at (the newest MAX_LISTED_JOBS), newest first.
  const ticks = views.filter((v) => SCHEDULED_RUN.exec(v.run_id)?.[1] === facts.id).sort((a, b) => b.created_at.localeCompare(a.created_at));
  if (record.cancelled_at !== null) {
    events.push({ ts: record.cancelled_at, event: 'schedule_cancelled', schedule_id: facts.id, tick_count: ticks.length });
    return events;
  }
  const last = ticks[0];
  const stoppedAt = last && stopMarkerIn(last) ? epochSeconds(last.finished_at) : null;
  if (stoppedAt !== null) events.push({ ts: stoppedAt, event: 'schedule_self_cancelled', schedule_id: facts.id, tick_count: ticks.length });
  return events;
}

/** claude-bridge's tick_count of each schedule_tick: its place among its schedule's ticks (of the runs looked at). */
function numberTicks(events: BridgeEvent[]): void {
  const counts = new Map<unknown, number>();
  for (const tick of events.filter((e) => e.event === 'schedule_tick').sort((a, b) => a.ts - b.ts)) {
    const count = (counts.get(tick.schedule_id) ?? 0) + 1;
    counts.set(tick.schedule_id, count);
    tick.tick_count = count;
  }
}

function eventsOfRun(view: RunView): BridgeEvent[] {
  const events: BridgeEvent[] = [];
  const job = { job_id: view.run_id, channel: channelOf(view) };
  const startedAt = epochSeconds(view.created_at);
  if (startedAt !== null) {
    const timeout = view.metadata[BRIDGE_TIMEOUT_KEY];
    events.push({
      ts: startedAt,
      event: 'dispatch_start',
      ...job,
      cwd: view.cwd,
      permission_mode: view.metadata[BRIDGE_PERMISSION_KEY] ?? null,
      timeout_seconds: timeout !== undefined ? Number(timeout) : null,
    });
    const scheduled = SCHEDULED_RUN.exec(view.run_id);
    if (scheduled)
      events.push({ ts: startedAt, event: 'schedule_tick', schedule_id: scheduled[1], channel: view.metadata[BRIDGE_CHANNEL_KEY] ?? job.channel, job_id: view.run_id });
  }
  const finishedAt = epochSeconds(view.finished_at);
  if (!isFinalStatus(view.status) || finishedAt === null) return events;
  // A tick whose agent never started: claude-bridge's "a tick failed to spawn".
  const scheduled = SCHEDULED_RUN.exec(view.run_id);
  const spawnError = scheduled ? spawnErrorOf(view) : null;
  if (spawnError !== null) events.push({ ts: finishedAt, event: 'schedule_tick_error', schedule_id: scheduled![1], error: spawnError });
  switch (bridgeStatusOf(view.status, view.error, view.result?.failure_kind)) {
    case 'done':
      events.push({
        ts: finishedAt,
        event: 'dispatch_end',
        ...job,
        ok: view.status === 'completed',
        duration_ms: view.result?.elapsed_ms ?? view.elapsed_ms ?? null,
        exit_code: view.result?.exit_code ?? null,
      });
      break;
    case 'cancelled':
      events.push({ ts: finishedAt, event: 'dispatch_cancelled', ...job });
      break;
    case 'abandoned':
      events.push({ ts: finishedAt, event: 'dispatch_abandoned', ...job, pid: null });
      break;
    default:
      events.push({ ts: finishedAt, event: 'dispatch_error', ...job, error: view.error });
  }
  return events;
}
