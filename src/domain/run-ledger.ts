// Everything the agentRun workflow knows about its run, and the rules that change it. Pure and
// deterministic (time comes in as an argument), so it runs inside the workflow sandbox and in
// unit tests alike.
import type { FinalAnswer } from './agent-activity.js';
import type { AgentHandle, EventBatch, StreamOffsets } from './event-batch.js';
import { EventLog, type EventsPage } from './event-log.js';
import type { RunSpec, RunWorkflowInput } from './run-spec.js';
import type { RunEvent, RunResult, RunView } from './run-view.js';
import { messageHeadline } from './input-message.js';
import { mergeFacts, type RunFacts } from './run-facts.js';
import { CARRIED_BYTES, CARRIED_EVENTS_BYTES, cutHeadBytes, FACT_TEXT_BYTES, cutTailBytes, EVENTS_PAGE_BYTES, jsonBytes, utf8Bytes } from './sizes.js';
import { cutHead, cutTail, firstLine } from './text.js';
import { isFinalStatus, type EventType, type FailureKind, type RunStatus } from './vocabulary.js';

/** Events kept in workflow state; older ones are in the transcript (read_output). */
export const EVENT_RING_CAPACITY = 2000;
/** The result's output is cut to this many bytes, so the RunResult fits the memo (docs/RELIABILITY.md, "Sizes"). */
export const RESULT_OUTPUT_LIMIT = 24_000;
const MESSAGES_TAIL_LIMIT = RESULT_OUTPUT_LIMIT;
const STDERR_TAIL_LIMIT = 4_000;
const LAST_MESSAGE_LIMIT = 500;

/** A page of events, with the run's status so a poller needs one query, not two. */
export interface RunEventsPage extends EventsPage {
  status: RunStatus;
}

/** How the agent's process ended, as the activity saw it. */
export interface AgentExit {
  exit_code: number | null;
  signal: string | null;
}

/**
 * The ledger as continue-as-new hands it to the run's next segment. Its spec leaves out the input,
 * which the workflow input carries already (a snapshot of release 0.1.0 has it).
 */
export interface LedgerSnapshot {
  status: RunStatus;
  spec: Omit<RunSpec, 'input'> & { input?: RunSpec['input'] };
  launches: number;
  attempt: number;
  events: RunEvent[];
  last_seq: number;
  offsets: StreamOffsets;
  agent: AgentHandle | null;
  facts: RunFacts;
  started_at: string | null;
  error: string | null;
  published_session: string | null;
  messages_tail: string;
  stderr_tail: string;
  last_message: string | null;
}

/** What a channel hands its turn when the turn may start: the session to resume, if any. */
export interface ChannelGrant {
  session_id: string | null;
  /** What the session had cost before this turn, so the turn's cost is its own. */
  session_cost_usd: number | null;
}

export class RunLedger {
  status: RunStatus;
  /** The spec in effect: the input's, with a channel's session filled in once granted. */
  spec: RunSpec;
  /** Launches of the agent so far (a new one after a lost agent, or to answer a question). */
  launches = 0;
  readonly log: EventLog;
  offsets: StreamOffsets = { stdout: 0, stderr: 0 };
  agent: AgentHandle | null = null;
  attempt = 0;
  facts: RunFacts;
  startedAt: string | null = null;
  finishedAt: string | null = null;
  error: string | null = null;
  /** Set when the run is about to fail for a reason callers act on (RunResult.failure_kind). */
  private failureKind: FailureKind | null = null;
  result: RunResult | null = null;
  /** The session id last written to the BatonSession search attribute. */
  publishedSession: string | null = null;
  /** The attempt and host the memo last showed (`attempt@host`); not carried: a segment shows its own. */
  publishedAgent: string | null = null;
  /** The final output once it has matched output_schema. */
  structuredOutput: unknown = undefined;
  private messagesTail = '';
  private stderrTail = '';
  private lastMessage: string | null = null;

  constructor(
    private readonly input: RunWorkflowInput,
    carried?: LedgerSnapshot,
  ) {
    this.status = 'queued';
    this.spec = input.spec;
    this.log = new EventLog(EVENT_RING_CAPACITY, carried ? { events: carried.events, last_seq: carried.last_seq } : undefined);
    this.facts = carried?.facts ?? {
      session_id: input.spec.session_id,
      output: null,
      is_error: false,
      error: null,
      usage: null,
      cost_usd: null,
      session_cost_usd: null,
      num_turns: null,
      structured_output: undefined,
      remote_status: null,
      task_id: null,
    };
    if (carried) this.restore(carried);
  }

