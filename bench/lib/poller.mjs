// A live reader of one run's events through poll_events with a cursor, as a client would follow a
// run. It checks as it reads that seqs have no gaps (a jump is allowed only where poll_events
// itself reports `missed`: events older than the workflow's ring, which read_output still has),
// keeps the agent's line numbers and times, and notes when each event became visible.
import { call } from './mcp.mjs';
import { sleep } from './stats.mjs';

const FINAL = new Set(['completed', 'failed', 'cancelled', 'timed_out', 'rejected']);
const LINE = /^b i=(\d+) t=(\d+)$/;

export class EventPoller {
  /**
   * @param {import('@modelcontextprotocol/sdk/client/index.js').Client} client
   * @param {string} runId
   * @param {{ waitSeconds?: number, intervalMs?: number, limit?: number, expectLines?: number, onEvent?: (e: object, visibleAt: number) => void }} opts
   */
  constructor(client, runId, opts = {}) {
    this.client = client;
    this.runId = runId;
    this.waitSeconds = opts.waitSeconds ?? 0;
    this.intervalMs = opts.intervalMs ?? 0;
    this.limit = opts.limit ?? 1000;
    this.onEvent = opts.onEvent ?? null;
    this.cursor = 0;
    this.status = 'queued';
    this.polls = 0;
    this.events = 0;
    this.missed = 0;
    this.problems = [];
    this.types = {};
    this.messages = 0;
    this.lastLine = 0;
    /** Agent line number -> the time the agent wrote it (0: not seen live). */
    this.lineTimes = new Float64Array((opts.expectLines ?? 0) + 1);
    this.stopped = false;
    /** The run's error, when it ended other than completed. */
    this.error = null;
    /** How long each poll_events call took, and the most events that arrived between two polls. */
    this.pollMs = [];
    this.maxArrivedBetweenPolls = 0;
  }

  /** Reads until the run has finished and every event has been read; resolves with this. */
  async follow() {
    for (;;) {
      if (this.stopped) return this;
      let page;
      const asked = performance.now();
      try {
        page = await call(this.client, 'poll_events', {
          run_id: this.runId,
          after_seq: this.cursor,
          limit: this.limit,
          wait_seconds: this.waitSeconds,
        });
      } catch (err) {
        // An MCP server restarting or a worker being killed is what some scenarios do: read on.
        this.problems.push(`poll_events failed: ${err.message.slice(0, 200)}`);
        if (this.problems.length > 50) throw new Error(`${this.runId}: too many failed polls: ${this.problems.at(-1)}`);
        await sleep(500);
        continue;
      }
      const visibleAt = Date.now();
      this.polls += 1;
      this.pollMs.push(performance.now() - asked);
      this.maxArrivedBetweenPolls = Math.max(this.maxArrivedBetweenPolls, page.last_seq - this.cursor);
      this.take(page, visibleAt);
      this.status = page.status;
      if (page.events.length === 0 && FINAL.has(page.status) && this.cursor >= page.last_seq) {
        if (page.status !== 'completed') this.error = (await call(this.client, 'get_run', { run_id: this.runId }).catch(() => null))?.error ?? null;
        return this;
      }
      if (page.events.length < this.limit && this.intervalMs > 0) await sleep(this.intervalMs);
    }
  }

  stop() {
    this.stopped = true;
  }

  take(page, visibleAt) {
    if (page.missed > 0) this.missed += page.missed;
    let expected = this.cursor + 1 + (page.missed ?? 0);
    for (const event of page.events) {
      if (event.seq !== expected) this.problems.push(`seq ${event.seq} where ${expected} was due (cursor ${this.cursor}, missed ${page.missed})`);
      expected = event.seq + 1;
      this.cursor = event.seq;
      this.events += 1;
      this.types[event.type] = (this.types[event.type] ?? 0) + 1;
      if (event.type === 'agent_message') this.takeLine(event, page.missed > 0);
      this.onEvent?.(event, visibleAt);
    }
  }

  takeLine(event, afterMissed) {
    const match = LINE.exec(event.data.text ?? '');
    if (!match) return;
    this.messages += 1;
    const i = Number(match[1]);
    if (i !== this.lastLine + 1 && !afterMissed) this.problems.push(`line ${i} came after line ${this.lastLine}`);
    if (i <= this.lastLine) this.problems.push(`line ${i} seen again`);
    this.lastLine = i;
    if (i < this.lineTimes.length) this.lineTimes[i] = Number(match[2]);
  }
}

/** The whole stdout transcript through read_output, page by page. */
export async function readTranscript(client, runId) {
  let offset = 0;
  let text = '';
  for (;;) {
    const page = await call(client, 'read_output', { run_id: runId, offset, limit_bytes: 1_048_576 });
    text += page.text;
    offset = page.next_offset;
    if (page.eof) return text;
  }
}

/**
 * Every line 1..n in the transcript exactly once and in order, every line the poller saw equal to
 * the transcript's, and the agent_message count (seen + missed) equal to n. Returns problems.
 */
export function checkAgainstTranscript(poller, transcript, n) {
  const problems = [...poller.problems];
  const lines = transcript.split('\n').filter((l) => l.startsWith('b i='));
  if (lines.length !== n) problems.push(`the transcript has ${lines.length} lines, not ${n}`);
  for (let k = 0; k < lines.length; k++) {
    const match = LINE.exec(lines[k]);
    if (!match || Number(match[1]) !== k + 1) {
      problems.push(`transcript line ${k + 1} is "${lines[k].slice(0, 80)}"`);
      break;
    }
    const seenAt = poller.lineTimes[k + 1];
    if (seenAt && seenAt !== Number(match[2])) {
      problems.push(`line ${k + 1} differs between poll_events (t=${seenAt}) and the transcript (${lines[k]})`);
      break;
    }
  }
  // Events the ring dropped before the poller read them may include a few that are not agent
  // messages (reattached, worker_lost), so with missed events the count can only be bounded.
  const messages = poller.messages + poller.missed;
  if (poller.missed === 0 ? messages !== n : messages < n) {
    problems.push(`${poller.messages} agent messages seen live + ${poller.missed} missed = ${messages}, expected ${n}`);
  }
  if (poller.status !== 'completed') problems.push(`the run ended ${poller.status}: ${poller.error ?? 'no error given'}`);
  return problems;
}
