// A durable record of each schedule schedule_dispatch makes, so that a schedule that has ended (by
// cancel_schedule, by a tick's stop marker, or cancel_schedule of the baton profile: all delete the
// Temporal Schedule) is still one get_schedule and list_schedules show, with claude-bridge's status
// `cancelled`, as claude-bridge keeps its cancelled schedules.
//
// The record is a workflow execution that never runs: started on a task queue no worker polls
// (`<task queue>.bridge-records`), its memo holds the schedule's facts at creation (claude-bridge's
// view of it without the counters), its search attribute BatonKind = 'bridge_schedule_record'. It
// needs no worker and no new workflow code. cancel_schedule of this profile adds a second one, of
// kind 'bridge_schedule_cancel', whose memo has when (the ts of schedule_cancelled). Both close
// themselves (time out) after RECORD_DAYS, and Temporal keeps a closed one for the namespace's
// retention; past that, the ended schedule is unknown again. Everything else a record answers (ticks,
// last job, the stop marker) is read from the schedule's runs, which are Baton runs.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { RunsClient } from '../../../client/runs.js';
import { BRIDGE_STOP_MARKER, bridgeStatusOf, epochSeconds } from '../../../domain/claude-bridge.js';
import { STOP_SCHEDULE_MARKER } from '../../../domain/notify.js';
import type { RunView } from '../../../domain/run-view.js';
import { searchAttributeKeys } from '../../../domain/search-attributes.js';
import { runsMatching, type RunsReader } from './runs.js';

export const RECORD_KIND = 'bridge_schedule_record';
export const CANCEL_KIND = 'bridge_schedule_cancel';
export const RECORD_MEMO_KEY = 'bridge_schedule';
const CANCEL_MEMO_KEY = 'bridge_cancelled_at';
/** How long a record of a schedule stays open (then it is closed, and kept for the retention). */
export const RECORD_DAYS = 30;
/** A deleted schedule's ticks are counted from its runs, up to this many. */
const MAX_COUNTED_TICKS = 1000;

export const recordId = (scheduleId: string) => `${scheduleId}.bridge-record`;
const cancelId = (scheduleId: string) => `${scheduleId}.bridge-cancelled`;
const recordQueue = (taskQueue: string) => `${taskQueue}.bridge-records`;

/** A schedule's facts at creation, as claude-bridge's view names them. */
export type ScheduleFacts = Record<string, unknown> & { id: string };

export interface ScheduleRecord {
  facts: ScheduleFacts;
  /** When cancel_schedule of this profile cancelled it (epoch seconds), else null. */
  cancelled_at: number | null;
}

async function startRecord(runs: RunsClient, workflowId: string, kind: string, memo: Record<string, unknown>, summary: string): Promise<void> {
  try {
    await runs.client.workflow.start('claudeBridgeScheduleRecord', {
      workflowId,
      taskQueue: recordQueue(runs.options.taskQueue),
      args: [],
      memo,
      workflowExecutionTimeout: `${RECORD_DAYS} days`,
      typedSearchAttributes: [{ key: searchAttributeKeys.kind, value: kind }],
      staticSummary: `${summary} (a record of Baton's claude-bridge profile: it never runs)`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export async function writeRecord(runs: RunsClient, facts: ScheduleFacts): Promise<void> {
  await startRecord(runs, recordId(facts.id), RECORD_KIND, { [RECORD_MEMO_KEY]: facts }, `schedule ${facts.id}`);
}

/** Records that cancel_schedule of this profile cancelled the schedule, now. */
export async function markCancelled(runs: RunsClient, scheduleId: string): Promise<void> {
  await startRecord(runs, cancelId(scheduleId), CANCEL_KIND, { [CANCEL_MEMO_KEY]: Date.now() / 1000 }, `schedule ${scheduleId} was cancelled`);
}

async function memoOf(client: Client, workflowId: string): Promise<Record<string, unknown> | null> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).memo ?? {};
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

const cancelledAtOf = (memo: Record<string, unknown> | null | undefined): number | null => {
  const at = memo?.[CANCEL_MEMO_KEY];
  return typeof at === 'number' ? at : null;
};

function factsOf(memo: Record<string, unknown> | null | undefined): ScheduleFacts | null {
  const facts = memo?.[RECORD_MEMO_KEY];
  return facts && typeof facts === 'object' ? (facts as ScheduleFacts) : null;
}

export async function readRecord(client: Client, scheduleId: string): Promise<ScheduleRecord | null> {
  const [record, cancel] = await Promise.all([memoOf(client, recordId(scheduleId)), memoOf(client, cancelId(scheduleId))]);
  const facts = factsOf(record);
  return facts ? { facts, cancelled_at: cancelledAtOf(cancel) } : null;
}

/** Every record (up to `max`), with its cancel. */
export async function listRecords(client: Client, max: number): Promise<ScheduleRecord[]> {
  const list = async (kind: string) => {
    const memos: { id: string; memo: Record<string, unknown> | undefined }[] = [];
    for await (const execution of client.workflow.list({ query: `BatonKind = '${kind}'`, pageSize: 100 })) {
      memos.push({ id: execution.workflowId, memo: execution.memo });
      if (memos.length >= max) break;
    }
    return memos;
  };
  const [records, cancels] = await Promise.all([list(RECORD_KIND), list(CANCEL_KIND)]);
  const cancelled = new Map(cancels.map((c) => [c.id, cancelledAtOf(c.memo)]));
  return records.flatMap(({ memo }) => {
    const facts = factsOf(memo);
    return facts ? [{ facts, cancelled_at: cancelled.get(cancelId(facts.id)) ?? null }] : [];
  });
}

/** The marker a run's output holds, if it holds one. */
export function stopMarkerIn(view: RunView): string | null {
  const output = view.result?.output ?? '';
  if (output.includes(BRIDGE_STOP_MARKER)) return BRIDGE_STOP_MARKER;
  if (output.includes(STOP_SCHEDULE_MARKER)) return STOP_SCHEDULE_MARKER;
  return null;
}

/** A deleted schedule's runs, newest first. */
export async function ticksOf(runs: RunsReader, scheduleId: string): Promise<RunView[]> {
  const ticks = await runsMatching(runs, { schedule_id: scheduleId }, MAX_COUNTED_TICKS);
  return ticks.sort((a, b) => b.created_at.localeCompare(a.created_at));
}

/** claude-bridge's view of a schedule that has ended (deleted): its record's facts, its runs' counters, status cancelled. */
export function endedView(record: ScheduleRecord, ticks: RunView[]): Record<string, unknown> {
  const last = ticks[0] ?? null;
  const marker = last ? stopMarkerIn(last) : null;
  return {
    ...record.facts,
    last_tick_at: last ? epochSeconds(last.created_at) : null,
    last_job_id: last?.run_id ?? null,
    last_tick_status: last ? bridgeStatusOf(last.status, last.error, last.result?.failure_kind) : null,
    tick_count: ticks.length,
    status: 'cancelled',
    // claude-bridge's words for a schedule its tick stopped.
    error: marker && record.cancelled_at === null ? `tick ${ticks.length} emitted ${marker}` : null,
  };
}

/** The ended view of a schedule by id: null when it has no record. */
export async function endedSchedule(runs: RunsReader, scheduleId: string): Promise<Record<string, unknown> | null> {
  const record = await readRecord(runs.client, scheduleId);
  if (!record) return null;
  return endedView(record, await ticksOf(runs, scheduleId));
}