  /**
   * The ledger for the next segment, within CARRIED_BYTES together with `otherBytes` (the rest of
   * what continue-as-new carries): the newest events get whatever room is left, up to
   * CARRIED_EVENTS_BYTES; older ones are in the transcript.
   */
  snapshot(otherBytes = 0): LedgerSnapshot {
    const { input: _input, ...spec } = this.spec;
    const snapshot = this.snapshotWithout(spec);
    const room = Math.min(CARRIED_EVENTS_BYTES, CARRIED_BYTES - otherBytes - jsonBytes(snapshot));
    snapshot.events = this.log.tailWithin(EVENT_RING_CAPACITY, Math.max(0, room));
    return snapshot;
  }

  private snapshotWithout(spec: LedgerSnapshot['spec']): LedgerSnapshot {
    return {
      status: this.status,
      spec,
      launches: this.launches,
      attempt: this.attempt,
      events: [],
      last_seq: this.log.lastSeq,
      offsets: { ...this.offsets },
      agent: this.agent,
      facts: this.facts,
      started_at: this.startedAt,
      error: this.error,
      published_session: this.publishedSession,
      messages_tail: this.messagesTail,
      stderr_tail: this.stderrTail,
      last_message: this.lastMessage,
    };
  }

  private restore(s: LedgerSnapshot): void {
    Object.assign(this, {
      status: s.status,
      spec: { ...s.spec, input: s.spec.input ?? this.input.spec.input },
      launches: s.launches,
      attempt: s.attempt,
      agent: s.agent,
      startedAt: s.started_at,
    });
    Object.assign(this, { error: s.error, publishedSession: s.published_session, offsets: { ...s.offsets } });
    this.messagesTail = s.messages_tail;
    this.stderrTail = s.stderr_tail;
    this.lastMessage = s.last_message;
  }

  /** A channel turn continues the channel's session (or starts one, if the channel has none). */
  applyGrant(grant: ChannelGrant): void {
    if (grant.session_id === null) return;
    this.spec = { ...this.spec, session_mode: 'resume', session_id: grant.session_id, session_cost_baseline_usd: grant.session_cost_usd };
    this.facts.session_id = grant.session_id;
  }

  record(type: EventType, data: Record<string, unknown>, now: Date): void {
    this.log.append(type, data, now.toISOString());
    // The run ends here: its result says why as a kind, not only in words.
    if (type === 'worker_lost' && data.next === 'fail') this.failureKind = 'worker_lost';
  }

  setStatus(status: RunStatus, now: Date, detail: Record<string, unknown> = {}): boolean {
    if (status === this.status) return false;
    const from = this.status;
    this.status = status;
    if (status === 'running' && !this.startedAt) this.startedAt = now.toISOString();
    if (isFinalStatus(status)) this.finishedAt = now.toISOString();
    this.record('status_changed', { from, to: status, ...detail }, now);
    return true;
  }

  /**
   * Takes what the workflow does not have yet. A group whose line ends at or before the stream's
   * offset was already taken (a retried or re-attached activity re-sends it), so it is dropped.
   */
  applyBatch(batch: EventBatch): number {
    if (batch.agent) this.agent = batch.agent;
    for (const note of batch.notes ?? []) this.log.append(note.type, note.data, note.ts);
    let taken = batch.notes?.length ?? 0;
    for (const group of batch.groups) {
      if (group.end <= this.offsets[group.stream]) continue;
      this.offsets[group.stream] = group.end;
      for (const event of group.events) {
        this.log.append(event.type, event.data, event.ts);
        this.noteEvent(event.type, event.data);
      }
      if (group.facts) mergeFacts(this.facts, group.facts, this.spec.session_cost_baseline_usd ?? 0);
      taken += 1;
    }
    return taken;
  }

  /** The agent's final answer as its host read it from the whole transcript: it replaces any other. */
  takeFinalAnswer(answer: FinalAnswer): void {
    mergeFacts(this.facts, answer, this.spec.session_cost_baseline_usd ?? 0);
  }

  events(afterSeq: number, limit: number): RunEventsPage {
    return { ...this.log.after(afterSeq, limit, EVENTS_PAGE_BYTES), status: this.status };
  }

