// The codex backend through a real MCP client, with the fake Codex CLI replaying sessions recorded
// from the real one: its items as events, usage, output schema, resume, failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunView } from '../../src/domain/run-view.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';

let env: TestEnv;
let mcp: McpSession;

beforeAll(async () => {
  env = await makeTestEnv();
  mcp = await connectStdio(env);
});

afterAll(async () => {
  await mcp?.close();
  await env?.cleanup();
});

interface Waited {
  run: RunView;
}

const codex = (scenario: string, extra: Record<string, unknown> = {}) => ({
  prompt: `Do it. [fake-codex scenario=${scenario}]`,
  backend: 'codex',
  cwd: env.workDir,
  backend_config: { sandbox: 'workspace-write' },
  ...extra,
});

async function eventsOf(runId: string): Promise<RunEvent[]> {
  return (await callOk<{ events: RunEvent[] }>(mcp.client, 'poll_events', { run_id: runId, limit: 1000 })).events;
}

describe('codex', () => {
  it('turns commands, file changes and plans into events, with the thread as session and usage from the turn', async () => {
    const commands = await callOk<Waited>(mcp.client, 'dispatch', codex('command-execution'));
    expect(commands.run.status).toBe('completed');
    expect(commands.run.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(commands.run.usage!.input_tokens).toBeGreaterThan(0);
    const types = (await eventsOf(commands.run.run_id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['command_started', 'command_finished', 'agent_message', 'usage']));
    const edits = await callOk<Waited>(mcp.client, 'dispatch', codex('file-change'));
    expect((await eventsOf(edits.run.run_id)).some((e) => e.type === 'file_changed')).toBe(true);
    const plan = await callOk<Waited>(mcp.client, 'dispatch', codex('todo-list'));
    expect((await eventsOf(plan.run.run_id)).some((e) => e.type === 'todo_updated')).toBe(true);
  });

  it('validates its final message against output_schema', async () => {
    const schema = JSON.parse(
      await import('node:fs/promises').then((fs) => fs.readFile(new URL('../fixtures/codex/record/answer-schema.json', import.meta.url), 'utf8')),
    ) as Record<string, unknown>;
    const done = await callOk<Waited>(mcp.client, 'dispatch', codex('output-schema', { output_schema: schema }));
    expect(done.run.status).toBe('completed');
    expect(done.run.result!.structured_output).toBeTypeOf('object');
    const notJson = await callOk<Waited>(mcp.client, 'dispatch', codex('output-schema-not-json', { output_schema: schema }));
    expect(notJson.run.status).toBe('failed');
    expect(notJson.run.error).toContain('not JSON');
  });

  it('continue_run resumes the thread', async () => {
    const first = await callOk<Waited>(mcp.client, 'dispatch', codex('success-text'));
    const next = await callOk<{ run_id: string }>(mcp.client, 'continue_run', { run_id: first.run.run_id, prompt: 'And then? [fake-codex scenario=resumed]' });
    const done = await callOk<Waited>(mcp.client, 'wait_run', { run_id: next.run_id });
    expect(done.run).toMatchObject({ status: 'completed', session_id: first.run.session_id, parent: first.run.run_id });
  });

  it("a failed turn fails the run with Codex's message", async () => {
    const done = await callOk<Waited>(mcp.client, 'dispatch', codex('turn-failed'));
    expect(done.run.status).toBe('failed');
    expect(done.run.error!.length).toBeGreaterThan(20);
  });
});
