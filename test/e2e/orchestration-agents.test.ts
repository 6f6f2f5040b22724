// The orchestration-mcp profile's agent tools (send_agent_message, fetch_agent_messages,
// list_agents in orchestration-mcp's argument names and result keys; docs/orchestration-mcp.md,
// "Agent messages") through a real MCP SDK client over stdio, against the real dev server, with
// the baton profile on the same inboxes and agents that read theirs with `baton peer`.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { callError, callOk } from '../helpers/mcp.js';
import { baton, env, orch, setUpOrchestrationProfile, unique } from '../helpers/orchestration-profile.js';

setUpOrchestrationProfile();

interface Sent {
  message_id: string;
  to_agent_name: string;
  to_session_id: string;
  seq: number;
  created_at: string;
  holder: string | null;
}
interface InboxMessage {
  message_id: string;
  seq: number;
  from_agent_name: string | null;
  from_session_id: string | null;
  to_agent_name: string;
  to_session_id: string;
  created_at: string;
  body: { role: string; parts: Record<string, unknown>[]; metadata?: Record<string, unknown> };
  metadata: Record<string, unknown>;
}
interface Fetched {
  agent_name: string;
  session_id: string;
  messages: InboxMessage[];
  next_after_seq: number;
  last_seq: number;
  more: number;
}
interface Agent {
  agent_name: string;
  role: string | null;
  session_id: string;
  status: string;
  cwd: string;
  last_run_id: string | null;
  updated_at: string;
  backend: string | null;
  holder: string | null;
  live: boolean;
  unread: number;
}

const send = (args: Record<string, unknown>) => callOk<Sent>(orch.client, 'send_agent_message', args);
const fetchInbox = (args: Record<string, unknown>) => callOk<Fetched>(orch.client, 'fetch_agent_messages', args);
const listAgents = async (args: Record<string, unknown> = {}) => (await callOk<{ agents: Agent[] }>(orch.client, 'list_agents', args)).agents;
const textMessage = (...texts: string[]) => ({ role: 'user', parts: texts.map((text) => ({ type: 'text', text })) });

async function waitDone(runId: string): Promise<RunView> {
  for (;;) {
    const waited = await callOk<{ finished: boolean; run: RunView }>(baton.client, 'wait_run', { run_id: runId, max_wait_seconds: 30 });
    if (waited.finished) return waited.run;
  }
}

