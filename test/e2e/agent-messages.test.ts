// Agents that talk to each other (README, "Agents that talk to each other"), through the real MCP
// SDK client over stdio (the built `baton mcp`, without a worker of its own), a `baton worker`
// process that the tests restart, the real dev server, and real agent processes that call
// `baton peer` from their PATH.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_MAX_BYTES, MAX_MESSAGE_BYTES } from '../../src/domain/agent-inbox.js';
import type { RunView } from '../../src/domain/run-view.js';
import { formatBytes } from '../../src/domain/sizes.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, startWorkerProcess, type McpSession, type WorkerProcess } from '../helpers/mcp.js';
import { processesOf, temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let mcp: McpSession;
let worker: WorkerProcess;

beforeAll(async () => {
  env = await makeTestEnv();
  [mcp, worker] = await Promise.all([connectStdio(env, ['--no-worker']), startWorkerProcess(env)]);
});

afterAll(async () => {
  await mcp?.close();
  await worker?.stop();
  await env?.cleanup();
});

/** A name no other test (or test file, on the shared server) uses. */
const unique = (base: string) => `${base}-${randomBytes(3).toString('hex')}`;

interface Message {
  seq: number;
  from: string;
  text: string;
  sent_at: string;
}
interface Page {
  name: string;
  messages: Message[];
  last_seq: number;
  more: number;
  next_after_seq: number;
}
interface Agent {
  name: string;
  holder: string | null;
  holder_status: string | null;
  live: boolean;
  unread: number;
}

const send = (to: string, text: string, from?: string) =>
  callOk<{ to: string; seq: number; holder: string | null }>(mcp.client, 'send_agent_message', { to, text, ...(from ? { from } : {}) });
const fetch = (name: string, after_seq = 0, extra: Record<string, unknown> = {}) => callOk<Page>(mcp.client, 'fetch_agent_messages', { name, after_seq, ...extra });
const agents = async () => (await callOk<{ agents: Agent[] }>(mcp.client, 'list_agents')).agents;

/** A command-backend run of a shell script (its agent has `baton` on its PATH). */
function shellRun(script: string, extra: Record<string, unknown> = {}) {
  return { prompt: 'talk', backend: 'command', cwd: env.workDir, backend_config: { command: ['sh', '-c', script] }, ...extra };
}

async function waitDone(runId: string): Promise<RunView> {
  for (;;) {
    const waited = await callOk<{ finished: boolean; run: RunView }>(mcp.client, 'wait_run', { run_id: runId, max_wait_seconds: 30 });
    if (waited.finished) return waited.run;
  }
}

describe('messages through MCP', () => {
  it('keeps messages in order with a per-inbox seq until they are read; the cursor drops what it passes', async () => {
    const bob = unique('bob');
    const sent = [];
    for (const text of ['one', 'two', 'three']) sent.push(await send(bob, text, 'alice'));
    expect(sent.map((s) => s.seq)).toEqual([1, 2, 3]);
    expect(sent[0].holder).toBeNull();

    const all = await fetch(bob);
    expect(all.messages.map((m) => [m.seq, m.from, m.text])).toEqual([
      [1, 'alice', 'one'],
      [2, 'alice', 'two'],
      [3, 'alice', 'three'],
    ]);
    expect(all.next_after_seq).toBe(3);
    // Reading again from the start without a cursor: nothing was dropped.
    expect((await fetch(bob)).messages).toHaveLength(3);

    const page = await fetch(bob, 2, { limit: 10 });
    expect(page.messages.map((m) => m.text)).toEqual(['three']);
    // Messages at or before the cursor were dropped: from the start, only #3 is left.
    expect((await fetch(bob)).messages.map((m) => m.seq)).toEqual([3]);
    const listed = await waitFor(async () => (await agents()).find((a) => a.name === bob), { what: `${bob} in list_agents` });
    expect(listed).toMatchObject({ holder: null, holder_status: null, live: false, unread: 1 });

    // A limit pages through; more says how many are left.
    await send(bob, 'four');
    const first = await fetch(bob, 3, { limit: 1 });
    expect(first.messages.map((m) => [m.text, m.from])).toEqual([['four', 'caller']]);
    expect(first.more).toBe(0);
    expect((await fetch(bob, 4)).messages).toEqual([]);
  });

  it('continues as new when its history grows, and keeps every unread message in order across it', async () => {
    const many = unique('many');
    const texts: string[] = [];
    const seqOf = new Map<number, string>();
    const temporal = await temporalClient(env);
    try {
      await send(many, 'message 1', 'load');
      texts.push('message 1');
      seqOf.set(1, 'message 1');
      const inbox = temporal.workflow.getHandle(`inbox-${many}`);
      const first = (await inbox.describe()).runId;
      // The test server suggests a continue-as-new at 500 events: send until the inbox has
      // started afresh, twenty at a time (the inbox orders them as it takes them, and each send
      // learns its seq).
      while ((await inbox.describe()).runId === first) {
        expect(texts.length, 'messages sent without a continue-as-new').toBeLessThan(1000);
        const batch = Array.from({ length: 20 }, (_, i) => `message ${texts.length + i + 1}`);
        texts.push(...batch);
        const sent = await Promise.all(batch.map((text) => send(many, text, 'load')));
        sent.forEach((s, j) => seqOf.set(s.seq, batch[j]));
      }
    } finally {
      await temporal.connection.close();
    }
    expect([...seqOf.keys()].sort((a, b) => a - b)).toEqual(texts.map((_, i) => i + 1));
    const read: Message[] = [];
    let cursor = 0;
    for (;;) {
      const page = await fetch(many, cursor);
      if (page.messages.length === 0) break;
      read.push(...page.messages);
      cursor = page.next_after_seq;
    }
    expect(read.map((m) => m.seq)).toEqual(texts.map((_, i) => i + 1));
    expect(read.map((m) => m.text)).toEqual(read.map((m) => seqOf.get(m.seq)));
  }, 120_000);

  it('a waiting fetch returns the message sent while it waits', async () => {
    const carol = unique('carol');
    const waiting = fetch(carol, 0, { wait_seconds: 50 });
    // The fetch waits (for the inbox to exist, then for a message in it); the send lands meanwhile.
    await send(carol, 'are you there?', 'dave');
    const page = await waiting;
    expect(page.messages.map((m) => m.text)).toEqual(['are you there?']);
  });

  it('refuses a message over the inbox cap, naming the limit, and takes it again once the inbox is read', async () => {
    const erin = unique('erin');
    const big = 'x'.repeat(MAX_MESSAGE_BYTES);
    const fits = Math.floor(INBOX_MAX_BYTES / (MAX_MESSAGE_BYTES + 1));
    let last = 0;
    for (let i = 0; i < fits; i++) last = (await send(erin, big, 'f')).seq;
    const refused = await callError(mcp.client, 'send_agent_message', { to: erin, text: big, from: 'f' });
    expect(refused).toContain(`the inbox of "${erin}" is full`);
    expect(refused).toContain(`the limit of ${formatBytes(INBOX_MAX_BYTES)} bytes`);
    // The refusal took nothing: the seq goes on from the last message taken.
    expect((await fetch(erin, last, { limit: 1 })).messages).toEqual([]);
    expect((await send(erin, big, 'f')).seq).toBe(last + 1);
  });

  it('errors name the field and say what to change', async () => {
    expect(await callError(mcp.client, 'send_agent_message', { to: 'not a name', text: 'hi' })).toMatch(/to must be an agent name: 1-64 letters, digits/);
    expect(await callError(mcp.client, 'send_agent_message', { to: 'ok', text: '  ' })).toMatch(/text is empty/);
    const tooLong = await callError(mcp.client, 'send_agent_message', { to: 'ok', text: 'é'.repeat(MAX_MESSAGE_BYTES / 2 + 1) });
    expect(tooLong).toContain(`text is over the limit of ${formatBytes(MAX_MESSAGE_BYTES)} bytes`);
    expect(await callError(mcp.client, 'send_agent_message', { to: 'ok', text: 'hi', extra: 1 })).toMatch(/extra/);
    expect(await callError(mcp.client, 'fetch_agent_messages', { name: 'ok', wait_seconds: 56 })).toMatch(/wait_seconds is at most 55/);
    expect(await callError(mcp.client, 'fetch_agent_messages', { name: 'ok', after_seq: -1 })).toMatch(/after_seq/);
    const frank = unique('frank');
    await send(frank, 'hello');
    expect(await callError(mcp.client, 'fetch_agent_messages', { name: frank, after_seq: 5 })).toMatch(
      /after_seq 5 is past the last message of "frank-\w+" \(seq 1\): pass the last seq you read/,
    );
    expect(await callError(mcp.client, 'fetch_agent_messages', { name: unique('nobody'), after_seq: 2 })).toMatch(/after_seq 2 is past the last message .*: pass 0/);
  });
});

describe('agent names', () => {
  it('a nickname is refused while a live run holds it, and taken by a later run once that one ended', async () => {
    const name = unique('solo');
    const first = await callOk<{ run_id: string; nickname: string }>(
      mcp.client,
      'spawn_run',
      shellRun('echo "I am $BATON_AGENT_NAME"; baton peer wait --timeout 50', { nickname: name }),
    );
    expect(first.nickname).toBe(name);
    const refused = await callError(mcp.client, 'spawn_run', shellRun('true', { nickname: name }));
    expect(refused).toContain(`nickname "${name}" is taken: run ${first.run_id} goes by it and is still running`);
    expect(await callError(mcp.client, 'dispatch', shellRun('true', { nickname: name, max_wait_seconds: 1 }))).toContain('is taken');

    const listed = await waitFor(async () => (await agents()).find((a) => a.name === name), { what: `${name} in list_agents` });
    expect(listed).toMatchObject({ holder: first.run_id, live: true });

    await send(name, 'you may go');
    const done = await waitDone(first.run_id);
    expect(done.status).toBe('completed');
    expect(done.result!.output).toContain(`I am ${name}`);
    expect(done.result!.output).toContain('you may go');

    const second = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', shellRun('echo "$BATON_AGENT_NAME"', { nickname: name }));
    const after = await waitDone(second.run_id);
    expect(after.status).toBe('completed');
    expect(after.result!.output).toContain(name);
  });

  it('of spawns racing for one nickname, exactly one gets it', async () => {
    const name = unique('race');
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const result = (await mcp.client.callTool({ name: 'spawn_run', arguments: shellRun('baton peer wait --timeout 50', { nickname: name }) })) as CallToolResult;
        return result.isError ? null : (result.structuredContent as { run_id: string }).run_id;
      }),
    );
    const started = outcomes.filter((id): id is string => id !== null);
    expect(started).toHaveLength(1);
    await send(name, 'done');
    expect((await waitDone(started[0])).status).toBe('completed');
  });

  it('an agent without a name is told how to get one; whoami says which run it is', async () => {
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', shellRun('baton peer whoami; baton peer inbox; echo "exit $?"'));
    const done = await waitDone(run_id);
    expect(done.result!.output).toContain(`no name (run ${run_id})`);
    expect(done.result!.output).toContain('exit 1');
    const transcript = await callOk<{ text: string }>(mcp.client, 'read_output', { run_id, stream: 'stderr' });
    expect(transcript.text).toContain('this agent has no name, so it has no inbox: spawn it with a nickname');
  });

  it('a nickname is checked: its characters and length, and never with a channel', async () => {
    expect(await callError(mcp.client, 'spawn_run', shellRun('true', { nickname: 'has space' }))).toMatch(/nickname must be 1-64 letters, digits/);
    expect(await callError(mcp.client, 'spawn_run', shellRun('true', { nickname: 'x'.repeat(65) }))).toMatch(/nickname must be/);
    expect(await callError(mcp.client, 'spawn_run', shellRun('true', { nickname: 'n1', channel: 'c1' }))).toMatch(
      /a channel's turns go by the channel's name \("c1"\): remove nickname/,
    );
  });

  it("a named Claude Code agent is told its name and how to use `baton peer`, after the caller's profile", async () => {
    const name = unique('claude');
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: 'wait [fake-claude hang_ms=60000]',
      backend: 'claude_code',
      cwd: env.workDir,
      profile: 'Be terse.',
      nickname: name,
    });
    const argv = await waitFor(
      async () => {
        for (const pid of await processesOf(run_id)) {
          const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
          const prompt = cmdline.find((arg) => arg.startsWith('--append-system-prompt='));
          if (prompt) return prompt;
        }
        return null;
      },
      { what: 'the claude process' },
    );
    expect(argv).toContain(`--append-system-prompt=Be terse.\n\nYou are the agent named "${name}"`);
    expect(argv).toContain('`baton peer send <name> "<text>"`');
    expect(argv).toContain('`baton peer wait --timeout 60`');
    await callOk(mcp.client, 'cancel_run', { run_id });
    await waitDone(run_id);
  });

  it("a channel's turns go by the channel's name; a message to it waits in its inbox and starts no turn", async () => {
    const channel = unique('chan');
    const turn = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', shellRun('echo "I am $BATON_AGENT_NAME"; baton peer wait --timeout 50', { channel }));
    await waitFor(async () => (await callOk<{ status: string }>(mcp.client, 'get_run', { run_id: turn.run_id })).status === 'running', { what: 'the turn to run' });
    expect(await callError(mcp.client, 'spawn_run', shellRun('true', { nickname: channel }))).toContain(`nickname "${channel}" is taken: channel "${channel}" is live`);
    const listed = await waitFor(async () => (await agents()).find((a) => a.name === channel), { what: `${channel} in list_agents` });
    expect(listed).toMatchObject({ holder: `channel_${channel}`, live: true });

    await send(channel, 'hello channel');
    const done = await waitDone(turn.run_id);
    expect(done.result!.output).toContain(`I am ${channel}`);
    expect(done.result!.output).toContain('hello channel');
    await send(channel, 'for the next turn');
    type Listed = { channels: { channel: string; active_run_id: string | null; queued_run_ids: string[]; turns_done: number }[] };
    // The channel's view (its memo, read from visibility) catches up with the turn's end; the
    // message added no turn to it.
    const view = await waitFor(
      async () => {
        const found = (await callOk<Listed>(mcp.client, 'list_channels')).channels.find((c) => c.channel === channel);
        return found && found.turns_done === 1 && found.active_run_id === null ? found : null;
      },
      { what: 'the channel idle after its turn' },
    );
    expect(view.queued_run_ids).toEqual([]);
    // The next turn reads what waited.
    const next = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', shellRun('baton peer inbox', { channel }));
    expect((await waitDone(next.run_id)).result!.output).toContain('for the next turn');
  });

  it("two agents talk with `baton peer`: one waits for the other's message and answers it", async () => {
    const ping = unique('ping');
    const pong = unique('pong');
    // pong waits first; ping sends, then waits for the answer.
    const pongRun = await callOk<{ run_id: string }>(
      mcp.client,
      'spawn_run',
      shellRun(`baton peer whoami && baton peer wait --timeout 50 && baton peer send ${ping} "pong to you"`, { nickname: pong }),
    );
    const pingRun = await callOk<{ run_id: string }>(
      mcp.client,
      'spawn_run',
      shellRun(`baton peer send ${pong} "ping from $BATON_AGENT_NAME" && baton peer wait --timeout 50 && baton peer list`, { nickname: ping }),
    );
    const [pongDone, pingDone] = await Promise.all([waitDone(pongRun.run_id), waitDone(pingRun.run_id)]);
    expect(pongDone.status).toBe('completed');
    expect(pingDone.status).toBe('completed');
    expect(pongDone.result!.output).toContain(`${pong} (run ${pongRun.run_id})`);
    expect(pongDone.result!.output).toMatch(new RegExp(`#1 from ${ping} at \\S+:\\nping from ${ping}`));
    expect(pingDone.result!.output).toMatch(new RegExp(`#1 from ${pong} at \\S+:\\npong to you`));
    // Both inboxes were read: nothing is left unread.
    expect((await fetch(ping)).messages).toEqual([]);
    expect((await fetch(pong)).messages).toEqual([]);
  });

  it('a message to a busy agent reaches it at its next `baton peer inbox`', async () => {
    const busy = unique('busy');
    const me = unique('tester');
    // The agent is busy until the test says go: it blocks reading a FIFO.
    const go = path.join(env.workDir, `${busy}.go`);
    execFileSync('mkfifo', [go]);
    const run = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', shellRun(`baton peer send ${me} ready && read line < ${go} && baton peer inbox`, { nickname: busy }));
    const ready = await fetch(me, 0, { wait_seconds: 50 });
    expect(ready.messages.map((m) => [m.from, m.text])).toEqual([[busy, 'ready']]);
    await send(busy, 'while you were busy', me);
    await writeFile(go, 'go\n');
    const done = await waitDone(run.run_id);
    expect(done.status).toBe('completed');
    expect(done.result!.output).toContain(`from ${me}`);
    expect(done.result!.output).toContain('while you were busy');
  });
});

describe('a worker restarted between send and read', () => {
  it('loses nothing: the messages are in Temporal, and the seq goes on', async () => {
    const name = unique('durable');
    await send(name, 'before the restart', 'sender');
    await send(name, 'also before', 'sender');
    await worker.kill();
    worker = await startWorkerProcess(env);
    const page = await fetch(name);
    expect(page.messages.map((m) => [m.seq, m.text])).toEqual([
      [1, 'before the restart'],
      [2, 'also before'],
    ]);
    expect((await send(name, 'after the restart', 'sender')).seq).toBe(3);
    expect((await fetch(name, 2)).messages.map((m) => m.text)).toEqual(['after the restart']);
  });
});
