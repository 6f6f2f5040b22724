// How the people commands print: tables, times, colours, one readable line per event. Colour only
// on a terminal and never with NO_COLOR, so that a pipe or a script gets plain text (and --json).
import Table from 'cli-table3';
import pc from 'picocolors';
import type { RunEvent, RunView } from '../../domain/run-view.js';
import { forTerminal, printable } from '../../terminal-text.js';

export { forTerminal, printable };

const useColour = (stream: NodeJS.WriteStream): boolean => Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');

export const colour = pc.createColors(useColour(process.stdout));

export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function statusText(status: string): string {
  if (status === 'completed') return colour.green(status);
  if (['failed', 'timed_out', 'rejected'].includes(status)) return colour.red(status);
  if (status === 'cancelled') return colour.yellow(status);
  if (['input_required', 'auth_required', 'awaiting_approval'].includes(status)) return colour.magenta(status);
  return colour.cyan(status);
}

/** "2026-01-31 09:00:12" in local time: what a person compares with the clock on the wall. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Elapsed so far for a run that is still going; its own figure once it has finished. */
export function elapsedOf(view: Pick<RunView, 'elapsed_ms' | 'started_at' | 'finished_at'>): string {
  if (view.elapsed_ms !== null) return duration(view.elapsed_ms);
  if (view.started_at && !view.finished_at) return duration(Date.now() - Date.parse(view.started_at));
  return '-';
}

export function oneLine(text: string | null | undefined, max = 80): string {
  const line = printable((text ?? '').replace(/\s+/g, ' ').trim());
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** What a run is about, in a table cell: its error, last message or prompt. */
export function summaryOf(view: RunView): string {
  if (view.error) return oneLine(view.error, 60);
  return oneLine(view.last_message ?? view.prompt_preview, 60);
}

export function table(head: string[], rows: string[][]): string {
  const t = new Table({ head: head.map((h) => colour.bold(h)), style: { head: [], border: [] } });
  t.push(...rows);
  return t.toString();
}

/** Label: value lines, aligned. */
export function fields(pairs: Array<[string, string | number | null | undefined]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${colour.dim(`${k}:`.padEnd(width))} ${v === null ? '-' : String(v)}`)
    .join('\n');
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

/** One event as a line a person reads: time, what happened, the gist. */
export function eventLine(raw: RunEvent): string {
  const event = forTerminal(raw);
  const time = colour.dim(when(event.ts).slice(11));
  const d = event.data;
  const tag = (t: string) => colour.bold(t.padEnd(8));
  switch (event.type) {
    case 'agent_message':
      return `${time} ${tag('agent')} ${str(d.text)}`;
    case 'reasoning':
      return `${time} ${colour.dim(`${'thinking'.padEnd(8)} ${oneLine(str(d.text), 200)}`)}`;
    case 'tool_started':
      return `${time} ${tag('tool')} ${str(d.name)} ${colour.dim(oneLine(str(d.input), 160))}`;
    case 'tool_finished':
      return `${time} ${tag('tool')} ${str(d.name)} ${d.is_error ? colour.red('error') : 'done'} ${colour.dim(oneLine(str(d.output), 160))}`;
    case 'command_started':
      return `${time} ${tag('command')} $ ${str(d.command)}`;
    case 'command_finished':
      return `${time} ${tag('command')} $ ${str(d.command)} -> exit ${str(d.exit_code) || '?'}`;
    case 'file_changed':
      return `${time} ${tag('file')} ${oneLine(str(d.kind ?? d.change))} ${str(d.path)}`.replace(/ +$/, '');
    case 'stderr':
      return `${time} ${tag('stderr')} ${colour.yellow(str(d.text))}`;
    case 'status_changed':
      return `${time} ${tag('status')} ${str(d.from)} -> ${statusText(str(d.to))}${d.reason ? ` (${str(d.reason)})` : ''}`;
    case 'run_started':
      return `${time} ${tag('started')} ${str(d.backend)} ${str(d.role)} in ${str(d.cwd)}`;
    case 'run_completed':
      return `${time} ${tag('end')} ${statusText('completed')}${d.exit_code !== undefined && d.exit_code !== null ? ` (exit ${str(d.exit_code)})` : ''}`;
    case 'run_failed':
      return `${time} ${tag('end')} ${statusText(str(d.status) || 'failed')}: ${str(d.error)}`;
    case 'run_cancelled':
      return `${time} ${tag('end')} ${statusText('cancelled')}${d.reason || d.error ? `: ${str(d.reason ?? d.error)}` : ''}`;
    case 'input_required':
      return `${time} ${tag('input')} ${colour.magenta('the agent asks:')} ${str(d.text ?? d.message ?? d)}`;
    default:
      return `${time} ${tag(event.type)} ${colour.dim(oneLine(JSON.stringify(d), 200))}`;
  }
}
