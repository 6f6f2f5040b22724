// Random agent output, large and deeply nested, in every backend's format: Claude Code stream-json
// (lines built from the recorded ones, printed by fake-claude), codex exec --json (fake-codex), A2A
// events through the bridge (the real test agent publishing random artifacts) and plain command
// lines (`cat` of a file). Every run must complete with a gapless event sequence and its whole
// transcript in read_output, whatever it printed (docs/RELIABILITY.md, "Sizes").
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { makeTestEnv, ROOT, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { allEvents, transcript, waitDone } from '../helpers/run-reads.js';

let env: TestEnv;
let mcp: McpSession;
let agent: TestAgent;

beforeAll(async () => {
  env = await makeTestEnv({ BATON_EVENT_FLUSH_MS: '20' });
  [mcp, agent] = await Promise.all([connectStdio(env), startTestAgent()]);
});

afterAll(async () => {
  await mcp?.close();
  await agent?.close();
  await env?.cleanup();
});

/** Runs per backend: each is a real agent process and a real workflow, so a few. */
const RUNS = 3;

/** Text of any size up to about 1.5 MB, in characters of 1 to 6 bytes as JSON. */
const bigText = fc
  .record({
    unit: fc.constantFrom('a', 'é', '€', '😀', '"', '\\', '\u0001', 'ab c', '\t'),
    times: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1000, max: 400_000 })),
  })
  .map(({ unit, times }) => unit.repeat(times));

/** JSON of any shape, with big strings inside, wrapped up to 120 levels deep. */
const nestedJson = fc
  .record({
    inner: fc.oneof(fc.jsonValue({ maxDepth: 4 }), bigText, fc.array(bigText, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 300 }), bigText, { maxKeys: 4 })),
    depth: fc.integer({ min: 0, max: 120 }),
    key: fc.string({ minLength: 1, maxLength: 20 }),
  })
  .map(({ inner, depth, key }) => {
    let value: unknown = inner;
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { [key]: value };
    return JSON.parse(JSON.stringify({ value })) as { value: unknown };
  });

async function recorded(file: string, pick: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const lines = (await readFile(path.join(ROOT, 'test', 'fixtures', file), 'utf8')).split('\n').filter(Boolean);
  return JSON.parse(lines.find((l) => pick(JSON.parse(l) as Record<string, unknown>))!) as Record<string, unknown>;
}

let fileCount = 0;
async function writeLines(lines: string[]): Promise<string> {
  const file = path.join(env.workDir, `out-${++fileCount}.txt`);
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

/** The run completed, its events are 1..n with no gap, and the transcript holds every piece. */
async function expectRunWhole(runId: string, pieces: string[]): Promise<void> {
  const run = await waitDone(mcp.client, runId);
  expect(run.status, run.error ?? '').toBe('completed');
  const { events, missed } = await allEvents(mcp.client, runId);
  expect(missed).toBe(0);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.at(-1)!.seq).toBe(run.last_seq);
  expect(events.every((e) => Buffer.byteLength(JSON.stringify(e.data)) <= 8 * 1024)).toBe(true);
  const text = await transcript(mcp.client, runId);
  for (const piece of pieces) expect(text.includes(piece), `the transcript holds a piece of ${piece.length} characters`).toBe(true);
}

