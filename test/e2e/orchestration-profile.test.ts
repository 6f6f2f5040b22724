// The orchestration-mcp tool profile (docs/orchestration-mcp.md) through a real MCP SDK client over
// stdio (`baton mcp` with BATON_TOOL_PROFILE=orchestration-mcp, or --profile) and Streamable HTTP
// (`baton dev`), against the real dev server, the fake agent and the fake claude CLI: its 10 tools,
// runs shared with the baton profile (labelled by metadata.baton_profile), type-keyed input parts,
// poll_events by event type, agents messaging, and get_event_artifact returning the whole of a cut
// event field in pages.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArtifactPage } from '../../src/mcp/profiles/orchestration-mcp/artifact.js';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { isFinalStatus, type RunStatus } from '../../src/domain/vocabulary.js';
import { CLI, fakeAgent } from '../helpers/env.js';
import { callError, callOk, connectStdio, startHttpBaton } from '../helpers/mcp.js';
import { baton, env, orch, setUpOrchestrationProfile, unique } from '../helpers/orchestration-profile.js';

const ORCHESTRATION_TOOLS = [
  'cancel_run',
  'continue_run',
  'fetch_agent_messages',
  'get_event_artifact',
  'get_run',
  'list_agents',
  'list_runs',
  'poll_events',
  'send_agent_message',
  'spawn_run',
];

setUpOrchestrationProfile();

interface Spawned {
  run_id: string;
  status: RunStatus;
  nickname: string | null;
}
interface EventsPage {
  status: RunStatus;
  events: RunEvent[];
  last_seq: number;
  next_after_seq: number;
  has_more: boolean;
}
type Artifact = ArtifactPage;

function agentRun(flags: string[], extra: Record<string, unknown> = {}) {
  return { prompt: 'go', backend: 'command', cwd: env.workDir, backend_config: fakeAgent(...flags), ...extra };
}

/** Reads every event until the run's status is final and no page is left: poll_events waits for each new event. */
async function follow(runId: string): Promise<{ status: RunStatus; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await callOk<EventsPage>(orch.client, 'poll_events', { run_id: runId, after_seq: after, limit: 1000, wait_seconds: 20 });
    events.push(...page.events);
    after = page.next_after_seq;
    if (isFinalStatus(page.status) && !page.has_more) {
      // The final status is there: the events of a finished run are all in.
      const view = await callOk<RunView>(orch.client, 'get_run', { run_id: runId });
      if (after >= view.last_seq) return { status: view.status, events };
    }
  }
}

/** Every page of a cut field, each at most `limit` bytes, joined. */
async function wholeArtifact(runId: string, seq: number, fieldPath: string, limit: number): Promise<{ text: string; pages: Artifact[] }> {
  const pages: Artifact[] = [];
  let offset = 0;
  for (;;) {
    const page = await callOk<Artifact>(orch.client, 'get_event_artifact', { run_id: runId, seq, field_path: fieldPath, offset, limit });
    expect(page.offset).toBe(offset);
    expect(Buffer.byteLength(page.text)).toBe(page.next_offset - offset);
    expect(page.next_offset - offset).toBeLessThanOrEqual(limit);
    pages.push(page);
    offset = page.next_offset;
    if (page.eof) return { text: pages.map((p) => p.text).join(''), pages };
  }
}

