#!/usr/bin/env node
// The `baton` command: the servers (dev, mcp, worker), `status`, and the commands for people
// (runs, show, tail, spawn, cancel, approve, continue), which talk to Temporal directly.
// Exit codes: 0 ok, 1 an error (or a run that did not complete, for tail -f and spawn --wait),
// 2 a malformed command line.
import { Command, CommanderError, Option } from 'commander';
import { runDev } from './commands/dev.js';
import { runMcpStdio } from './commands/mcp-stdio.js';
import { approveCommand, cancelCommand, continueCommand } from './commands/people/act.js';
import { UsageError } from './commands/people/errors.js';
import { runsCommand, showCommand, tailCommand } from './commands/people/read.js';
import { spawnCommand } from './commands/people/spawn.js';
import { batonVersion } from './commands/services.js';
import { runStatus } from './commands/status.js';
import { runWorker } from './commands/worker.js';
import { loadConfig, type BatonConfig } from './config.js';
import { TOOL_PROFILES, type ToolProfile } from './mcp/profiles/names.js';

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
  root.command('worker').description('a worker alone').action(() => runWorker(loadConfig()));
  root
    .command('status')
    .description('whether the Temporal server, a worker and the MCP endpoint are up (exit code 1 if any is down)')
    .action(async () => {
      process.exitCode = await runStatus(loadConfig());
    });
  root.command('version').description('print the version').action(() => void process.stdout.write(`${batonVersion()}\n`));

  for (const command of [runsCommand(), showCommand(), tailCommand(), spawnCommand(), cancelCommand(), approveCommand(), continueCommand()]) {
    root.addCommand(command);
  }
  // addCommand does not pass settings on: every command throws instead of exiting, so that the
  // exit codes below hold for all of them.
  for (const command of [root, ...root.commands]) {
    const name = command === root ? 'baton' : `baton ${command.name()}`;
    const more = command === root ? 'baton help' : `baton help ${command.name()}`;
    command.exitOverride().showSuggestionAfterError(true).showHelpAfterError(`usage: ${name} ${command.usage()}\n(${more} shows every option)`);
  }
  return root;
}

/** --profile NAME: the MCP tool surface (overrides BATON_TOOL_PROFILE; docs/claude-bridge.md). */
function profileOption(): Option {
  return new Option('--profile <name>', 'which MCP tools to offer: Baton\'s own, or claude-bridge\'s (default: BATON_TOOL_PROFILE, else baton)').choices(TOOL_PROFILES);
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
      // Help and --version end through here too; commander has already printed its message.
      const shown = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code);
      process.exit(shown ? 0 : 2);
    }
    if (err instanceof UsageError) {
      process.stderr.write(`baton: ${err.message}\n(baton help <command> shows its options)\n`);
      process.exit(2);
    }
    process.stderr.write(`baton: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
