// claude-bridge's `raw` (claude's whole JSON output: the `result` object `claude -p --output-format
// json` prints) and `stderr` of a finished job, read from the run's transcript where it is (this
// host, or through its host's worker), bounded in bytes. Only the one-job answers carry them
// (dispatch, get_dispatch, wait_dispatch); list_jobs and list_completions leave raw out as
// claude-bridge does, and stderr too (it would mean a transcript read per listed job).
import { setTimeout as delay } from 'node:timers/promises';
import { readTranscriptPage } from '../../../client/transcript.js';
import type { RunsClient } from '../../../client/runs.js';
import type { RunView } from '../../../domain/run-view.js';
import type { TranscriptStream } from '../../../transcripts.js';
import type { ToolContext } from '../../context.js';

/** At most this many bytes of claude's result line: a longer one is left out (`raw` absent). */
export const RAW_MAX_BYTES = 64 * 1024;
/** At most this many bytes of stderr, its end (what went wrong last), marked when cut. */
export const STDERR_MAX_BYTES = 16 * 1024;
/** A transcript on another host is read through its worker: this long at most, then left out. */
const REMOTE_READ_MS = 5_000;

/** The end of a transcript stream: up to `limit` bytes, with the stream's whole size. */
async function tail(ctx: ToolContext, runs: RunsClient, view: RunView, stream: TranscriptStream, limit: number): Promise<{ text: string; total: number } | null> {
  const where = { client: runs.client, taskQueue: runs.options.taskQueue, hostId: ctx.hostId, runDir: ctx.runDir(view.run_id) };
  const read = async () => {
    const head = await readTranscriptPage(view, where, { run_id: view.run_id, stream, offset: 0, limit_bytes: 1 });
    if (head.total_bytes === 0) return { text: '', total: 0 };
    const offset = Math.max(0, head.total_bytes - limit);
    const page = await readTranscriptPage(view, where, { run_id: view.run_id, stream, offset, limit_bytes: limit });
    return { text: page.text, total: head.total_bytes };
  };
  const timer = new AbortController();
  try {
    const timeout = view.host === ctx.hostId ? null : delay(REMOTE_READ_MS, null, { signal: timer.signal }).catch(() => null);
    return await (timeout ? Promise.race([read(), timeout]) : read());
  } catch {
    // The transcript is not readable now (its host's worker is away): the job's answer goes without.
    return null;
  } finally {
    timer.abort();
  }
}

/** claude's result object: the last line of stdout that is a JSON `{"type": "result", ...}`. */
function resultObject(text: string): Record<string, unknown> | null {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i].trim();
    if (!line.startsWith('{')) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value) && (value as Record<string, unknown>).type === 'result') return value as Record<string, unknown>;
    } catch {
      // the first line of the tail may be cut: not a result
    }
  }
  return null;
}

/**
 * `raw` and `stderr` for a job claude-bridge shows as `done` (DispatchResult.to_dict: raw when ok,
 * stderr, stripped, when not empty, either way).
 */
export async function outputExtras(ctx: ToolContext, runs: RunsClient, view: RunView): Promise<{ raw?: Record<string, unknown>; stderr?: string }> {
  const extras: { raw?: Record<string, unknown>; stderr?: string } = {};
  const [stdout, stderr] = await Promise.all([
    view.status === 'completed' && view.backend === 'claude_code' ? tail(ctx, runs, view, 'stdout', RAW_MAX_BYTES) : null,
    tail(ctx, runs, view, 'stderr', STDERR_MAX_BYTES),
  ]);
  const raw = stdout ? resultObject(stdout.text) : null;
  if (raw) extras.raw = raw;
  const text = stderr?.text.trim() ?? '';
  if (text !== '') extras.stderr = stderr!.total > STDERR_MAX_BYTES ? `…[truncated, original ${stderr!.total} bytes] ${text}` : text;
  return extras;
}