// Each case sends up to megabytes through a real agent: a slow draw must not fail on the clock.
describe('random large and deeply nested agent output', { timeout: 240_000 }, () => {
  it('plain command lines', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          bigText.map((t) => t.replace(/[\n\r]/g, ' ')),
          { minLength: 1, maxLength: 6 },
        ),
        async (lines) => {
          const file = await writeLines(lines);
          const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
            prompt: 'print',
            backend: 'command',
            cwd: env.workDir,
            backend_config: { command: ['cat', file] },
          });
          await expectRunWhole(run_id, [await readFile(file, 'utf8')]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('Claude Code stream-json', async () => {
    const assistant = await recorded('claude/tool-use.jsonl', (l) => l.type === 'assistant' && JSON.stringify(l).includes('"tool_use"'));
    const user = await recorded('claude/tool-use.jsonl', (l) => l.type === 'user');
    const block = fc.oneof(
      fc.record({ input: nestedJson }).map(({ input }) => ({ type: 'tool_use', id: 'toolu_fuzz', name: 'Write', input: input.value })),
      bigText.map((text) => ({ type: 'text', text: text || 'x' })),
      bigText.map((thinking) => ({ type: 'thinking', thinking, signature: 'sig' })),
    );
    const line = fc.oneof(
      fc.array(block, { minLength: 1, maxLength: 3 }).map((content) => ({ ...assistant, message: { ...(assistant.message as object), content } })),
      bigText.map((content) => ({ ...user, message: { role: 'user', content: [{ tool_use_id: 'toolu_fuzz', type: 'tool_result', content, is_error: false }] } })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 4 }), async (lines) => {
        const file = await writeLines(lines.map((l) => JSON.stringify(l)));
        const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
          prompt: `go [fake-claude scenario=tool-use inject=${file}]`,
          backend: 'claude_code',
          cwd: env.workDir,
        });
        await expectRunWhole(
          run_id,
          lines.map((l) => JSON.stringify(l.message)),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('codex exec --json', async () => {
    const mcpCall = await recorded('codex/mcp-tool-call.jsonl', (l) => l.type === 'item.completed');
    const command = await recorded('codex/command-execution.jsonl', (l) => l.type === 'item.completed' && JSON.stringify(l).includes('command_execution'));
    const item = fc.oneof(
      nestedJson.map((n) => ({
        ...(mcpCall.item as object),
        arguments: n.value,
        result: { content: [{ type: 'text', text: JSON.stringify(n.value) }], structured_content: n.value },
        error: null,
        status: 'completed',
      })),
      bigText.map((output) => ({ ...(command.item as object), aggregated_output: output })),
      nestedJson.map((n) => ({ id: 'x', type: 'file_change', changes: [{ path: '/x', kind: 'update', diff: n.value }], status: 'completed' })),
      bigText.map((text) => ({ id: 'x', type: 'reasoning', text })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 4 }), async (items) => {
        const lines = items.map((it, i) => ({ type: 'item.completed', item: { ...it, id: `item_${900 + i}` } }));
        const file = await writeLines(lines.map((l) => JSON.stringify(l)));
        const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', { prompt: `go [fake-codex inject=${file}]`, backend: 'codex', cwd: env.workDir });
        await expectRunWhole(
          run_id,
          lines.map((l) => JSON.stringify(l.item)),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('A2A events through the bridge', async () => {
    const artifact = fc.oneof(
      fc
        .record({ unit: fc.constantFrom('a', 'é', '😀', '"'), times: fc.integer({ min: 1, max: 400_000 }) })
        .map((repeat) => ({ name: 'text', repeat: { text: repeat.unit, times: repeat.times } })),
      fc
        .record({ unit: fc.constantFrom('b', 'ü', '€'), times: fc.integer({ min: 1, max: 400_000 }), depth: fc.integer({ min: 0, max: 150 }) })
        .map((n) => ({ name: 'deep', nested: { depth: n.depth, repeat: { text: n.unit, times: n.times } } })),
      fc.jsonValue({ maxDepth: 5 }).map((data) => ({ name: 'data', data: { value: data } })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(artifact, { minLength: 1, maxLength: 4 }), async (artifacts) => {
        const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
          input_message: {
            parts: [
              { kind: 'text', text: 'go [a2a scenario=artifacts]' },
              { kind: 'data', data: { artifacts } },
            ],
          },
          backend: 'remote_a2a',
          cwd: env.workDir,
          backend_config: { agent_url: agent.url },
        });
        const pieces = artifacts.map((a) => ('repeat' in a && a.repeat ? a.repeat : 'nested' in a && a.nested ? a.nested.repeat : null)).filter((r) => r !== null);
        await expectRunWhole(
          run_id,
          pieces.map((r) => JSON.stringify(r.text.repeat(r.times)).slice(1, -1)),
        );
      }),
      { numRuns: RUNS },
    );
  });
});