describe('the orchestration-mcp profile', () => {
  it('offers exactly its 10 tools, over stdio by BATON_TOOL_PROFILE or --profile, and over HTTP', async () => {
    const names = (await orch.client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(ORCHESTRATION_TOOLS);
    expect(orch.client.getServerVersion()?.name).toBe('orchestration-mcp');

    const byFlag = await connectStdio(env, ['--no-worker', '--profile', 'orchestration-mcp']);
    try {
      expect((await byFlag.client.listTools()).tools.map((t) => t.name).sort()).toEqual(ORCHESTRATION_TOOLS);
    } finally {
      await byFlag.close();
    }

    const http = await startHttpBaton(env, { BATON_TOOL_PROFILE: 'orchestration-mcp', BATON_TASK_QUEUE: `${env.env.BATON_TASK_QUEUE}-http` });
    try {
      expect((await http.client.listTools()).tools.map((t) => t.name).sort()).toEqual(ORCHESTRATION_TOOLS);
      expect(http.output()).toContain('Tool profile:                   orchestration-mcp (docs/orchestration-mcp.md)');
    } finally {
      await http.stop();
    }

    // The baton profile is unchanged.
    const batonTools = (await baton.client.listTools()).tools.map((t) => t.name);
    expect(batonTools).toContain('wait_run');
    expect(batonTools).not.toContain('get_event_artifact');
  });

  it('is one of the profiles an unknown one is refused with', () => {
    const flag = spawnSync(process.execPath, [CLI, 'mcp', '--profile', 'nope'], { env: env.env, cwd: env.workDir, encoding: 'utf8', input: '' });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("argument 'nope' is invalid. Allowed choices are baton, claude-bridge, orchestration-mcp");
    const variable = spawnSync(process.execPath, [CLI, 'mcp'], { env: { ...env.env, BATON_TOOL_PROFILE: 'nope' }, cwd: env.workDir, encoding: 'utf8', input: '' });
    expect(variable.status).toBe(1);
    expect(variable.stderr).toContain('BATON_TOOL_PROFILE must be one of baton, claude-bridge, orchestration-mcp');
  });

  it('spawn_run returns status queued at once, and the run completes', async () => {
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', agentRun(['--lines', '3']));
    expect(spawned.run_id).toMatch(/^run_/);
    expect(spawned.status).toBe('queued');
    const { status, events } = await follow(spawned.run_id);
    expect(status).toBe('completed');
    expect(events.filter((e) => e.type === 'agent_message').map((e) => e.data.text)).toEqual(['line 1', 'line 2', 'line 3']);
    const view = await callOk<RunView>(orch.client, 'get_run', { run_id: spawned.run_id });
    expect(view.result?.output).toContain('line 3');
  });

  it("input_message takes parts keyed by type (and by Baton's kind); a part whose type and kind differ is refused", async () => {
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', {
      ...agentRun(['--stdin']),
      prompt: undefined,
      input_message: {
        parts: [
          { type: 'text', text: 'first by type' },
          { kind: 'text', text: 'second by kind' },
        ],
      },
    });
    expect(spawned.status).toBe('queued');
    const { status, events } = await follow(spawned.run_id);
    expect(status).toBe('completed');
    const said = events.filter((e) => e.type === 'agent_message').map((e) => String(e.data.text));
    expect(said.join('\n')).toContain('stdin: first by type');
    expect(said.join('\n')).toContain('stdin: second by kind');

    const differ = await callError(orch.client, 'spawn_run', { ...agentRun([]), prompt: undefined, input_message: { parts: [{ type: 'text', kind: 'data', text: 'x' }] } });
    expect(differ).toContain('input_message.parts.0: type "text" and kind "data" differ');
    // Baton's own checks still apply after the renaming: an unknown part type, a file outside the allowed roots.
    expect(await callError(orch.client, 'spawn_run', { ...agentRun([]), prompt: undefined, input_message: { parts: [{ type: 'video', text: 'x' }] } })).toMatch(/kind "text"/);
    expect(
      await callError(orch.client, 'spawn_run', { ...agentRun([]), prompt: undefined, input_message: { parts: [{ type: 'file', file: { uri: 'file:///etc/passwd' } }] } }),
    ).toMatch(/BATON_ALLOWED_ROOTS|allowed root/i);
    // And those of spawn_run itself: the cwd allow-list, sizes in bytes.
    expect(await callError(orch.client, 'spawn_run', { ...agentRun([]), cwd: '/etc' })).toMatch(/BATON_ALLOWED_ROOTS|allowed root/i);
    expect(await callError(orch.client, 'spawn_run', { ...agentRun([]), prompt: 'é'.repeat(300 * 1024) })).toMatch(/bytes/);
  });

  it('poll_events pages by after_seq and limit (at most 1000)', async () => {
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', agentRun(['--lines', '6']));
    const { events: all } = await follow(spawned.run_id);
    const paged: RunEvent[] = [];
    let after = 0;
    for (;;) {
      const page = await callOk<EventsPage>(orch.client, 'poll_events', { run_id: spawned.run_id, after_seq: after, limit: 2 });
      expect(page.events.length).toBeLessThanOrEqual(2);
      expect(page.events.map((e) => e.seq)).toEqual(page.events.map((_, i) => after + i + 1));
      paged.push(...page.events);
      after = page.next_after_seq;
      if (!page.has_more) break;
    }
    expect(paged).toEqual(all);
    expect(await callError(orch.client, 'poll_events', { run_id: spawned.run_id, limit: 1001 })).toMatch(/limit/);
  });

  it('poll_events takes event types: only those come back, and the cursor moves past the others', async () => {
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', agentRun(['--lines', '5', '--stderr', 'a warning']));
    const { events: all } = await follow(spawned.run_id);
    const last = all.at(-1)!.seq;
    const messages = all.filter((e) => e.type === 'agent_message');
    expect(messages.map((e) => e.data.text)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);

    const paged: RunEvent[] = [];
    let after = 0;
    for (;;) {
      const page = await callOk<EventsPage & { missed: number }>(orch.client, 'poll_events', { run_id: spawned.run_id, types: ['agent_message'], after_seq: after, limit: 2 });
      expect(page.events.length).toBeLessThanOrEqual(2);
      expect(page.events.every((e) => e.type === 'agent_message' && e.seq > after)).toBe(true);
      expect(page.has_more).toBe(page.next_after_seq < last);
      expect(page.missed).toBe(0);
      paged.push(...page.events);
      if (!page.has_more) {
        // Past the events of other types after the last message too: a client never reads them again.
        expect(page.next_after_seq).toBe(last);
        break;
      }
      after = page.next_after_seq;
    }
    expect(paged).toEqual(messages);

    const ends = await callOk<EventsPage>(orch.client, 'poll_events', { run_id: spawned.run_id, types: ['stderr', 'run_completed'], limit: 1000 });
    expect(ends.events).toEqual(all.filter((e) => e.type === 'stderr' || e.type === 'run_completed'));
    expect(ends.events.some((e) => e.type === 'stderr' && e.data.text === 'a warning')).toBe(true);

    const refused = await callError(orch.client, 'poll_events', { run_id: spawned.run_id, types: ['message'] });
    expect(refused).toContain('types.0');
    expect(refused).toMatch(/must be one of run_started, .*agent_message.*run_cancelled \(got "message"\)/);
  });

  it('cancel_run stops a running agent', async () => {
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', agentRun(['--lines', '1', '--sleep-ms', '120000']));
    // Cancelled once it is under way: its first line is out.
    const first = await callOk<EventsPage>(orch.client, 'poll_events', { run_id: spawned.run_id, after_seq: 0, limit: 1000, wait_seconds: 20 });
    let after = first.next_after_seq;
    let events = first.events;
    while (!events.some((e) => e.type === 'agent_message')) {
      const page = await callOk<EventsPage>(orch.client, 'poll_events', { run_id: spawned.run_id, after_seq: after, limit: 1000, wait_seconds: 20 });
      events = [...events, ...page.events];
      after = page.next_after_seq;
    }
    const cancelled = await callOk<{ run_id: string; status: string }>(orch.client, 'cancel_run', { run_id: spawned.run_id, reason: 'test cancels it', wait_seconds: 20 });
    expect(cancelled.status).toBe('cancelled');
    expect((await follow(spawned.run_id)).status).toBe('cancelled');
  });

  it('continue_run follows up a finished Claude Code run on its session, with type-keyed parts', async () => {
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', { prompt: 'remember the word teal', backend: 'claude_code', cwd: env.workDir });
    expect(spawned.status).toBe('queued');
    expect((await follow(spawned.run_id)).status).toBe('completed');
    const parent = await callOk<RunView>(orch.client, 'get_run', { run_id: spawned.run_id });
    const continued = await callOk<{ run_id: string; parent_run_id: string; how: string }>(orch.client, 'continue_run', {
      run_id: spawned.run_id,
      input_message: { parts: [{ type: 'text', text: 'which word?' }] },
    });
    expect(continued.how).toBe('follow_up');
    expect(continued.parent_run_id).toBe(spawned.run_id);
    expect((await follow(continued.run_id)).status).toBe('completed');
    const child = await callOk<RunView>(orch.client, 'get_run', { run_id: continued.run_id });
    expect(child.session_id).toBe(parent.session_id);
    // The follow-up keeps its parent's metadata, so it is labelled as this profile's run too.
    expect(child.metadata).toEqual({ baton_profile: 'orchestration-mcp' });
    expect(await callError(orch.client, 'continue_run', { run_id: spawned.run_id, input_message: { parts: [{ type: 'text', kind: 'file', text: 'x' }] } })).toContain(
      'type "text" and kind "file" differ',
    );
  });

  it("list_runs shows the runs of the baton profile too, and tells this profile's runs by metadata.baton_profile", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const fromBaton = await callOk<Spawned>(baton.client, 'spawn_run', agentRun(['--lines', '1'], { metadata: { team: 'blue' } }));
    const fromOrch = await callOk<Spawned>(orch.client, 'spawn_run', agentRun(['--lines', '1'], { metadata: { team: 'blue' } }));
    const bare = await callOk<Spawned>(orch.client, 'spawn_run', agentRun(['--lines', '1']));
    await Promise.all([follow(fromBaton.run_id), follow(fromOrch.run_id), follow(bare.run_id)]);
    const seen = new Map<string, RunView>();
    let cursor: string | null = null;
    do {
      const page: { runs: RunView[]; next_cursor: string | null } = await callOk(orch.client, 'list_runs', { created_after: since, limit: 100, ...(cursor ? { cursor } : {}) });
      for (const run of page.runs) seen.set(run.run_id, run);
      cursor = page.next_cursor;
    } while (cursor && ![fromBaton, fromOrch, bare].every((r) => seen.has(r.run_id)));
    expect(seen.get(fromBaton.run_id)?.metadata).toEqual({ team: 'blue' });
    expect(seen.get(fromOrch.run_id)?.metadata).toEqual({ team: 'blue', baton_profile: 'orchestration-mcp' });
    expect(seen.get(bare.run_id)?.metadata).toEqual({ baton_profile: 'orchestration-mcp' });
    // The baton profile reads the same label.
    expect((await callOk<RunView>(baton.client, 'get_run', { run_id: fromOrch.run_id })).metadata.baton_profile).toBe('orchestration-mcp');
  });

  it("spawn_run refuses a baton_profile of the caller's that differs, and metadata with no room for the label", async () => {
    expect(await callError(orch.client, 'spawn_run', agentRun([], { metadata: { baton_profile: 'mine' } }))).toContain(
      'metadata.baton_profile is set by this profile to "orchestration-mcp": leave it out (or give "orchestration-mcp")',
    );
    const full = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v']));
    expect(await callError(orch.client, 'spawn_run', agentRun([], { metadata: full }))).toContain(
      'metadata holds at most 31 keys of your own here: this profile adds baton_profile; remove 1',
    );
    // 31 of the caller's own, and the label given as it is, are taken.
    const room = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v']));
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', agentRun(['--lines', '1'], { metadata: { ...room, baton_profile: 'orchestration-mcp' } }));
    expect((await follow(spawned.run_id)).status).toBe('completed');
    const view = await callOk<RunView>(orch.client, 'get_run', { run_id: spawned.run_id });
    expect(view.metadata).toEqual({ ...room, baton_profile: 'orchestration-mcp' });
  });

  it('agents message each other and the caller through this profile', async () => {
    const name = unique('orch-agent');
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', {
      prompt: 'talk',
      backend: 'command',
      cwd: env.workDir,
      nickname: name,
      backend_config: { command: ['sh', '-c', 'baton peer wait --timeout 50 && baton peer send caller "answer from $BATON_AGENT_NAME"'] },
    });
    expect(spawned.nickname).toBe(name);
    // orchestration-mcp's shapes (test/e2e/orchestration-agents.test.ts has the details).
    const agents = await callOk<{ agents: { agent_name: string; last_run_id: string | null }[] }>(orch.client, 'list_agents');
    expect(agents.agents.find((a) => a.agent_name === name)?.last_run_id).toBe(spawned.run_id);
    const sent = await callOk<{ to_agent_name: string; seq: number }>(orch.client, 'send_agent_message', {
      to_agent_name: name,
      from_agent_name: 'caller',
      message: { role: 'user', parts: [{ type: 'text', text: 'hello agent' }] },
    });
    expect(sent.to_agent_name).toBe(name);
    expect((await follow(spawned.run_id)).status).toBe('completed');
    const inbox = await callOk<{ messages: { from_agent_name: string; body: { parts: unknown[] } }[]; next_after_seq: number }>(orch.client, 'fetch_agent_messages', {
      agent_name: 'caller',
      wait_seconds: 20,
    });
    expect(inbox.messages.map((m) => [m.from_agent_name, m.body.parts])).toContainEqual([name, [{ type: 'text', text: `answer from ${name}` }]]);
    await callOk(orch.client, 'fetch_agent_messages', { agent_name: 'caller', after_seq: inbox.next_after_seq });
  });
});

