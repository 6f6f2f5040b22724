// Baton's client API for runs: what the MCP tools and the CLI call. Live runs answer queries;
// closed runs (or runs whose worker is away) are read from memo and search attributes.
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { originProblem, TAIL_MEMO_KEY } from '../domain/memo.js';
import type { RunEventsPage } from '../domain/run-ledger.js';
import type { RunEvent, RunView } from '../domain/run-view.js';
import type { SpawnRunArgs } from '../domain/spawn-input.js';
import { isFinalStatus } from '../domain/vocabulary.js';
import { cancelSignal, eventsQuery, statusQuery } from '../workflows/messages.js';
import { PipelineNotRunError, RunNotFoundError } from './errors.js';
import { isOpen, viewFromExecution, withLiveElapsed } from './run-views.js';
import { startRun, type StartedRun, type StartRunExtra, type StartRunOptions } from './start-run.js';
import { withWebhookEvents } from './webhook-events.js';
import { PROGRESS_EVERY_MS, waitForClose } from './wait-close.js';

/** A query gets this long before the reader falls back to the memo (no worker answering). */
const QUERY_DEADLINE_MS = 3000;
/**
 * How often a waiting poll_events asks the run again. The queries of every waiting caller share a
 * budget of about 200 a second per MCP server: alone, a caller asks every 200 ms (a new line shows
 * fast); 200 callers each ask once a second, so they do not crowd out the worker's real work.
 */
const EVENT_POLL_MS = { least: 200, most: 1000, perWaiter: 5 };

export interface WaitOutcome {
  finished: boolean;
  view: RunView;
}

export class RunsClient {
  /** Callers inside events() waiting for new events now, in this process. */
  private eventWaiters = 0;

  constructor(
    readonly client: Client,
    readonly options: StartRunOptions,
  ) {
    // The session goes into the memo of every run and pipeline started here, and with a channel
    // turn into the channel's history: of the one form and size the channel accepts.
    const badOrigin = options.origin === undefined ? null : originProblem(options.origin);
    if (badOrigin) throw new Error(badOrigin);
  }

  spawn(args: SpawnRunArgs, extra: StartRunExtra = {}): Promise<StartedRun> {
    return startRun(this.client, this.options, args, extra);
  }

  async get(runId: string): Promise<RunView> {
    const { handle, description } = await this.describe(runId);
    if (isOpen(description)) {
      const live = await this.query(() => handle.query(statusQuery));
      if (live) return onlyRun(withLiveElapsed(live), runId);
    }
    const view = viewFromExecution(description);
    if (!view) throw new RunNotFoundError(runId);
    return onlyRun(view, runId);
  }

  /**
   * Waits until the run has finished or `maxWaitMs` passed; reports progress as it goes. Whether
   * it has finished is read from its memo (a describe, which the server answers alone: the run
   * publishes its status there at every change); the worker is asked for the live view (a query)
   * only for progress, or when the wait ends with the run still going.
   */
  async wait(runId: string, opts: { maxWaitMs: number; signal?: AbortSignal; onProgress?: (view: RunView) => void }): Promise<WaitOutcome> {
    const deadline = Date.now() + opts.maxWaitMs;
    // Progress needs the live view (a query); without it, the memo says enough.
    const read = (id: string) => (opts.onProgress ? this.get(id) : this.published(id));
    let view = await this.published(runId);
    let live = false;
    while (!isFinalStatus(view.status) && Date.now() < deadline && !opts.signal?.aborted) {
      const slice = Math.min(PROGRESS_EVERY_MS, deadline - Date.now());
      await waitForClose(this.client, runId, slice, opts.signal);
      view = await read(runId);
      live = opts.onProgress !== undefined;
      if (!isFinalStatus(view.status)) opts.onProgress?.(view);
    }
    if (!isFinalStatus(view.status) && !live) view = await this.get(runId);
    return { finished: isFinalStatus(view.status), view };
  }

  /**
   * The view the run last published (its memo, or its end): enough to tell whether it has
   * finished, without asking its worker. A run with no memo view (a foreign start) is asked.
   */
  async published(runId: string): Promise<RunView> {
    const view = viewFromExecution((await this.describe(runId)).description);
    return view ? onlyRun(view, runId) : this.get(runId);
  }

