// Push: a stdio `baton mcp` tells its client when a run or pipeline it started ends, asks for
// input or waits for plan approval, as Claude Code channel events (notifications/claude/channel).
//
// How it finds them: one visibility query per interval for every Baton run and pipeline that
// closed since the session's watermark or waits now, filtered by the memo's origin (the session
// that started it; a memo is not queryable, so the filter is ours). A memo, not a new search
// attribute: nothing to register on the dev server or a cluster. The client writes it, except for
// a channel turn, whose channel writes the origin the enqueued turn carries (src/workflows/channel.ts).
// The watermark and what was pushed are kept in the data dir (push-session.ts), so a restarted
// process pushes the ends its predecessor missed, and none twice.
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { ORIGIN_MEMO_KEY } from '../domain/memo.js';
import { FINAL_PIPELINE_STATUSES, type PipelineStatus, type PipelineView } from '../domain/pipeline.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import { isFinalStatus } from '../domain/vocabulary.js';
import type { RunsClient } from '../client/runs.js';
import { quote } from '../client/run-list.js';
import { viewFromExecution } from '../client/run-views.js';
import { log } from '../log.js';
import { loadPushState, savePushState, type PushState } from './push-session.js';
import { channelEvent, type ChannelEvent, type PushItem } from './push-text.js';

/** How often visibility is asked: one query (a page or a few) per interval, whatever the number of runs. */
export const PUSH_INTERVAL_MS = 1500;
/** Closes are looked for this far behind the last look: visibility may record a close late. */
const OVERLAP_MS = 60_000;
/** At most this many executions are read per look (the newest first). */
const MAX_SCANNED = 2000;
const WAIT_STATUSES = ['input_required', 'auth_required', 'awaiting_approval'];

export interface PushOptions {
  runs: () => Promise<RunsClient>;
  origin: string;
  stateFile: string;
  send: (event: ChannelEvent) => Promise<void>;
}

export class PushWatcher {
  private readonly stopped = new AbortController();
  private loop: Promise<void> | null = null;
  private state: PushState;

  constructor(private readonly opts: PushOptions) {
    this.state = loadPushState(opts.stateFile, new Date());
  }

