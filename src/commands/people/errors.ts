// Errors of the people commands: checked with the very schemas the MCP tools use, and said in the
// command line's terms (the option to change, not the JSON field behind it).
import { InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import { InputError } from '../../client/errors.js';
import { argumentProblem } from '../../domain/argument-shape.js';

/** A failure the person can act on; its message is printed as it is (exit code 1). */
export class CliError extends Error {
  override name = 'CliError';
}

/** Field of a tool's arguments -> how it is given on the command line. */
export type OptionNames = Record<string, string>;

function optionOf(field: string, names: OptionNames): string {
  return names[field] ?? `--${field.replace(/_/g, '-')}`;
}

/**
 * The arguments as the tool's schema reads them, or a CliError naming each option at fault. The
 * shape check (NUL, lone surrogates, depth) comes first, as in the MCP server.
 */
export function checkArgs<S extends z.ZodType>(schema: S, args: Record<string, unknown>, names: OptionNames): z.infer<S> {
  const defined = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
  const shape = argumentProblem(defined);
  if (shape) throw new CliError(inOptionTerms(shape, names));
  const parsed = schema.safeParse(defined);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? String(issue.path[0]) : '';
    const rest = issue.path.slice(1).map(String).join('.');
    const where = field ? `${optionOf(field, names)}${rest ? ` (${rest})` : ''}` : 'arguments';
    return `${where}: ${plainMessage(issue)}`;
  });
  throw new CliError(lines.join('\n'));
}

/** zod's generic wording, where it has one, said as what to change. */
function plainMessage(issue: z.core.$ZodIssue): string {
  // A record's key: the key schema's own message ("header names are letters, digits and -").
  if (issue.code === 'invalid_key' && issue.issues.length > 0) return issue.issues.map((inner) => inner.message).join('; ');
  const last = issue.path.at(-1);
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message) && typeof last === 'string') {
    return `"${last}" is missing: add it (${issue.expected === 'string' ? 'a string' : issue.expected})`;
  }
  return issue.message;
}

/**
 * A message from the client layer names JSON fields ("cwd /x is not under ..."): put the option
 * first, so the person knows which one to change.
 */
export function inOptionTerms(message: string, names: OptionNames): string {
  const field = /^([a-z_]+)\b/.exec(message)?.[1];
  if (field && field in names) return `${names[field]}: ${message}`;
  return message;
}

/** The client's messages point at MCP tools; on the command line, the command that does the same. */
const COMMAND_OF_TOOL: Record<string, string> = {
  list_runs: '`baton runs`',
  get_run: '`baton show`',
  get_pipeline: '`baton show`',
  spawn_run: '`baton spawn`',
  cancel_run: '`baton cancel`',
  approve_plan: '`baton approve`',
  continue_run: '`baton continue`',
  poll_events: '`baton tail`',
};

/** Client errors in the command line's terms; anything else passes unchanged. */
export function translate(err: unknown, names: OptionNames): unknown {
  if (!(err instanceof InputError)) return err;
  const message = err.message.replace(/\b(list_runs|get_run|get_pipeline|spawn_run|cancel_run|approve_plan|continue_run|poll_events)\b/g, (tool) => COMMAND_OF_TOOL[tool]);
  return new CliError(inOptionTerms(message, names));
}

/** Parsers for commander: a bad value is a usage error (exit code 2) that names the option. */
export function wholeNumber(option: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${option} takes a whole number, not "${value}"`);
    return Number(value);
  };
}

export function decimal(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${option} takes a number, not "${value}"`);
    return n;
  };
}

/** A malformed command line (exit code 2, like commander's own errors). */
export class UsageError extends Error {
  override name = 'UsageError';
}