describe('send_agent_message and fetch_agent_messages', () => {
  it('a message of text parts reaches the inbox as plain text and comes back as a body', async () => {
    const name = unique('reader');
    const sent = await send({ to_agent_name: name, message: textMessage('hello', 'world') });
    expect(sent).toMatchObject({ message_id: `${name}:1`, to_agent_name: name, to_session_id: '', seq: 1, holder: null });
    expect(Number.isNaN(Date.parse(sent.created_at))).toBe(false);
    await send({ to_agent_name: name, from_agent_name: 'alice', message: textMessage('second') });

    const page = await fetchInbox({ agent_name: name });
    expect(page).toMatchObject({ agent_name: name, session_id: '', next_after_seq: 2, last_seq: 2, more: 0 });
    expect(page.messages[0]).toMatchObject({
      message_id: `${name}:1`,
      seq: 1,
      from_agent_name: 'caller',
      from_session_id: null,
      to_agent_name: name,
      to_session_id: '',
      body: { role: 'agent', parts: [{ type: 'text', text: 'hello\nworld' }] },
      metadata: {},
    });
    expect(page.messages[1]).toMatchObject({ from_agent_name: 'alice', body: { parts: [{ type: 'text', text: 'second' }] } });

    // The baton profile (and `baton peer` inside an agent) reads the same inbox as plain text.
    const plain = await callOk<{ messages: { from: string; text: string }[] }>(baton.client, 'fetch_agent_messages', { name });
    expect(plain.messages.map((m) => [m.from, m.text])).toEqual([
      ['caller', 'hello\nworld'],
      ['alice', 'second'],
    ]);

    // after_seq acknowledges: what it passes is dropped.
    const rest = await fetchInbox({ agent_name: name, after_seq: 1 });
    expect(rest.messages.map((m) => m.seq)).toEqual([2]);
    expect((await fetchInbox({ agent_name: name })).messages.map((m) => m.seq)).toEqual([2]);
  });

  it('data and file parts, message metadata and send metadata come back as they were sent', async () => {
    const name = unique('data');
    const message = {
      role: 'system',
      parts: [
        { type: 'data', data: { task: 'review', files: ['a.ts', 'b.ts'], nested: { n: 1 } } },
        { type: 'file', uri: 'https://example.com/spec.md', mime_type: 'text/markdown', name: 'spec.md' },
        { type: 'text', text: 'see above' },
      ],
      metadata: { step: 3 },
    };
    await send({ to_agent_name: name, message, metadata: { correlation: 'c-1' } });
    const [got] = (await fetchInbox({ agent_name: name })).messages;
    expect(got.body).toEqual(message);
    expect(got.metadata).toEqual({ correlation: 'c-1' });

    // Text parts with metadata are an envelope too (plain text would lose the metadata).
    await send({ to_agent_name: name, message: textMessage('tagged'), metadata: { tag: 'x' } });
    const page = await fetchInbox({ agent_name: name, after_seq: 1 });
    expect(page.messages.map((m) => [m.body, m.metadata])).toEqual([[textMessage('tagged'), { tag: 'x' }]]);
  });

  it("takes Baton's kind in place of type", async () => {
    const name = unique('kind');
    await send({
      to_agent_name: name,
      message: {
        role: 'agent',
        parts: [
          { kind: 'text', text: 'by kind' },
          { kind: 'data', data: { ok: true } },
        ],
      },
    });
    const [got] = (await fetchInbox({ agent_name: name })).messages;
    expect(got.body).toEqual({
      role: 'agent',
      parts: [
        { type: 'text', text: 'by kind' },
        { type: 'data', data: { ok: true } },
      ],
    });
  });

  it('refuses bad arguments, naming the field, and sends nothing', async () => {
    const name = unique('refused');
    const refusal = (args: Record<string, unknown>) => callError(orch.client, 'send_agent_message', { to_agent_name: name, message: textMessage('x'), ...args });
    expect(await refusal({ message: { role: 'user', parts: [] } })).toContain('message.parts needs at least one part');
    expect(await refusal({ message: { role: 'user', parts: [{ type: 'image', url: 'x' }] } })).toContain('message.parts.0.type must be one of "text", "data", "file"');
    expect(await refusal({ message: { role: 'user', parts: [{ text: 'no type' }] } })).toContain('message.parts.0.type: a part needs type');
    expect(await refusal({ message: { role: 'user', parts: [{ type: 'text', kind: 'data', text: 'x' }] } })).toContain('message.parts.0.kind: type "text" and kind "data" differ');
    expect(await refusal({ message: { role: 'boss', parts: [{ type: 'text', text: 'x' }] } })).toContain('message.role must be one of "user", "agent", "system"');
    expect(await refusal({ message: textMessage('x'.repeat(64 * 1024 + 1)) })).toContain(
      'message.parts (their texts joined) is 65,537 bytes of UTF-8, over the limit of 65,536 bytes',
    );
    expect(await refusal({ message: { role: 'user', parts: [{ type: 'data', data: { big: 'y'.repeat(64 * 1024) } }] } })).toMatch(
      /message \(with metadata, as stored in the inbox\) is [\d,]+ bytes of UTF-8 JSON, over the limit of 65,536 bytes/,
    );
    expect(await refusal({ to_agent_name: 'has spaces' })).toContain('to_agent_name must be an agent name');
    expect(await refusal({ from_agent_name: '' })).toContain('from_agent_name must be an agent name');
    expect(await refusal({ to: name })).toContain('send_agent_message has no field "to"');
    expect(await refusal({ cwd: '/etc' })).toContain('cwd "/etc" is outside the allowed roots');
    expect(await refusal({ cwd: 'relative/dir' })).toContain('cwd must be an absolute path');
    expect(await callError(orch.client, 'fetch_agent_messages', { agent_name: name, limit: 1001 })).toContain('limit is at most 1000');
    expect(await callError(orch.client, 'fetch_agent_messages', { agent_name: 'a/b' })).toContain('agent_name must be an agent name');
    expect((await fetchInbox({ agent_name: name, cwd: env.workDir })).messages).toEqual([]);
  });
});

