// The runAgent activity: launch the agent (or find it still running), tail its output into
// events for the workflow, heartbeat, and report how it ended (docs/ARCHITECTURE.md).
import { mkdir } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { AgentOutcome, RunAgentRequest } from '../domain/agent-activity.js';
import { FAILURE_TYPES } from '../domain/agent-activity.js';
import type { AgentHandle, EventBatch, OutputStream } from '../domain/event-batch.js';
import { boundFacts, boundLineEvents } from '../domain/line-bounds.js';
import { RESULT_BATCH_BYTES } from '../domain/sizes.js';
import type { AgentExit } from '../domain/run-ledger.js';
import { eventBatchSignal, segmentQuery } from '../workflows/messages.js';
import { readExitStatus, runFiles } from './agent-launch.js';
import { errorText } from '../error-text.js';
import { backends } from './backends/index.js';
import type { LineParser } from './backends/types.js';
import { BatchSender } from './batch-sender.js';
import { isAgentAlive, stopRunProcesses } from './processes.js';
import { findOrLaunch, type AgentHostDeps } from './launch-or-reattach.js';
import { DirectoryWatch } from './directory-watch.js';
import { readFinalAnswer } from './final-answer.js';
import { TranscriptReader } from './transcript-reader.js';

/** Longest wait between two looks at the agent when its files are quiet. */
const IDLE_CHECK_MS = 1000;
/** How often the activity asks whether the run's history wants a new segment. */
const SEGMENT_CHECK_MS = 5000;

/** The server refuses more signals than a workflow history may hold: the segment must end. */
function isSignalLimit(err: unknown): boolean {
  for (let cause = err; cause instanceof Error; cause = cause.cause) {
    if (/limit for signal events/i.test(cause.message)) return true;
  }
  return false;
}

export async function runAgent(deps: AgentHostDeps, request: RunAgentRequest): Promise<AgentOutcome> {
  const ctx = Context.current();
  const runDir = deps.runDir(request.run_id);
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  const sender = new BatchSender({
    attempt: request.attempt,
    ...(deps.flushIntervalMs !== undefined ? { intervalMs: deps.flushIntervalMs } : {}),
    send: (batch) => deps.client.workflow.getHandle(request.run_id).signal(eventBatchSignal, batch),
    isPermanent: (err) => err instanceof WorkflowNotFoundError || isSignalLimit(err),
    onTrimmed: (err, level) => {
      ctx.log.warn('Temporal refused an event signal as too large; sent it again trimmed', { runId: request.run_id, level, error: errorText(err) });
    },
    onError: (err, firstInStreak) => {
      // One line per streak of failures: a restarting server must not flood the log.
      if (firstInStreak && !isSignalLimit(err)) ctx.log.warn('sending events to the run failed; retrying until it works', { runId: request.run_id, error: errorText(err) });
    },
  });
  const watcher = new DirectoryWatch(runDir);
  try {
    const found = await findOrLaunch(deps, request, runDir, sender);
    if ('lost' in found) return { kind: 'lost', reason: found.lost };
    const handle = deps.client.workflow.getHandle(request.run_id);
    const query = () => handle.query(segmentQuery);
    const workflowOpen = () =>
      handle.describe().then(
        (d) => d.status.name === 'RUNNING',
        (err: unknown) => !(err instanceof WorkflowNotFoundError),
      );
    return await follow({ ctx, request, runDir, agent: found.agent, sender, watcher, query, workflowOpen, lastSegmentCheck: Date.now(), sentAtSegmentCheck: -1 });
  } finally {
    watcher.close();
    sender.close();
  }
}

interface FollowContext {
  ctx: Context;
  /** Asks the workflow whether this segment should hand over. */
  query: () => Promise<{ end: boolean }>;
  /** Whether the run's workflow is still open (true when that cannot be told). */
  workflowOpen: () => Promise<boolean>;
  lastSegmentCheck: number;
  /** Signals sent by the last check: with none since, the history has not grown, and no query is needed. */
  sentAtSegmentCheck: number;
  request: RunAgentRequest;
  runDir: string;
  agent: AgentHandle;
  sender: BatchSender;
  watcher: DirectoryWatch;
}

