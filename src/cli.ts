#!/usr/bin/env node
// The `baton` command.
import { parseArgs } from 'node:util';
import { runDev } from './commands/dev.js';
import { runMcpStdio } from './commands/mcp-stdio.js';
import { batonVersion } from './commands/services.js';
import { runStatus } from './commands/status.js';
import { runWorker } from './commands/worker.js';
import { loadConfig } from './config.js';

const USAGE = `usage: baton <command> [options]

commands:
  dev            Temporal dev server (or TEMPORAL_ADDRESS), worker and MCP over HTTP (what npm start runs)
  mcp            MCP over stdio, for clients that launch their servers; --no-worker to run no worker
  worker         a worker alone
  status         whether the Temporal server, a worker and the MCP endpoint are up (exit code 1 if any is down)
  version        print the version

Configuration is by environment variables: see README.md, "Configuration".`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'dev':
      parseArgs({ args: rest, options: {}, strict: true });
      return runDev(loadConfig());
    case 'mcp': {
      const { values } = parseArgs({ args: rest, options: { 'no-worker': { type: 'boolean', default: false } }, strict: true });
      return runMcpStdio(loadConfig(), { worker: !values['no-worker'] });
    }
    case 'worker':
      parseArgs({ args: rest, options: {}, strict: true });
      return runWorker(loadConfig());
    case 'status':
      parseArgs({ args: rest, options: {}, strict: true });
      process.exitCode = await runStatus(loadConfig());
      return;
    case 'version':
    case '--version':
      process.stdout.write(`${batonVersion()}\n`);
      return;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`baton: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
