// The orchestration-mcp profile driven as a client of orchestration-mcp itself is written: the
// arguments of its README's examples and of its source's schemas (src/core/schemas.ts: run_id or
// agent_name, wait_ms, JSON Pointer field paths, flat file parts), and every key its result schemas
// name, checked in each answer. Through a real MCP SDK client over stdio, on the real dev server.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFinalStatus } from '../../src/domain/vocabulary.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, type McpSession } from '../helpers/mcp.js';

/** orchestration-mcp's result keys, from its schemas. */
const KEYS = {
  spawn: ['agent_name', 'backend', 'role', 'run_id', 'session_id', 'status'],
  summary: ['agent_name', 'backend', 'cwd', 'last_seq', 'metadata', 'remote_ref', 'role', 'run_id', 'session_id', 'started_at', 'status', 'summary', 'updated_at'],
  poll: ['events', 'next_after_seq', 'run_id', 'status'],
  event: ['backend', 'data', 'run_id', 'seq', 'session_id', 'ts', 'type'],
  cancel: ['cancelled_at', 'run_id', 'status'],
  continue: ['agent_name', 'mode', 'resumed_from_run_id', 'run_id', 'session_id', 'status'],
  artifactRef: ['chunk_count', 'encoding', 'field_path', 'mime', 'relpath', 'total_bytes', 'truncated'],
  artifact: ['content', 'encoding', 'field_path', 'has_more', 'mime', 'offset', 'relpath', 'returned_bytes', 'run_id', 'seq', 'total_bytes'],
};

type Dict = Record<string, unknown>;

let env: TestEnv;
let orch: McpSession;

beforeAll(async () => {
  env = await makeTestEnv();
  orch = await connectStdio(env, [], { BATON_TOOL_PROFILE: 'orchestration-mcp' });
});

afterAll(async () => {
  await orch?.close();
  await env?.cleanup();
});

const call = (name: string, args: Dict) => callOk<Dict>(orch.client, name, args);
const hasKeys = (value: Dict, keys: string[], what: string) =>
  expect(
    keys.filter((k) => !(k in value)),
    `${what} lacks orchestration-mcp's keys`,
  ).toEqual([]);
const nickname = (base: string) => `${base}${randomBytes(3).toString('hex')}`;

/** poll_events as its README says: until a terminal status, with its long-poll wait_ms. */
async function pollToEnd(ref: Dict): Promise<{ status: string; events: Dict[] }> {
  const events: Dict[] = [];
  let after = 0;
  for (;;) {
    const page = await call('poll_events', { ...ref, after_seq: after, limit: 1000, wait_ms: 10_000 });
    hasKeys(page, KEYS.poll, 'poll_events');
    events.push(...(page.events as Dict[]));
    after = page.next_after_seq as number;
    if (isFinalStatus(page.status as never) && !page.has_more) return { status: page.status as string, events };
  }
}

