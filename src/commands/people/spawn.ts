// `baton spawn`: start a run from the command line. The options become spawn_run's arguments and
// pass the same schema, then the same client call (RunsClient.spawn), which checks the paths
// against BATON_ALLOWED_ROOTS and signs the spec with the launch MAC: nothing here skips a check.
import path from 'node:path';
import { Command, Option } from 'commander';
import { BACKEND_CONFIG_BYTES, OUTPUT_SCHEMA_BYTES, RUN_INPUT_BYTES } from '../../domain/sizes.js';
import { spawnRunInputSchema } from '../../domain/spawn-input.js';
import { BACKENDS, PERMISSION_MODES, ROLES, WORKER_LOSS_POLICIES } from '../../domain/vocabulary.js';
import { withSession } from './connect.js';
import { checkArgs, decimal, translate, UsageError, wholeNumber } from './errors.js';
import { colour, forTerminal, out, printable, printJson } from './format.js';
import { jsonObject } from './json-arg.js';
import { waitToEnd } from './wait.js';

const SPAWN_OPTIONS = {
  prompt: 'the prompt (the words after --, or --prompt, or --input-message)',
  input_message: '--input-message',
  backend: '--backend',
  cwd: '--cwd',
  role: '--role',
  model: '--model',
  permission_mode: '--permission-mode',
  max_turns: '--max-turns',
  max_budget_usd: '--max-budget-usd',
  timeout_seconds: '--timeout',
  channel: '--channel',
  nickname: '--nickname',
  session_id: '--session',
  session_mode: '--session',
  output_schema: '--output-schema',
  backend_config: '--backend-config (with --backend command, the program after --)',
  profile: '--profile',
  metadata: '--label',
  idempotency_key: '--idempotency-key',
  on_worker_loss: '--on-worker-loss',
  notify_url: '--notify-url',
  notify_on: '--notify-on',
  notify_headers: '--notify-header',
};

interface SpawnOptions {
  backend: string;
  cwd: string;
  role?: string;
  wait?: boolean;
  json?: boolean;
  prompt?: string;
  model?: string;
  permissionMode?: string;
  maxTurns?: number;
  maxBudgetUsd?: number;
  timeout?: number;
  channel?: string;
  nickname?: string;
  session?: string;
  outputSchema?: Record<string, unknown>;
  backendConfig?: Record<string, unknown>;
  profile?: string;
  label?: string[];
  idempotencyKey?: string;
  onWorkerLoss?: string;
  notifyUrl?: string;
  inputMessage?: Record<string, unknown>;
  notifyOn?: string[];
  notifyHeader?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
/** Repeatable, and each value may list several, comma-separated: --notify-on error,cancelled. */
const collectList = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim())];

const outputSchemaJson = jsonObject({
  option: '--output-schema',
  limit: OUTPUT_SCHEMA_BYTES,
  advice: 'use a smaller schema ($ref to shared definitions, fewer enum values)',
  example: '{"type": "object"}',
});
const backendConfigJson = jsonObject({
  option: '--backend-config',
  limit: BACKEND_CONFIG_BYTES,
  advice: 'pass fewer or shorter options and environment variables',
  example: '{"sandbox": "workspace-write"}',
});
const inputMessageJson = jsonObject({
  option: '--input-message',
  limit: RUN_INPUT_BYTES,
  advice: 'put large material in a file under --cwd and send it as a file part with its uri',
  example: '{"parts": [{"kind": "text", "text": "Fix issue 42"}]}',
});

