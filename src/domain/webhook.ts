// The notification a run (or pipeline) sends when it ends (README.md, "Notifications (webhooks)"): its JSON body, built
// from what the workflow knows. Pure and zod-free, so the workflow bundle imports it.
import type { RunResult, RunView, Usage } from './run-view.js';
import { truncationMarker } from './text.js';

/** result_preview keeps this many characters of the output, then says how long the whole was. */
export const WEBHOOK_PREVIEW_LIMIT = 4096;

/** What ended: "run.completed", "run.failed", ... and "pipeline.<status>" for pipelines. */
export type WebhookEvent = `run.${string}` | `pipeline.${string}`;

/** The JSON body of a notification. Field names follow claude-bridge's (job_id is run_id). */
export interface WebhookPayload {
  event: WebhookEvent;
  run_id: string;
  /** The same id as run_id, under claude-bridge's name for it. */
  job_id: string;
  channel: string | null;
  status: string;
  /** True only for a run (or pipeline) that completed. */
  ok: boolean;
  started_at: string | null;
  finished_at: string | null;
  /** The output's first 4096 characters, then `…[truncated, original N chars]` when it was longer. */
  result_preview: string | null;
  error: string | null;
  role: string | null;
  backend: string | null;
  session_id: string | null;
  usage: Usage | null;
  cost_usd: number | null;
  parent: string | null;
}

/** What any workflow that notifies knows at its end; pipelines fill in what applies to them. */
export interface NotificationFacts {
  kind: 'run' | 'pipeline';
  id: string;
  status: string;
  output: string | null;
  /** True when `output` was already cut (its marker then says the original length). */
  output_truncated?: boolean;
  error?: string | null;
  started_at?: string | null;
  finished_at?: string | null;
  channel?: string | null;
  role?: string | null;
  backend?: string | null;
  session_id?: string | null;
  usage?: Usage | null;
  cost_usd?: number | null;
  parent?: string | null;
}

export function webhookPayload(facts: NotificationFacts): WebhookPayload {
  return {
    event: `${facts.kind}.${facts.status}`,
    run_id: facts.id,
    job_id: facts.id,
    channel: facts.channel ?? null,
    status: facts.status,
    ok: facts.status === 'completed',
    started_at: facts.started_at ?? null,
    finished_at: facts.finished_at ?? null,
    result_preview: facts.output === null ? null : resultPreview(facts.output, facts.output_truncated ?? false),
    error: facts.error ?? null,
    role: facts.role ?? null,
    backend: facts.backend ?? null,
    session_id: facts.session_id ?? null,
    usage: facts.usage ?? null,
    cost_usd: facts.cost_usd ?? null,
    parent: facts.parent ?? null,
  };
}

/** The payload of a finished run. */
export function runWebhookPayload(view: Pick<RunView, 'run_id' | 'channel' | 'role' | 'backend' | 'parent'>, result: RunResult): WebhookPayload {
  return webhookPayload({
    kind: 'run',
    id: view.run_id,
    status: result.status,
    output: result.output,
    output_truncated: result.output_truncated,
    error: result.error,
    started_at: result.started_at,
    finished_at: result.finished_at,
    channel: view.channel,
    role: view.role,
    backend: view.backend,
    session_id: result.session_id,
    usage: result.usage,
    cost_usd: result.cost_usd,
    parent: view.parent,
  });
}

/**
 * The first 4096 characters, then the marker with the original length. An output the RunResult
 * already cut carries its own marker: the length it states is the original one.
 */
export function resultPreview(output: string, alreadyCut = false): string {
  const original = (alreadyCut ? statedOriginalLength(output) : null) ?? output.length;
  if (output.length <= WEBHOOK_PREVIEW_LIMIT && original === output.length) return output;
  const head = withoutMarker(output).slice(0, WEBHOOK_PREVIEW_LIMIT);
  return head + truncationMarker(original);
}

const MARKER_PATTERN = /…\[truncated, original (\d+) chars\]/;

function statedOriginalLength(text: string): number | null {
  const match = MARKER_PATTERN.exec(text);
  return match ? Number(match[1]) : null;
}

function withoutMarker(text: string): string {
  return text.replace(MARKER_PATTERN, '');
}

/** The host a notification goes to: recorded beside the sealed URL, or read from a plain one (0.1.0). */
export function notifyHost(notify: { url: string; url_host?: string }): string {
  return notify.url_host ?? urlHost(notify.url);
}

/** host[:port] of a URL, without credentials, path or query (which may hold secrets). */
export function urlHost(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(url);
  return match?.[1] ?? '(invalid url)';
}