describe("orchestration-mcp's own arguments and result keys", () => {
  it("spawn_run as its README's simple example, followed by agent_name: get_run, poll_events, continue_run (resume)", async () => {
    const name = nickname('worker');
    const spawned = await call('spawn_run', {
      backend: 'claude_code',
      role: 'worker',
      nickname: name,
      prompt: 'Inspect the repository and summarize the architecture.',
      cwd: env.workDir,
      session_mode: 'new',
    });
    hasKeys(spawned, KEYS.spawn, 'spawn_run');
    expect(spawned).toMatchObject({ backend: 'claude_code', role: 'worker', agent_name: name, status: 'queued', session_id: expect.any(String) });

    const { status, events } = await pollToEnd({ agent_name: name });
    expect(status).toBe('completed');
    for (const event of events) hasKeys(event, KEYS.event, `event ${String(event.type)}`);
    expect(events[0]).toMatchObject({ run_id: spawned.run_id, backend: 'claude_code' });
    expect(events.at(-1)!.session_id).toEqual(expect.stringMatching(/.+/));

    const summary = await call('get_run', { agent_name: name, cwd: env.workDir });
    hasKeys(summary, KEYS.summary, 'get_run');
    expect(summary).toMatchObject({ run_id: spawned.run_id, agent_name: name, status: 'completed', cwd: env.workDir, remote_ref: null, summary: expect.any(String) });
    expect(await call('get_run', { run_id: spawned.run_id })).toMatchObject({ run_id: spawned.run_id, agent_name: name });

    const continued = await call('continue_run', { agent_name: name, input_message: { role: 'user', parts: [{ type: 'text', text: 'And the tests?' }] } });
    hasKeys(continued, KEYS.continue, 'continue_run');
    expect(continued).toMatchObject({ mode: 'resume', resumed_from_run_id: spawned.run_id, session_id: summary.session_id, agent_name: name });
    expect((await pollToEnd({ run_id: continued.run_id })).status).toBe('completed');
    // The name now names the follow-up: it goes by the nickname too.
    expect(await call('get_run', { agent_name: name })).toMatchObject({ run_id: continued.run_id });
  });

  it('cancel_run by agent_name answers cancelled_at; list_runs filters by status, backend and cwd', async () => {
    const name = nickname('sleeper');
    const elsewhere = path.join(env.workDir, `other-${randomBytes(3).toString('hex')}`);
    await mkdir(elsewhere);
    const spawned = await call('spawn_run', {
      backend: 'command',
      role: 'worker',
      nickname: name,
      prompt: 'wait',
      cwd: elsewhere,
      session_mode: 'new',
      backend_config: fakeAgent('--lines', '1', '--sleep-ms', '120000'),
    });
    // Cancelled once it is under way: its first line is out.
    let after = 0;
    for (let seen = false; !seen;) {
      const page = await call('poll_events', { agent_name: name, after_seq: after, wait_ms: 10_000 });
      seen = (page.events as Dict[]).some((e) => e.type === 'agent_message');
      after = page.next_after_seq as number;
    }
    const cancelled = await call('cancel_run', { agent_name: name });
    hasKeys(cancelled, KEYS.cancel, 'cancel_run');
    expect(cancelled).toMatchObject({ run_id: spawned.run_id, status: 'cancelled', cancelled_at: expect.stringMatching(/^\d{4}-/) });

    const listed = (await call('list_runs', { status: 'cancelled', backend: 'command', cwd: elsewhere })).runs as Dict[];
    expect(listed.map((r) => r.run_id)).toEqual([spawned.run_id]);
    hasKeys(listed[0], KEYS.summary, 'list_runs entry');
    expect((await call('list_runs', { cwd: path.join(elsewhere, 'none') })).runs).toEqual([]);
  });

  it("get_event_artifact takes a JSON Pointer from the event's artifact_refs and pages by offset + returned_bytes while has_more", async () => {
    const spawned = await call('spawn_run', {
      backend: 'command',
      role: 'worker',
      prompt: 'long',
      cwd: env.workDir,
      session_mode: 'new',
      backend_config: fakeAgent('--lines', '1', '--line-bytes', '20000'),
    });
    const { events } = await pollToEnd({ run_id: spawned.run_id });
    const message = events.find((e) => e.type === 'agent_message')!;
    const refs = (message.data as Dict).artifact_refs as Dict[];
    expect(refs).toHaveLength(1);
    hasKeys(refs[0], KEYS.artifactRef, 'artifact_refs entry');
    expect(refs[0]).toMatchObject({ field_path: '/text', total_bytes: 20000, chunk_count: 1, truncated: true });
    let offset = 0;
    let whole = '';
    for (;;) {
      const page = await call('get_event_artifact', { run_id: spawned.run_id, seq: message.seq, field_path: refs[0].field_path, offset, limit: 8192 });
      hasKeys(page, KEYS.artifact, 'get_event_artifact');
      expect(Buffer.byteLength(page.content as string)).toBe(page.returned_bytes);
      whole += page.content as string;
      offset += page.returned_bytes as number;
      if (!page.has_more) break;
    }
    expect(whole).toBe(`line 1 ${'x'.repeat(20000 - 'line 1 '.length)}`);
    expect(await callError(orch.client, 'get_event_artifact', { run_id: spawned.run_id, seq: message.seq, field_path: '/nope' })).toMatch(
      /field \/nope of event seq \d+ \(agent_message\) not found/,
    );
  });

  it('input_message parts in its format: a flat file part, data, a role; metadata values of any JSON type', async () => {
    const file = path.join(env.workDir, `notes-${randomBytes(3).toString('hex')}.txt`);
    await writeFile(file, 'notes');
    const spawned = await call('spawn_run', {
      backend: 'command',
      role: 'worker',
      cwd: env.workDir,
      session_mode: 'new',
      backend_config: fakeAgent('--stdin'),
      input_message: {
        role: 'user',
        parts: [
          { type: 'text', text: 'read it' },
          { type: 'file', uri: file, name: 'notes.txt', mime_type: 'text/plain' },
          { type: 'data', data: { step: 2 } },
        ],
        metadata: { from: 'test' },
      },
      metadata: { task: 'T-1', step: 2, tags: ['a'] },
    });
    expect((await pollToEnd({ run_id: spawned.run_id })).status).toBe('completed');
    expect(await call('get_run', { run_id: spawned.run_id })).toMatchObject({ metadata: { task: 'T-1', step: '2', tags: '["a"]', baton_profile: 'orchestration-mcp' } });
    expect(
      await callError(orch.client, 'spawn_run', {
        backend: 'command',
        role: 'worker',
        cwd: env.workDir,
        session_mode: 'new',
        input_message: { role: 'robot', parts: [{ type: 'text', text: 'x' }] },
      }),
    ).toContain('input_message.role');
  });

  it('a run reference needs run_id or agent_name, and a name must name a run', async () => {
    expect(await callError(orch.client, 'get_run', {})).toContain('run_id or agent_name');
    expect(await callError(orch.client, 'poll_events', { agent_name: nickname('nobody'), after_seq: 0 })).toContain('names no run');
    expect(await callError(orch.client, 'cancel_run', { agent_name: 'bad name!' })).toContain('agent_name must be');
  });
});
