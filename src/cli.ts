#!/usr/bin/env node
// The `baton` command: the servers (dev, mcp, worker), `status`, and the commands for people
// (runs, show, tail, spawn, cancel, approve, continue), which talk to Temporal directly.
// Exit codes: 0 ok, 1 an error (or a run that did not complete, for tail -f and spawn --wait),
// 2 a malformed command line.
import { Argument, Command, CommanderError, Option } from 'commander';
import { runDev } from './commands/dev.js';
import { runMcpStdio } from './commands/mcp-stdio.js';
import { approveCommand, cancelCommand, continueCommand } from './commands/people/act.js';
import { UsageError } from './commands/people/errors.js';
import { runsCommand, showCommand, tailCommand } from './commands/people/read.js';
import { peerCommand } from './commands/people/peer.js';
import { spawnCommand } from './commands/people/spawn.js';
import { batonVersion } from './commands/services.js';
import { runStatus } from './commands/status.js';
import { runWorker } from './commands/worker.js';
import { loadConfig, type BatonConfig } from './config.js';
import { TOOL_PROFILES, type ToolProfile } from './mcp/profiles/names.js';
import { printable } from './terminal-text.js';

const FOOTER = `
Configuration is by environment variables (README.md, "Configuration"): the people commands find
Temporal as every Baton process does (TEMPORAL_ADDRESS and its envconfig profile, else the dev
server of BATON_DATA_DIR that \`npm start\` runs). \`baton help <command>\` tells more.`;

function program(): Command {
  const root = new Command('baton')
    .description('Durable orchestrator for coding agents on Temporal, with an MCP server in front.')
    .version(batonVersion(), '-V, --version', 'print the version')
    .addHelpText('after', FOOTER);

  root
    .command('dev')
    .description('Temporal dev server (or TEMPORAL_ADDRESS), worker and MCP over HTTP (what npm start runs)')
    .addOption(profileOption())
    .action((opts: { profile?: ToolProfile }) => runDev(withProfile(loadConfig(), opts.profile)));
  root
    .command('mcp')
    .description('MCP over stdio, for clients that launch their servers')
    .option('--no-worker', 'run no worker in this process')
    .addOption(profileOption())
    .action((opts: { worker: boolean; profile?: ToolProfile }) => runMcpStdio(withProfile(loadConfig(), opts.profile), { worker: opts.worker }));
  root
    .command('worker')
    .description('a worker alone')
    .action(() => runWorker(loadConfig()));
  root
    .command('status')
    .description('whether the Temporal server, a worker and the MCP endpoint are up (exit code 1 if any is down)')
    .action(async () => {
      process.exitCode = await runStatus(loadConfig());
    });
  root
    .command('version')
    .description('print the version')
    .action(() => void process.stdout.write(`${batonVersion()}\n`));

  for (const command of [runsCommand(), showCommand(), tailCommand(), spawnCommand(), cancelCommand(), approveCommand(), continueCommand(), peerCommand()]) {
    root.addCommand(command);
  }
  // `help` as a command of its own, its argument one of the commands: commander's built-in help
  // command prints the overview and exits 0 for a name it does not know.
  const names = [...root.commands.map((c) => c.name()), 'help'];
  root.helpCommand(false);
  root
    .command('help')
    .description("print a command's options (or, alone, this overview)")
    .addArgument(new Argument('[command]', 'the command').choices(names))
    .action((name?: string) => {
      const command = root.commands.find((c) => c.name() === name && name !== 'help');
      (command ?? root).help();
    });
  // addCommand does not pass settings on: every command throws instead of exiting, so that the
  // exit codes below hold for all of them.
  const commandList = `the commands: ${names.join(', ')}\n(baton help <command> shows a command's options)`;
  for (const command of [root, ...root.commands, ...root.commands.flatMap((c) => c.commands)]) {
    // A subcommand (baton peer send) is shown under its parent's help.
    const parent = command.parent && command.parent !== root ? command.parent : null;
    const path = parent ? `${parent.name()} ${command.name()}` : command.name();
    const usage =
      command === root
        ? `usage: baton <command> [options]; ${commandList}`
        : command.name() === 'help' && !parent
          ? 'usage: baton help [command]\n(baton help alone lists every command with what it does)'
          : `usage: baton ${path} ${command.usage()}\n(baton help ${parent ? parent.name() : command.name()} shows every option)`;
    // Commander's errors quote what was typed (an unknown command, a choice it does not know).
    command
      .exitOverride()
      .configureOutput({ writeErr: (text) => process.stderr.write(printable(text)) })
      .showSuggestionAfterError(true)
      .showHelpAfterError(usage);
  }
  return root;
}

/** --profile NAME: the MCP tool surface (overrides BATON_TOOL_PROFILE; docs/claude-bridge.md, docs/orchestration-mcp.md). */
function profileOption(): Option {
  return new Option('--profile <name>', "which MCP tools to offer: Baton's own, claude-bridge's or orchestration-mcp's (default: BATON_TOOL_PROFILE, else baton)").choices(
    TOOL_PROFILES,
  );
}

function withProfile(config: BatonConfig, profile: ToolProfile | undefined): BatonConfig {
  return profile ? { ...config, toolProfile: profile } : config;
}

async function main(argv: string[]): Promise<void> {
  const root = program();
  if (argv.length === 0) {
    root.outputHelp();
    return;
  }
  await root.parseAsync(argv, { from: 'user' });
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    if (err instanceof CommanderError) {
      // Help and --version end through here too; commander has already printed its message. Help
      // it shows for a wrong command line (exit code 1 in commander's terms) is a usage error.
      const shown = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code);
      process.exit(shown && err.exitCode === 0 ? 0 : 2);
    }
    if (err instanceof UsageError) {
      // A usage error quotes the argument, or a file's first bytes (a JSON parse error).
      process.stderr.write(`baton: ${printable(err.message)}\n(baton help <command> shows its options)\n`);
      process.exit(2);
    }
    // An error can quote what a caller or a run sent: shown, never obeyed by the terminal.
    process.stderr.write(`baton: ${printable(err instanceof Error ? err.message : String(err))}\n`);
    process.exit(1);
  },
);
