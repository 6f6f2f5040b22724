// Baton's own log lines go to stderr: stdout belongs to the MCP stdio transport.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { reachability } from './temporal/reachability.js';
import { printable } from './terminal-text.js';

const ORDER: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
let threshold: LogLevel = 'INFO';

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

function write(level: LogLevel, message: string, meta?: Record<string, unknown>): void {
  if (ORDER.indexOf(level) < ORDER.indexOf(threshold)) return;
  const suffix = meta && Object.keys(meta).length > 0 ? ` ${safeJson(meta)}` : '';
  // A message can carry what an agent or a caller sent (an error's text): never terminal controls.
  process.stderr.write(`[baton] ${level.toLowerCase()} ${printable(message + suffix)}\n`);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? v.message : v));
  } catch {
    return String(value);
  }
}

export const log = {
  debug: (message: string, meta?: Record<string, unknown>) => write('DEBUG', message, meta),
  info: (message: string, meta?: Record<string, unknown>) => write('INFO', message, meta),
  warn: (message: string, meta?: Record<string, unknown>) => write('WARN', message, meta),
  error: (message: string, meta?: Record<string, unknown>) => write('ERROR', message, meta),
};

/**
 * Worker messages that describe Baton working as designed, not problems: host queues carry only
 * activities; a run that fails or times out is a result, reported by the run itself; a worker
 * shutting down hands its agents back on purpose.
 */
function isExpectedWorkerNoise(entry: { message: string; meta?: Record<string, unknown> }): boolean {
  if (entry.message.startsWith('No workflows registered, not polling for workflow tasks')) return true;
  if (entry.message === 'Workflow failed' && entry.meta?.workflowType === 'agentRun') return true;
  return entry.message === 'Activity failed' && metaText(entry.meta?.error).includes('shut down; agent');
}

/**
 * An activity that failed with one of Baton's own failure types (an agent that cannot launch, a
 * refused webhook, a git merge that conflicts): the run reports it to its caller, so the log says
 * it in one line, without the SDK's task token and stack.
 */
function expectedActivityFailure(entry: { message: string; meta?: Record<string, unknown> }): string | null {
  if (entry.message !== 'Activity failed') return null;
  const error = entry.meta?.error as { type?: unknown; message?: unknown } | undefined;
  if (typeof error?.type !== 'string' || !error.type.startsWith('Baton')) return null;
  return `${metaText(entry.meta?.activityType) || 'activity'} of ${metaText(entry.meta?.workflowId) || 'a run'} failed (${error.type}): ${metaText(error.message)}`;
}

let runtimeInstalled = false;
/** Routes the Temporal worker's logs through the same stderr writer, once per process. */
export function installTemporalRuntime(level: LogLevel): void {
  setLogLevel(level);
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // The SDK's own chatter (worker state changes) is only useful when debugging.
  const temporalLevel: LogLevel = level === 'INFO' ? 'WARN' : level;
  Runtime.install({
    logger: new DefaultLogger(temporalLevel, (entry) => {
      if (threshold !== 'DEBUG' && threshold !== 'TRACE' && isExpectedWorkerNoise(entry)) return;
      const expected = expectedActivityFailure(entry);
      if (expected && threshold !== 'DEBUG' && threshold !== 'TRACE') return write('INFO', expected);
      // Every poller's every retry while the server is away: one "lost" and one "back" line
      // (reachability.ts) say it all, unless someone is debugging.
      if (threshold !== 'DEBUG' && threshold !== 'TRACE' && reachability.absorb(`${entry.message} ${safeJson(entry.meta ?? {})}`)) return;
      write(entry.level, `temporal: ${entry.message}`, entry.meta);
    }),
    // The worker's native core logs straight to stderr unless forwarded: forward it, so its
    // retries pass the filter above like everything else.
    telemetryOptions: { logging: { filter: { core: temporalLevel, other: 'ERROR' }, forward: {} } },
  });
}

/** A log entry's field as text: the SDK gives strings, Errors or plain objects. */
function metaText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return value instanceof Error ? value.message : JSON.stringify(value);
}