export function spawnCommand(): Command {
  return new Command('spawn')
    .description('start a run; with --wait, wait for it and print its result (exit code 0 only if it completed)')
    .usage('--backend <backend> --cwd <dir> [options] -- <prompt, or with --backend command the program and its arguments>')
    .argument('[words...]', 'the prompt; with --backend command, the program and its arguments (the prompt then is --prompt, else this command line)')
    .addOption(new Option('--backend <backend>', 'which agent runs').choices(BACKENDS).makeOptionMandatory())
    .requiredOption('--cwd <dir>', 'the directory the agent works in; must lie under BATON_ALLOWED_ROOTS (a relative path is taken from here)')
    .addOption(new Option('--role <role>', 'worker (default), planner or reviewer').choices(ROLES))
    .option('--wait', 'wait for the run to end and print its result')
    .option('--json', 'print the run as JSON (for scripts)')
    .option('--prompt <text>', 'the prompt, instead of the words after --')
    .option('--model <name>', 'model for claude_code or codex')
    .addOption(new Option('--permission-mode <mode>', 'Claude Code permission mode').choices(PERMISSION_MODES))
    .option('--max-turns <n>', 'Claude Code turn limit', wholeNumber('--max-turns'))
    .option('--max-budget-usd <usd>', 'Claude Code budget', decimal('--max-budget-usd'))
    .option('--timeout <seconds>', 'end the run as timed_out after this long', wholeNumber('--timeout'))
    .option('--channel <name>', 'run as a turn of this channel')
    .option('--nickname <name>', "the agent's name, unique among live runs: others message it with baton peer send")
    .option('--session <id>', 'resume this backend session')
    .option(
      '--input-message <json|@file>',
      'the input as a message of parts, instead of a prompt: {"parts": [{"kind": "text", "text": "..."}, {"kind": "data", "data": {}}, {"kind": "file", "file": {"uri": "..."}}]}',
      inputMessageJson,
    )
    .option('--output-schema <json|@file>', 'a JSON Schema the final output must match (@file: read it from that file)', outputSchemaJson)
    .option('--backend-config <json|@file>', 'backend options as JSON (README.md, "Backends"; @file: read it from that file)', backendConfigJson)
    .option('--profile <text or file>', 'extra instructions: text, or the absolute path of a file under an allowed root')
    .option('--label <key=value>', 'a metadata label (repeatable)', collect)
    .option('--idempotency-key <key>', 'the same key gets the same run: safe to retry')
    .addOption(new Option('--on-worker-loss <policy>', 'when the agent dies with its worker').choices(WORKER_LOSS_POLICIES))
    .option('--notify-url <url>', 'POST a notification here when the run ends')
    .option('--notify-on <events>', 'which endings notify: done (the default), error, cancelled, abandoned, any (repeatable, or comma-separated)', collectList)
    .option(
      '--notify-header <name=value>',
      'a header sent with the notification, e.g. "Authorization=Bearer ..." or "Authorization: Bearer ..." (repeatable; sealed, never shown)',
      collect,
    )
    .action(async (words: string[], opts: SpawnOptions) => {
      const args = checkArgs(spawnRunInputSchema, spawnArguments(words, opts), SPAWN_OPTIONS);
      await withSession(async ({ runs }) => {
        const started = await runs.spawn(args);
        if (!opts.wait) {
          if (opts.json) return printJson({ run_id: started.run_id, created: started.created, run: started.view });
          out(started.run_id);
          if (process.stderr.isTTY) process.stderr.write(colour.dim(`follow it: baton tail -f ${started.run_id}; stop it: baton cancel ${started.run_id}\n`));
          return;
        }
        process.stderr.write(`started ${started.run_id}\n`);
        // Ctrl-C stops the waiting, not the run: it is durable work, and says how to stop it.
        process.once('SIGINT', () => {
          process.stderr.write(`\n${started.run_id} goes on; stop it with: baton cancel ${started.run_id}\n`);
          process.exit(130);
        });
        const view = await waitToEnd(runs, started.run_id, started.view);
        if (opts.json) printJson(view);
        else {
          const shown = forTerminal(view);
          if (shown.result?.output) out(shown.result.output.replace(/\n$/, ''));
          // Escaped once, as JSON: the raw value, not the shown one (whose strings are escaped already).
          if (view.result?.structured_output !== undefined) out(printable(JSON.stringify(view.result.structured_output, null, 2)));
          process.stderr.write(`${started.run_id} ${shown.status}${shown.error ? `: ${shown.error}` : ''}\n`);
        }
        if (view.status !== 'completed') process.exitCode = 1;
      }).catch((err: unknown) => {
        throw translate(err, SPAWN_OPTIONS);
      });
    });
}