  /** Decides the final status from how the agent ended, and builds the RunResult. */
  finishFromExit(exit: AgentExit, now: Date): RunResult {
    const ok = exit.exit_code === 0 && !this.facts.is_error;
    if (!ok) this.error = this.explainFailure(exit);
    return this.finish(ok ? 'completed' : 'failed', now, exit.exit_code);
  }

  finish(status: RunStatus, now: Date, exitCode: number | null = null, error?: string): RunResult {
    // An error can quote what an agent or a validator said at any length: the memo and the
    // result keep a bounded head.
    if (error) this.error = cutHeadBytes(error, FACT_TEXT_BYTES);
    this.setStatus(status, now);
    const output = this.facts.output ?? this.messagesTail;
    const outputLimit = this.facts.output !== null ? cutHeadBytes : cutTailBytes;
    this.result = {
      status,
      output: outputLimit(output, RESULT_OUTPUT_LIMIT),
      output_truncated: utf8Bytes(output) > RESULT_OUTPUT_LIMIT,
      ...(this.structuredOutput !== undefined ? { structured_output: this.structuredOutput } : {}),
      ...(this.spec.output_schema && this.structuredOutput === undefined && this.facts.structured_output_omitted
        ? { structured_output_omitted: this.facts.structured_output_omitted }
        : {}),
      session_id: this.facts.session_id,
      usage: this.facts.usage,
      cost_usd: this.facts.cost_usd,
      session_cost_usd: this.facts.session_cost_usd,
      num_turns: this.facts.num_turns,
      exit_code: exitCode,
      error: this.error,
      // Every failed result of this release says its kind (null: none callers act on); earlier releases' have none.
      ...(status === 'failed' ? { failure_kind: this.failureKind } : {}),
      started_at: this.startedAt,
      finished_at: now.toISOString(),
      elapsed_ms: this.startedAt ? now.getTime() - Date.parse(this.startedAt) : null,
      transcript: this.agent ? { host: this.agent.host, dir: this.agent.run_dir, stdout_bytes: this.offsets.stdout } : null,
    };
    return this.result;
  }

  view(now: Date): RunView {
    const spec = this.spec;
    const end = this.finishedAt ? Date.parse(this.finishedAt) : now.getTime();
    return {
      run_id: this.input.run_id,
      kind: 'run',
      status: this.status,
      role: spec.role,
      backend: spec.backend,
      channel: spec.channel,
      parent: spec.parent,
      session_id: this.facts.session_id,
      cwd: spec.cwd,
      prompt_preview: this.input.label ?? firstLine(messageHeadline(spec.input)),
      metadata: spec.metadata,
      created_at: this.input.created_at,
      started_at: this.startedAt,
      finished_at: this.finishedAt,
      elapsed_ms: this.startedAt ? end - Date.parse(this.startedAt) : null,
      last_seq: this.log.lastSeq,
      last_message: this.lastMessage,
      usage: this.facts.usage,
      cost_usd: this.facts.cost_usd,
      attempt: this.attempt,
      host: this.agent?.host ?? null,
      error: this.error,
      result: this.result,
    };
  }

  private noteEvent(type: EventType, data: Record<string, unknown>): void {
    if (type === 'agent_message' && typeof data.text === 'string') {
      this.lastMessage = cutHead(data.text, LAST_MESSAGE_LIMIT);
      // Cut by characters here, on every message: cheap, and at most 3 bytes a character. The
      // result is cut by bytes once, at the end (finish); counting bytes of the whole tail on
      // every event made a chatty run's workflow (and each replay of it) many times slower.
      this.messagesTail = cutTail(this.messagesTail ? `${this.messagesTail}\n${data.text}` : data.text, MESSAGES_TAIL_LIMIT);
    } else if (type === 'stderr' && typeof data.text === 'string') {
      this.stderrTail = cutTail(this.stderrTail ? `${this.stderrTail}\n${data.text}` : data.text, STDERR_TAIL_LIMIT);
    }
  }

  private explainFailure(exit: AgentExit): string {
    const spec = this.spec;
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exit_code ?? 'unknown'}`;
    const reported = this.facts.error ?? (this.facts.is_error ? this.facts.output : null);
    const stderr = this.stderrTail ? `; stderr ends with: ${cutTail(this.stderrTail, 1000)}` : '';
    const head = `${spec.backend} agent ${how}`;
    return reported ? `${head}: ${cutHead(reported, 2000)}${stderr}` : `${head}${stderr}`;
  }
}
