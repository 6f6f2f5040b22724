// `baton peer`: agents that talk to each other, from inside an agent (README, "Agents that talk to
// each other"). Every agent finds `baton` on its PATH (a shim the worker writes) and, in its
// environment, its run id, its name (BATON_AGENT_NAME, when it has one) and where Temporal is. The
// commands talk to Temporal directly, with the same client calls as the MCP tools; they need no
// secret key. A person can use them too, naming the inbox with --name.
import { Client } from '@temporalio/client';
import { Command } from 'commander';
import { ackAgentMessages, fetchAgentMessages, listAgents, sendAgentMessage } from '../../client/agents.js';
import { MAX_FETCH, type AgentMessage } from '../../domain/agent-inbox.js';
import { loadConfig, type BatonConfig } from '../../config.js';
import { PEER_ENV } from '../../activities/agent-env.js';
import { connectTemporal } from './connect.js';
import { CliError, translate, wholeNumber } from './errors.js';
import { forTerminal, out, printJson, table } from './format.js';

/** Longest `baton peer wait --timeout`. */
const MAX_WAIT_SECONDS = 24 * 3600;
const DEFAULT_WAIT_SECONDS = 60;

interface PeerSession {
  config: BatonConfig;
  client: Client;
}

async function withPeer<T>(work: (session: PeerSession) => Promise<T>): Promise<T> {
  // Inside an agent, where the worker put it (PEER_ENV); else as every Baton process finds it.
  // This short-lived process takes them as its own: the Temporal profile is read from its env.
  if (process.env[PEER_ENV.address]) {
    process.env.TEMPORAL_ADDRESS = process.env[PEER_ENV.address];
    process.env.TEMPORAL_NAMESPACE = process.env[PEER_ENV.namespace] ?? 'default';
    if (process.env[PEER_ENV.taskQueue]) process.env.BATON_TASK_QUEUE = process.env[PEER_ENV.taskQueue];
  }
  const config = loadConfig();
  const { connection, target } = await connectTemporal(config);
  try {
    return await work({ config, client: new Client({ connection, namespace: target.namespace }) });
  } catch (err) {
    throw translate(err, { to: '<name>', name: '--name', text: '<text>', from: '--from' });
  } finally {
    await connection.close().catch(() => undefined);
  }
}

function myName(given: string | undefined): string {
  const name = given ?? process.env.BATON_AGENT_NAME;
  if (!name) {
    throw new CliError('this agent has no name, so it has no inbox: spawn it with a nickname (spawn_run nickname, or a channel), or pass --name <name> to read that inbox');
  }
  return name;
}

function printMessages(name: string, messages: AgentMessage[]): void {
  if (messages.length === 0) return out(`no unread messages for ${name}`);
  for (const m of forTerminal(messages)) out(`#${m.seq} from ${m.from} at ${m.sent_at}:\n${m.text}\n`);
}

/** Reads the inbox (waiting up to waitMs for a message), prints, then marks what it printed read. */
async function readInbox(name: string, opts: { waitMs: number; json?: boolean; peek?: boolean }): Promise<AgentMessage[]> {
  return withPeer(async ({ client }) => {
    const page = await fetchAgentMessages(client, name, 0, { limit: MAX_FETCH, waitMs: opts.waitMs });
    if (opts.json) printJson({ name, messages: page.messages, more: page.more });
    else printMessages(name, page.messages);
    const last = page.messages.at(-1)?.seq;
    if (last !== undefined && !opts.peek) await ackAgentMessages(client, name, last);
    return page.messages;
  });
}

export function peerCommand(): Command {
  const peer = new Command('peer').description('agents that talk to each other: whoami, list, send, inbox, wait (inside an agent, or with --name)');

  peer
    .command('whoami')
    .description("this agent's name and run id")
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }) => {
      const me = { name: process.env.BATON_AGENT_NAME ?? null, run_id: process.env.BATON_RUN_ID ?? null };
      if (opts.json) return printJson(me);
      if (!me.run_id && !me.name) throw new CliError('not inside a Baton agent (no BATON_RUN_ID): `baton peer` names an inbox with --name here');
      out(me.name ? `${me.name} (run ${me.run_id ?? '-'})` : `no name (run ${me.run_id}): spawn the run with a nickname to get an inbox`);
    });

  peer
    .command('list')
    .description('the named agents: holder run, its status, unread messages')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const agents = await withPeer(({ client, config }) => listAgents(client, config.taskQueue));
      if (opts.json) return printJson({ agents });
      if (agents.length === 0) return out('no named agents');
      out(
        table(
          ['NAME', 'HOLDER', 'STATUS', 'UNREAD'],
          agents.map((a) => [a.name, a.holder ?? '-', a.holder_status ?? '-', String(a.unread)]),
        ),
      );
    });

  peer
    .command('send')
    .description('send a message to a named agent; it waits in their inbox until they read it')
    .argument('<name>', 'the agent name to send to (baton peer list shows them)')
    .argument('<text>', 'the message')
    .option('--from <name>', "who it is from (default: this agent's name)")
    .option('--json', 'print as JSON')
    .action(async (to: string, text: string, opts: { from?: string; json?: boolean }) => {
      const from = opts.from ?? process.env.BATON_AGENT_NAME ?? (process.env.BATON_RUN_ID ? `run:${process.env.BATON_RUN_ID}` : 'person');
      const sent = await withPeer(({ client, config }) => sendAgentMessage(client, config.taskQueue, to, from, text));
      if (opts.json) return printJson(sent);
      out(`sent to ${to} as #${sent.seq}${sent.holder ? '' : ' (nobody goes by that name yet: it waits for them)'}`);
    });

  peer
    .command('inbox')
    .description("print the unread messages of this agent's inbox and mark them read")
    .option('--name <name>', "read this name's inbox instead of this agent's")
    .option('--peek', 'leave them unread')
    .option('--json', 'print as JSON')
    .action(async (opts: { name?: string; peek?: boolean; json?: boolean }) => {
      await readInbox(myName(opts.name), { waitMs: 0, ...opts });
    });

  peer
    .command('wait')
    .description('wait for a message, print the unread ones and mark them read (exit code 1 if none came in time)')
    .option('--timeout <seconds>', `how long to wait (default ${DEFAULT_WAIT_SECONDS}, at most ${MAX_WAIT_SECONDS})`, wholeNumber('--timeout'))
    .option('--name <name>', "wait on this name's inbox instead of this agent's")
    .option('--json', 'print as JSON')
    .action(async (opts: { timeout?: number; name?: string; json?: boolean }) => {
      const seconds = opts.timeout ?? DEFAULT_WAIT_SECONDS;
      if (seconds > MAX_WAIT_SECONDS) throw new CliError(`--timeout is at most ${MAX_WAIT_SECONDS} seconds: wait again to wait longer`);
      const messages = await readInbox(myName(opts.name), { waitMs: seconds * 1000, json: opts.json });
      if (messages.length === 0) process.exitCode = 1;
    });
  return peer;
}