/** The command line as spawn_run's arguments; unset options stay unset, so the schema's defaults apply. */
function spawnArguments(words: string[], opts: SpawnOptions): Record<string, unknown> {
  let backendConfig = opts.backendConfig;
  let prompt = opts.prompt;
  const message = opts.inputMessage;
  if (message !== undefined && prompt !== undefined) throw new UsageError('give --prompt or --input-message, not both');
  if (opts.backend === 'command') {
    if (words.length > 0) {
      if (backendConfig && 'command' in backendConfig) throw new UsageError('give the program after -- or as "command" in --backend-config, not both');
      backendConfig = { ...backendConfig, command: words };
    }
    // The program's stdin: --prompt or --input-message, else its own command line, so that every run has an input.
    if (message === undefined) prompt ??= (backendConfig?.command as unknown[] | undefined)?.map(String).join(' ');
  } else if (words.length > 0) {
    if (prompt !== undefined) throw new UsageError('give the prompt after -- or as --prompt, not both');
    if (message !== undefined) throw new UsageError('give the prompt after -- or as --input-message, not both');
    prompt = words.join(' ');
  }
  if (prompt === undefined && message === undefined) {
    throw new UsageError('no prompt: put it after --, e.g. baton spawn --backend claude_code --cwd . -- "fix the failing test" (or give --input-message)');
  }
  return {
    prompt,
    input_message: message,
    backend: opts.backend,
    cwd: opts.cwd === '' ? '' : path.resolve(opts.cwd),
    role: opts.role,
    model: opts.model,
    permission_mode: opts.permissionMode,
    max_turns: opts.maxTurns,
    max_budget_usd: opts.maxBudgetUsd,
    timeout_seconds: opts.timeout,
    channel: opts.channel,
    nickname: opts.nickname,
    ...(opts.session !== undefined ? { session_mode: 'resume', session_id: opts.session } : {}),
    output_schema: opts.outputSchema,
    backend_config: backendConfig,
    profile: opts.profile,
    metadata: opts.label ? labels(opts.label) : undefined,
    idempotency_key: opts.idempotencyKey,
    on_worker_loss: opts.onWorkerLoss,
    notify_url: opts.notifyUrl,
    notify_on: opts.notifyOn,
    notify_headers: opts.notifyHeader ? headers(opts.notifyHeader) : undefined,
  };
}

/**
 * --notify-header values: NAME=VALUE, or NAME: VALUE as curl takes them (whichever of = and :
 * comes first ends the name). The values are secrets: no message here repeats one.
 */
function headers(pairs: string[]): Record<string, string> {
  const named: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.search(/[=:]/);
    const name = at < 0 ? '' : pair.slice(0, at).trim();
    if (!name) {
      const why = at < 0 ? 'one has neither = nor :' : `one has no name before its ${pair[at]}`;
      throw new UsageError(`--notify-header takes NAME=VALUE (or "NAME: VALUE"), e.g. --notify-header "Authorization=Bearer $TOKEN": ${why}`);
    }
    const value = pair[at] === ':' ? pair.slice(at + 1).replace(/^[ \t]+/, '') : pair.slice(at + 1);
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) throw new UsageError(`--notify-header: ${earlier} and ${name} are the same header (names ignore case): give it once`);
    seen.set(name.toLowerCase(), name);
    named[name] = value;
  }
  return named;
}

function labels(pairs: string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--label takes key=value, not "${pair}"`);
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return metadata;
}
