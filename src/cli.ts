#!/usr/bin/env node
// The `baton` command: the servers (dev, mcp, worker), `status`, and the commands for people
// (runs, show, tail, spawn, cancel, approve, continue), which talk to Temporal directly.
// Exit codes: 0 ok, 1 an error (or a run that did not complete, for tail -f and spawn --wait),
// 2 a malformed command line.
import { Command, CommanderError } from 'commander';
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
import { loadConfig } from './config.js';

const FOOTER = `
Configuration is by environment variables (README.md, "Configuration"): the people commands find
Temporal as every Baton process does (TEMPORAL_ADDRESS and its envconfig profile, else the dev
server of BATON_DATA_DIR that \`npm start\` runs). \`baton help <command>\` tells more.`;

function program(): Command {
  const root = new Command('baton')
    .description('Durable orchestrator for coding agents on Temporal, with an MCP server in front.')
    .version(batonVersion(), '-V, --version', 'print the version')
    .addHelpText('after', FOOTER);

  root.command('dev').description('Temporal dev server (or TEMPORAL_ADDRESS), worker and MCP over HTTP (what npm start runs)').action(() => runDev(loadConfig()));
  root
    .command('mcp')
    .description('MCP over stdio, for clients that launch their servers')
    .option('--no-worker', 'run no worker in this process')
    .action((opts: { worker: boolean }) => runMcpStdio(loadConfig(), { worker: opts.worker }));
  root.command('worker').description('a worker alone').action(() => runWorker(loadConfig()));
  root
    .command('status')
    .description('whether the Temporal server, a worker and the MCP endpoint are up (exit code 1 if any is down)')
    .action(async () => {
      process.exitCode = await runStatus(loadConfig());
    });
  root.command('version').description('print the version').action(() => void process.stdout.write(`${batonVersion()}\n`));

  for (const command of [runsCommand(), showCommand(), tailCommand(), spawnCommand(), cancelCommand(), approveCommand(), continueCommand(), peerCommand()]) {
    root.addCommand(command);
  }
  // addCommand does not pass settings on: every command throws instead of exiting, so that the
  // exit codes below hold for all of them.
  for (const command of [root, ...root.commands, ...root.commands.flatMap((c) => c.commands)]) {
    const path = command.parent && command.parent !== root ? `${command.parent.name()} ${command.name()}` : command.name();
    const name = command === root ? 'baton' : `baton ${path}`;
    const more = command === root ? 'baton help' : `baton help ${path}`;
    command.exitOverride().showSuggestionAfterError(true).showHelpAfterError(`usage: ${name} ${command.usage()}\n(${more} shows every option)`);
  }
  return root;
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