describe('get_event_artifact', () => {
  it('returns the whole of a 20 KB agent message that poll_events cut, in pages', async () => {
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', agentRun(['--lines', '2', '--line-bytes', '20000']));
    const { status, events } = await follow(spawned.run_id);
    expect(status).toBe('completed');
    const messages = events.filter((e) => e.type === 'agent_message');
    expect(messages).toHaveLength(2);
    for (const [i, event] of messages.entries()) {
      const cut = String(event.data.text);
      expect(cut).toMatch(/…\[truncated, original 20000 bytes\]$/);
      // The fake agent pads "line N " with x to 20000 bytes.
      const full = `line ${i + 1} ${'x'.repeat(20000 - `line ${i + 1} `.length)}`;
      expect(full.startsWith(cut.slice(0, cut.indexOf('…')))).toBe(true);
      const { text, pages } = await wholeArtifact(spawned.run_id, event.seq, 'data.text', 8192);
      expect(pages).toHaveLength(3);
      expect(pages[0].total_bytes).toBe(20000);
      expect(pages[0].event_type).toBe('agent_message');
      expect(text).toBe(full);
    }
  });

  it('returns the whole of a 20 KB tool input (multi-byte text) of a Claude Code run, paged on UTF-8 boundaries', async () => {
    const content = `start ${'é😀a'.repeat(3000)} end`;
    const inject = path.join(env.workDir, `inject-${randomBytes(3).toString('hex')}.jsonl`);
    const line = {
      type: 'assistant',
      message: { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_big', name: 'Write', input: { file_path: path.join(env.workDir, 'big.txt'), content } }] },
    };
    await writeFile(inject, `${JSON.stringify(line)}\n`);
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', { prompt: `write it [fake-claude inject=${inject}]`, backend: 'claude_code', cwd: env.workDir });
    const { status, events } = await follow(spawned.run_id);
    expect(status).toBe('completed');
    const started = events.find((e) => e.type === 'tool_started' && e.data.tool_use_id === 'toolu_big');
    expect(started, JSON.stringify(events.map((e) => e.type))).toBeDefined();
    const input = started!.data.input as { content: string };
    expect(input.content).toMatch(/…\[truncated, original \d+ bytes\]$/);
    // 1001 bytes a page: the boundaries fall inside characters, and each page ends before them.
    const { text, pages } = await wholeArtifact(spawned.run_id, started!.seq, 'data.input.content', 1001);
    expect(text).toBe(content);
    expect(pages[0].total_bytes).toBe(Buffer.byteLength(content));
    expect(pages.some((p) => p.next_offset - p.offset < 1001)).toBe(true);
    // An offset inside a character is refused, naming it.
    expect(await callError(orch.client, 'get_event_artifact', { run_id: spawned.run_id, seq: started!.seq, field_path: 'data.input.content', offset: 7, limit: 100 })).toContain(
      'offset 7 is inside a UTF-8 character of data.input.content',
    );
  });

  it('tells apart stderr lines whose cut values are the same by their order', async () => {
    const shared = `err ${'é'.repeat(5000)}`;
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', agentRun(['--stderr', `${shared} first`, '--stderr', `${shared} other`, '--lines', '1']));
    const { status, events } = await follow(spawned.run_id);
    expect(status).toBe('completed');
    const errs = events.filter((e) => e.type === 'stderr' && String(e.data.text).startsWith('err '));
    expect(errs).toHaveLength(2);
    expect(errs[0].data.text).toBe(errs[1].data.text);
    expect((await wholeArtifact(spawned.run_id, errs[0].seq, 'data.text', 262_144)).text).toBe(`${shared} first`);
    expect((await wholeArtifact(spawned.run_id, errs[1].seq, 'data.text', 262_144)).text).toBe(`${shared} other`);
  });

  it('refuses an unknown seq, a path not found, a field that was not cut and a limit over 256 KiB, naming them', async () => {
    const spawned = await callOk<Spawned>(orch.client, 'spawn_run', agentRun(['--lines', '1']));
    const { events } = await follow(spawned.run_id);
    const short = events.find((e) => e.type === 'agent_message')!;
    const last = events.at(-1)!.seq;
    const ask = (args: Record<string, unknown>) => callError(orch.client, 'get_event_artifact', { run_id: spawned.run_id, seq: short.seq, field_path: 'data.text', ...args });
    expect(await ask({ seq: last + 100 })).toContain(`unknown seq ${last + 100}: run ${spawned.run_id} has events 1 to ${last}`);
    expect(await ask({ field_path: 'data.nope' })).toContain(`field data.nope of event seq ${short.seq} (agent_message) not found`);
    expect(await ask({ field_path: 'text' })).toContain('field_path "text" is not a field of an event');
    expect(await ask({})).toContain(`field data.text of event seq ${short.seq} (agent_message) was not cut`);
    expect(await ask({ limit: 256 * 1024 + 1 })).toMatch(/limit is at most 262144/);
    expect(await ask({ seq: 0 })).toMatch(/seq/);
    expect(await callError(orch.client, 'get_event_artifact', { run_id: 'run_nope', seq: 1, field_path: 'data.text' })).toMatch(/run_nope/);
  });
});