describe('list_agents', () => {
  it('shows named runs with role, session, cwd and status, and filters by status, backend and cwd', async () => {
    const live = unique('live');
    const done = unique('done');
    const idle = unique('idle');
    const ready = unique('ready');
    // The live agent says it is up, then waits for a message and prints it (`baton peer wait`).
    const liveRun = await callOk<{ run_id: string }>(orch.client, 'spawn_run', {
      prompt: 'wait',
      backend: 'command',
      role: 'reviewer',
      cwd: env.workDir,
      nickname: live,
      backend_config: { command: ['sh', '-c', `baton peer send ${ready} up && baton peer wait --timeout 50`] },
    });
    const doneRun = await callOk<{ run_id: string }>(orch.client, 'spawn_run', {
      prompt: 'remember the word teal',
      backend: 'claude_code',
      role: 'planner',
      cwd: env.workDir,
      nickname: done,
    });
    const doneView = await waitDone(doneRun.run_id);
    expect(doneView.status).toBe('completed');
    expect(doneView.session_id).toBeTruthy();
    await send({ to_agent_name: idle, message: textMessage('for later') });
    expect((await fetchInbox({ agent_name: ready, wait_seconds: 30 })).messages.map((m) => m.body.parts)).toEqual([[{ type: 'text', text: 'up' }]]);

    const all = await listAgents();
    const byName = new Map(all.map((a) => [a.agent_name, a]));
    expect(byName.get(live)).toMatchObject({
      role: 'reviewer',
      session_id: '',
      status: 'running',
      cwd: env.workDir,
      last_run_id: liveRun.run_id,
      backend: 'command',
      holder: liveRun.run_id,
      live: true,
    });
    expect(byName.get(done)).toMatchObject({
      role: 'planner',
      session_id: doneView.session_id,
      status: 'completed',
      cwd: env.workDir,
      last_run_id: doneRun.run_id,
      backend: 'claude_code',
      live: false,
    });
    expect(byName.get(done)!.updated_at).toBe(doneView.finished_at);
    expect(byName.get(idle)).toMatchObject({ role: null, session_id: '', status: 'idle', cwd: '', last_run_id: null, holder: null, unread: 1 });

    const names = (agents: Agent[]) => agents.map((a) => a.agent_name);
    expect(names(await listAgents({ status: 'running' }))).toContain(live);
    expect(names(await listAgents({ status: 'running' }))).not.toContain(done);
    expect(names(await listAgents({ status: 'completed' }))).toEqual([done]);
    expect(names(await listAgents({ status: 'idle' }))).toContain(idle);
    expect(names(await listAgents({ backend: 'claude_code' }))).toEqual([done]);
    expect(names(await listAgents({ backend: 'command' }))).toEqual([live]);
    expect(new Set(names(await listAgents({ cwd: env.workDir })))).toEqual(new Set([live, done]));
    const elsewhere = path.join(env.workDir, 'elsewhere');
    await mkdir(elsewhere);
    expect(await listAgents({ cwd: elsewhere })).toEqual([]);
    expect(await callError(orch.client, 'list_agents', { status: 'sleeping' })).toContain('status');

    // A message to a run's name carries its session; the agent reads it as plain text.
    expect((await send({ to_agent_name: done, message: textMessage('after the end') })).to_session_id).toBe(doneView.session_id);
    expect((await fetchInbox({ agent_name: done })).session_id).toBe(doneView.session_id);
    await send({ to_agent_name: live, message: textMessage('you may', 'go now') });
    const liveDone = await waitDone(liveRun.run_id);
    expect(liveDone.status).toBe('completed');
    expect(liveDone.result!.output).toContain('you may\ngo now');
    expect(liveDone.result!.output).not.toContain('"parts"');
  });
});