async function follow(f: FollowContext): Promise<AgentOutcome> {
  const files = runFiles(f.runDir);
  const progress: AttemptProgress = { seq: f.request.last_seq, session_id: f.request.session_id };
  const streams: [OutputStream, TranscriptReader, LineParser][] = [
    ['stdout', new TranscriptReader(files.stdout, f.request.offsets.stdout), backends[f.request.spec.backend].parser()],
    ['stderr', new TranscriptReader(files.stderr, f.request.offsets.stderr), stderrParser],
  ];
  try {
    for (;;) {
      const exit = await readExitStatus(f.runDir);
      const ended = exit !== null || !(await isAgentAlive(f.agent));
      for (const [stream, reader, parser] of streams) await drain(stream, reader, parser, ended, f.sender, progress);
      f.ctx.heartbeat({
        host: f.agent.host,
        pid: f.agent.pid,
        start_time: f.agent.start_time,
        offsets: { stdout: streams[0][1].offset, stderr: streams[1][1].offset },
        seq: progress.seq,
        session_id: progress.session_id,
      });
      if (ended) {
        const status = exit ?? (await readExitStatus(f.runDir));
        if (status) {
          // The agent is done: whatever it left running (a grandchild that left its group) goes too.
          // Either step may throw: the events are still the sender's then, and go by signal.
          let answer: Awaited<ReturnType<typeof readFinalAnswer>>;
          try {
            await stopRunProcesses({ runId: f.request.run_id, hostId: f.agent.host }, null, f.request.timings.kill_grace_ms);
            // Read here, where the whole transcript is: the events the workflow has are cut.
            answer = await readFinalAnswer(f.request.spec, files.stdout, f.agent.stdout_start ?? 0);
          } catch (err) {
            await withTimeout(f.sender.flush(), 5000);
            throw err;
          }
          // The last events go with the result, when the workflow's code takes them there (0.7.0
          // on): a signal and a workflow task less for every run.
          let batch: EventBatch | null = null;
          if (f.request.result_batch) batch = await f.sender.takeRest(RESULT_BATCH_BYTES);
          else await f.sender.flush();
          return { kind: 'exited', ...status, ...(answer ? { answer } : {}), ...(batch ? { batch } : {}) };
        }
        await f.sender.flush();
        return { kind: 'lost', reason: `agent process ${f.agent.pid} ended without an exit status (killed together with its wrapper)` };
      }
      if (await segmentOver(f)) return { kind: 'segment_end' };
      await f.watcher.wait(IDLE_CHECK_MS, f.ctx.cancellationSignal);
      if (f.ctx.cancellationSignal.aborted) return await onCancelled(f, streams);
    }
  } finally {
    await Promise.all(streams.map(([, reader]) => reader.close()));
  }
}

/** What this attempt has handed to the workflow so far, for its heartbeats (approximate seq). */
interface AttemptProgress {
  seq: number;
  session_id: string | null;
}

/**
 * A long run hands over to its next segment (continue-as-new) now and then: when the workflow
 * says so, or when the server takes no more signals. The agent goes on running either way.
 */
async function segmentOver(f: FollowContext): Promise<boolean> {
  if (isSignalLimit(f.sender.lastFailure)) return true;
  const now = Date.now();
  if (now - f.lastSegmentCheck < SEGMENT_CHECK_MS || f.sender.sent === f.sentAtSegmentCheck) return false;
  f.lastSegmentCheck = now;
  f.sentAtSegmentCheck = f.sender.sent;
  const answer = await f.query().catch(() => ({ end: false }));
  if (!answer.end) return false;
  await f.sender.flush().catch(() => undefined);
  return true;
}

async function drain(stream: OutputStream, reader: TranscriptReader, parser: LineParser, final: boolean, sender: BatchSender, progress?: AttemptProgress) {
  for (;;) {
    const lines = await reader.readLines(final);
    for (const line of lines) {
      const outcome = parser.parse(line.text, new Date().toISOString());
      const events = boundLineEvents(outcome.events);
      sender.add({ stream, end: line.end, events, ...(outcome.facts ? { facts: boundFacts(outcome.facts) } : {}) });
      if (progress) {
        progress.seq += outcome.events.length;
        progress.session_id = outcome.facts?.session_id ?? progress.session_id;
      }
    }
    // An agent that has ended is read to the end of its file, even past a long line that filled
    // a whole read budget without a newline.
    if (!final || (lines.length === 0 && reader.atEnd)) return;
  }
}

const stderrParser: LineParser = {
  parse: (line, ts) => ({ events: line.trim() === '' ? [] : [{ ts, type: 'stderr', data: { text: line } }] }),
};

/**
 * Why the activity was cancelled decides the agent's fate: a cancel request or a closed workflow
 * stops it; a worker shutting down (or a lost heartbeat) leaves it running to be re-attached.
 */
async function onCancelled(f: FollowContext, streams: [OutputStream, TranscriptReader, LineParser][]): Promise<never> {
  const details = f.ctx.cancellationDetails;
  // "Not found" is a closed workflow, or only this attempt timing out (a server that was down):
  // then the next attempt re-attaches, and the agent must live.
  const stopsAgent = details?.cancelRequested || details?.reset || (details?.notFound && !(await f.workflowOpen()));
  if (!stopsAgent) {
    await withTimeout(f.sender.flush(), 2000);
    if (details?.workerShutdown) {
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.workerShutdown,
        message: `worker on host ${f.agent.host} shut down; agent ${f.agent.pid} goes on and will be re-attached`,
        nonRetryable: true,
      });
    }
    throw new CancelledFailure('activity cancelled without stopping the agent (heartbeat lost or paused)');
  }
  await stopRunProcesses({ runId: f.request.run_id, hostId: f.agent.host }, f.agent.pid, f.request.timings.kill_grace_ms);
  if (!details?.notFound) {
    for (const [stream, reader, parser] of streams) await drain(stream, reader, parser, true, f.sender);
    await withTimeout(f.sender.flush(), 5000);
  }
  throw new CancelledFailure('run cancelled: agent stopped');
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export type { AgentExit };