  start(): void {
    if (this.loop) return;
    // The watermark is on disk from the first moment: a run that ends after this process goes,
    // and before the next one of this session comes, is still pushed by that next one.
    try {
      savePushState(this.opts.stateFile, this.state);
    } catch (err) {
      log.warn(`push: cannot record this session's state in ${this.opts.stateFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failing = false;
    while (!this.stopped.signal.aborted) {
      try {
        await this.look();
        if (failing) log.info('push: looking for ended runs again');
        failing = false;
      } catch (err) {
        // Temporal away or restarting: the watermark stays, so nothing is lost meanwhile.
        if (!failing) log.warn(`push: cannot look for ended runs: ${err instanceof Error ? err.message : String(err)}`);
        failing = true;
      }
      await delay(PUSH_INTERVAL_MS, undefined, { signal: this.stopped.signal }).catch(() => undefined);
    }
  }

  /** One look: push what ended or waits and has not been pushed, then move the watermark. */
  async look(): Promise<void> {
    const runs = await this.opts.runs();
    const lookedAt = Date.now();
    const ended: PushItem[] = [];
    const waiting: PushItem[] = [];
    const closes = new Map<string, string>();
    let scanned = 0;
    for await (const execution of runs.client.workflow.list({ query: pushQuery(this.state.since), pageSize: 500 })) {
      if (++scanned > MAX_SCANNED || this.stopped.signal.aborted) break;
      if (execution.memo?.[ORIGIN_MEMO_KEY] !== this.opts.origin) continue;
      const item = itemOf(execution);
      if (!item) continue;
      if (execution.status.name === 'RUNNING') {
        if (WAIT_STATUSES.includes(item.status)) waiting.push(item);
      } else if (isEnd(item)) {
        ended.push(item);
        closes.set(keyOf(item), (execution.closeTime ?? new Date()).toISOString());
      }
    }
    // In the order they ended (visibility pages are not ordered by close time).
    ended.sort((a, b) => closes.get(keyOf(a))!.localeCompare(closes.get(keyOf(b))!));
    let changed = false;
    let unpushed = lookedAt;
    for (const item of ended) {
      const key = keyOf(item);
      if (this.state.ended[key]) continue;
      if (!(await this.push(item))) {
        // The watermark stays at or before it, so the next look (or process) tries again.
        unpushed = Math.min(unpushed, Date.parse(closes.get(key)!));
        continue;
      }
      this.state.ended[key] = closes.get(key)!;
      changed = true;
    }
    const nowWaiting: string[] = [];
    for (const item of waiting) {
      if (this.state.waiting.includes(keyOf(item)) || (await this.push(item))) nowWaiting.push(keyOf(item));
    }
    // A run that stopped waiting and waits again later is pushed again.
    if (nowWaiting.length !== this.state.waiting.length || nowWaiting.some((k) => !this.state.waiting.includes(k))) changed = true;
    this.state.waiting = nowWaiting;
    const since = new Date(Math.max(Date.parse(this.state.since), Math.min(lookedAt - OVERLAP_MS, unpushed))).toISOString();
    if (since !== this.state.since) {
      this.state.since = since;
      for (const [key, closedAt] of Object.entries(this.state.ended)) if (closedAt < since) delete this.state.ended[key];
      changed = true;
    }
    if (changed) savePushState(this.opts.stateFile, this.state);
  }

  /** Whether the event went out; one that did not stays unpushed, for the next look or process. */
  private async push(item: PushItem): Promise<boolean> {
    try {
      await this.opts.send(channelEvent(item));
      return true;
    } catch (err) {
      log.warn(`push: could not notify about ${item.id}: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }
}

/** Closed since the watermark, or open and waiting; Baton's runs and pipelines only. */
export function pushQuery(since: string): string {
  const waits = WAIT_STATUSES.map(quote).join(', ');
  return (
    `BatonKind IN ('run', 'pipeline') AND ((ExecutionStatus != 'Running' AND CloseTime >= ${quote(since)}) ` + `OR (ExecutionStatus = 'Running' AND BatonStatus IN (${waits})))`
  );
}

function keyOf(item: PushItem): string {
  return `${item.id}:${item.status}`;
}

function isEnd(item: PushItem): boolean {
  return item.kind === 'pipeline' ? FINAL_PIPELINE_STATUSES.includes(item.status as PipelineStatus) : isFinalStatus(item.status as never);
}

/** What to say of an execution; a continued-as-new segment (not final) is no end. */
function itemOf(execution: WorkflowExecutionInfo): PushItem | null {
  const backend = execution.typedSearchAttributes.get(searchAttributeKeys.backend) ?? 'unknown';
  const memoView = execution.memo?.view as { kind?: string } | undefined;
  if (memoView?.kind === 'pipeline' || execution.workflowId.startsWith('pipe_')) {
    const view = memoView as PipelineView | undefined;
    const recorded = execution.typedSearchAttributes.get(searchAttributeKeys.status) ?? view?.status ?? 'planning';
    const status = PIPELINE_CLOSED[execution.status.name] && !FINAL_PIPELINE_STATUSES.includes(recorded as PipelineStatus) ? PIPELINE_CLOSED[execution.status.name]! : recorded;
    return { id: execution.workflowId, kind: 'pipeline', status, role: 'pipeline', backend };
  }
  const view = viewFromExecution(execution);
  if (!view) return null;
  return { id: view.run_id, kind: 'run', status: view.status, role: view.role, backend: view.backend };
}

/** A pipeline whose workflow closed without writing its final status (terminated, timed out). */
const PIPELINE_CLOSED: Partial<Record<WorkflowExecutionInfo['status']['name'], string>> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'cancelled',
  TIMED_OUT: 'failed',
};