  /** Events after a seq; with `waitMs`, waits for at least one new event (or the run's end). */
  async events(runId: string, afterSeq: number, limit: number, opts: { waitMs?: number; signal?: AbortSignal } = {}): Promise<RunEventsPage> {
    const deadline = Date.now() + (opts.waitMs ?? 0);
    const pastDeadline = () => Date.now() >= deadline || Boolean(opts.signal?.aborted);
    // Each ask is a query task on the run's worker: many clients waiting on many runs must not
    // keep a busy worker from answering (or from running the runs).
    this.eventWaiters += 1;
    try {
      for (;;) {
        const lastTry = pastDeadline();
        const page = await this.eventsOnce(runId, afterSeq, limit, { lastTry, query: true });
        if (page && (page.events.length > 0 || isFinalStatus(page.status) || lastTry)) return page;
        // A worker too busy to answer until the deadline: answer without one more query.
        if (!page && pastDeadline()) return (await this.eventsOnce(runId, afterSeq, limit, { lastTry: true, query: false }))!;
        await delay(Math.min(this.eventPollPause(), Math.max(1, deadline - Date.now())));
      }
    } finally {
      this.eventWaiters -= 1;
    }
  }

  private eventPollPause(): number {
    return Math.min(EVENT_POLL_MS.most, Math.max(EVENT_POLL_MS.least, this.eventWaiters * EVENT_POLL_MS.perWaiter));
  }

  /** Cancels a run; returns at once if it has finished already. Waits up to `waitMs` for it to end. */
  async cancel(runId: string, reason: string, waitMs: number): Promise<{ view: RunView; already_finished: boolean }> {
    const { handle, description } = await this.describe(runId);
    if (!isOpen(description)) return { view: await this.get(runId), already_finished: true };
    await handle.signal(cancelSignal, reason).catch(ignoreIfClosed);
    await handle.cancel().catch(ignoreIfClosed);
    const outcome = await this.wait(runId, { maxWaitMs: waitMs });
    return { view: outcome.view, already_finished: false };
  }

  /**
   * One read of the events: the run's query, else what Temporal keeps without a worker. A live
   * run's events are in its workflow only, so when no worker answers, the page is empty (missed
   * 0: nothing is lost, it is out of reach for now). A closed run's memo keeps its newest events;
   * read from further behind, it would report older ones missed, so while the caller can wait
   * (not `lastTry`) a slow worker gets asked again instead: null.
   */
  private async eventsOnce(runId: string, afterSeq: number, limit: number, opts: { lastTry: boolean; query: boolean }): Promise<RunEventsPage | null> {
    // The query first: a live run answers it alone, one round trip per poll instead of two.
    const handle = this.client.workflow.getHandle(runId);
    const live = opts.query ? await this.query(() => handle.query(eventsQuery, afterSeq, limit)) : null;
    if (live && !isFinalStatus(live.status)) return live;
    const { description } = await this.describe(runId);
    if (isOpen(description)) return live ?? (opts.lastTry ? unansweredPage(description, afterSeq) : null);
    const page = live ?? pageFromMemo(description, afterSeq, limit);
    if (!live && page.missed > 0 && !opts.lastTry) return null;
    // A closed run's notification attempts continue its events.
    return withWebhookEvents(this.client, runId, page, afterSeq, limit);
  }

  private async describe(runId: string) {
    const handle = this.client.workflow.getHandle(runId);
    try {
      return { handle, description: await handle.describe() };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new RunNotFoundError(runId);
      throw err;
    }
  }

  /** A query with a deadline: null when no worker answered in time. */
  private async query<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      return await this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, fn);
    } catch {
      return null;
    }
  }
}

/**
 * A pipeline keeps its view under the same memo key as a run (and answers a status query): read
 * as a run it would be answered in the wrong shape, so a run's reads name the pipeline's tool.
 */
function onlyRun(view: RunView, runId: string): RunView {
  const kind = (view as { kind?: unknown }).kind;
  if (kind === undefined || kind === 'run') return view;
  if (kind === 'pipeline') throw new PipelineNotRunError(runId);
  throw new RunNotFoundError(runId);
}

/** No worker answered for a live run: nothing new that can be read now, and nothing missed. */
function unansweredPage(description: WorkflowExecutionDescription, afterSeq: number): RunEventsPage {
  const view = viewFromExecution(description);
  return { events: [], last_seq: Math.max(afterSeq, view?.last_seq ?? 0), missed: 0, status: view?.status ?? 'running' };
}

/** No worker answered: a closed run still has its newest events in the memo. */
function pageFromMemo(description: WorkflowExecutionDescription, afterSeq: number, limit: number): RunEventsPage {
  const view = viewFromExecution(description);
  const tail = ((description.memo?.[TAIL_MEMO_KEY] as RunEvent[] | undefined) ?? []).filter((e) => e.seq > afterSeq);
  const lastSeq = view?.last_seq ?? 0;
  const oldest = tail[0]?.seq ?? lastSeq + 1;
  return {
    events: tail.slice(0, limit),
    last_seq: lastSeq,
    missed: Math.max(0, oldest - afterSeq - 1),
    status: view?.status ?? 'running',
  };
}

function ignoreIfClosed(err: unknown): void {
  if (err instanceof WorkflowNotFoundError) return;
  throw err;
}
