// Sizes (docs/RELIABILITY.md, "Sizes"): whatever an agent prints, and whatever a start sends, no
// payload Baton hands Temporal passes its limits, so every accepted run ends. Through the real MCP
// client and the built `baton mcp` with its worker, against the test dev server (history limits
// lowered: 100 signals, continue-as-new suggested at 500 events), with the fake CLIs printing lines
// built from their recordings, and the real A2A test agent.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client as TemporalClient } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { fakeAgent, makeTestEnv, ROOT, type TestEnv } from '../helpers/env.js';
import { callError, callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { temporalClient, workflowsOf } from '../helpers/temporal.js';
import { allEvents, transcript, waitDone } from '../helpers/run-reads.js';

let env: TestEnv;
let mcp: McpSession;
let agent: TestAgent;
let temporal: TemporalClient;

beforeAll(async () => {
  // Signals every 20 ms, so a run sends hundreds of them in seconds.
  env = await makeTestEnv({ BATON_EVENT_FLUSH_MS: '20' });
  [mcp, agent, temporal] = await Promise.all([connectStdio(env), startTestAgent(), temporalClient(env)]);
});

afterAll(async () => {
  await mcp?.close();
  await agent?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

const MIB = 1024 * 1024;
/** The marker a cut string ends with, for a string of `bytes` bytes of UTF-8. */
const cutMarker = (bytes: number) => `…[truncated, original ${bytes} bytes]`;

async function recorded(file: string, pick: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const lines = (await readFile(path.join(ROOT, 'test', 'fixtures', file), 'utf8')).split('\n').filter(Boolean);
  return JSON.parse(lines.find((l) => pick(JSON.parse(l) as Record<string, unknown>))!) as Record<string, unknown>;
}

async function injectFile(name: string, lines: unknown[]): Promise<string> {
  const file = path.join(env.workDir, `${name}.jsonl`);
  await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

describe('a long run of large events', () => {
  it('3000 lines of 5 KB complete through continue-as-new, with every line in the transcript', async () => {
    const LINES = 3000;
    const BYTES = 5000;
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: 'print large lines',
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--lines', String(LINES), '--line-bytes', String(BYTES), '--delay-ms', '1'),
    });
    const run = await waitDone(mcp.client, run_id);
    expect(run.status).toBe('completed');

    // The run's last execution was continued from an earlier segment (history, not visibility,
    // which may lag). Only its first event: a whole segment of large events can pass the 4 MB a
    // gRPC answer may hold.
    const first = await temporal.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: run_id }, maximumPageSize: 1 });
    expect(first.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();

    // The newest events are live, in order, each line cut to 4 KiB with a marker.
    const { events, missed } = await allEvents(mcp.client, run_id);
    expect(events.at(-1)!.seq).toBe(run.last_seq);
    expect(missed + events.length).toBe(run.last_seq);
    const last = events.filter((e) => e.type === 'agent_message').at(-1)!;
    expect(last.data.text).toMatch(new RegExp(`^line ${LINES} x+…\\[truncated, original ${BYTES} bytes\\]$`));

    const text = await transcript(mcp.client, run_id);
    const lines = text.split('\n').slice(0, -1);
    expect(lines).toHaveLength(LINES);
    expect(lines.every((l, i) => l.startsWith(`line ${i + 1} `) && l.length === BYTES)).toBe(true);
  });
});

describe('one huge event', () => {
  it('a Claude Code tool_use whose input is 3 MB: the run completes, the event is cut, read_output has it whole', async () => {
    const toolUse = await recorded('claude/tool-use.jsonl', (l) => l.type === 'assistant' && JSON.stringify(l).includes('"tool_use"'));
    const content = 'é'.repeat(1.5 * MIB); // 3 MiB of UTF-8
    const message = structuredClone(toolUse.message) as { content: Record<string, unknown>[] };
    message.content = [{ type: 'tool_use', id: 'toolu_01WriteBigFile', name: 'Write', input: { file_path: `${env.workDir}/big.txt`, content } }];
    const file = await injectFile('claude-big-tool-use', [{ ...toolUse, message }]);
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: `Write the big file. [fake-claude scenario=tool-use inject=${file}]`,
      backend: 'claude_code',
      cwd: env.workDir,
    });
    const run = await waitDone(mcp.client, run_id);
    expect(run.status).toBe('completed');
    const { events } = await allEvents(mcp.client, run_id);
    const write = events.find((e) => e.type === 'tool_started' && e.data.name === 'Write')!;
    const input = write.data.input as { file_path: string; content: string };
    expect(input.file_path).toBe(`${env.workDir}/big.txt`);
    expect(input.content.endsWith(cutMarker(3 * MIB))).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(write.data))).toBeLessThanOrEqual(8 * 1024);
    expect(await transcript(mcp.client, run_id)).toContain(JSON.stringify(content));
  });

  it('a Codex item with a 3 MB field nested deep: the run completes, the field is cut, read_output has it whole', async () => {
    const item = await recorded('codex/mcp-tool-call.jsonl', (l) => l.type === 'item.completed');
    const blob = '€'.repeat(MIB); // 3 MiB of UTF-8
    const nested = { level1: { level2: [{ level3: { blob } }] } };
    const line = { ...item, item: { ...(item.item as object), id: 'item_90', arguments: nested } };
    const file = await injectFile('codex-big-item', [{ ...line, type: 'item.started' }, line]);
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: `Call the tool. [fake-codex inject=${file}]`,
      backend: 'codex',
      cwd: env.workDir,
    });
    const run = await waitDone(mcp.client, run_id);
    expect(run.status).toBe('completed');
    const { events } = await allEvents(mcp.client, run_id);
    const started = events.find((e) => e.type === 'tool_started' && e.data.tool_use_id === 'item_90')!;
    const cut = (started.data.input as typeof nested).level1.level2[0].level3.blob;
    expect(cut.endsWith(cutMarker(3 * MIB))).toBe(true);
    expect(await transcript(mcp.client, run_id)).toContain(JSON.stringify(blob));
  });

  it('an A2A artifact whose data holds 3 MB nested deep: the run completes, the field is cut, read_output has it whole', async () => {
    const blob = 'ü'.repeat(1.5 * MIB);
    const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      input_message: {
        parts: [
          { kind: 'text', text: 'Report. [a2a scenario=artifacts]' },
          { kind: 'data', data: { artifacts: [{ name: 'deep', nested: { depth: 5, repeat: { text: 'ü', times: 1.5 * MIB } } }] } },
        ],
      },
      backend: 'remote_a2a',
      cwd: env.workDir,
      backend_config: { agent_url: agent.url },
    });
    const run = await waitDone(mcp.client, run_id);
    expect(run.status).toBe('completed');
    const { events } = await allEvents(mcp.client, run_id);
    const artifact = events.find((e) => e.type === 'agent_message' && (e.data.artifact as { name?: string } | undefined)?.name === 'deep')!;
    let value = artifact.data.data as Record<string, unknown>;
    for (let i = 0; i < 5; i++) value = value.nested as Record<string, unknown>;
    expect(String(value.text).endsWith(cutMarker(3 * MIB))).toBe(true);
    expect(await transcript(mcp.client, run_id)).toContain(blob);
  });
});

describe('big multi-byte input', () => {
  it('a prompt of 600,000 é (1.2 MB of UTF-8) is refused at spawn time naming prompt, its size and the limit; one under the limit runs', async () => {
    const before = await workflowsOf(env, temporal);
    const message = await callError(mcp.client, 'spawn_run', { prompt: 'é'.repeat(600_000), backend: 'command', cwd: env.workDir, backend_config: fakeAgent('--stdin') });
    expect(message).toContain('prompt is 1,200,000 bytes of UTF-8 (600,000 characters), over the limit of 524,288 bytes');
    expect(message).not.toContain('This is not a problem with your arguments');
    expect(await workflowsOf(env, temporal)).toEqual(before);

    // Whatever is accepted runs: 170,000 € is 510,000 bytes.
    const accepted = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
      prompt: '€'.repeat(170_000),
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--stdin'),
    });
    const run = await waitDone(mcp.client, accepted.run_id);
    expect(run.status).toBe('completed');
    expect(await transcript(mcp.client, accepted.run_id)).toBe(`stdin: ${'€'.repeat(170_000)}\n`);
  });

  it('a 3.5 MB text part is refused at spawn time naming input_message, the part, its size and the limit', async () => {
    const before = await workflowsOf(env, temporal);
    const message = await callError(mcp.client, 'spawn_run', {
      input_message: { parts: [{ kind: 'text', text: 'a'.repeat(3_500_000) }] },
      backend: 'command',
      cwd: env.workDir,
      backend_config: fakeAgent('--stdin'),
    });
    expect(message).toMatch(/input_message is 3,500,0\d\d bytes of UTF-8 JSON \(parts\[0\], a text part, is 3,500,0\d\d bytes\), over the limit of 524,288 bytes/);
    expect(message).not.toContain('This is not a problem with your arguments');
    expect(await workflowsOf(env, temporal)).toEqual(before);
  });

  it('a pipeline goal of 200,000 é (400 KB of UTF-8) is refused naming goal, its size and the limit', async () => {
    const before = await workflowsOf(env, temporal);
    const message = await callError(mcp.client, 'spawn_pipeline', { goal: 'é'.repeat(200_000), cwd: env.workDir, worker: { backend: 'claude_code' } });
    expect(message).toContain('goal is 400,000 bytes of UTF-8 (200,000 characters), over the limit of 262,144 bytes');
    expect(await workflowsOf(env, temporal)).toEqual(before);
  });

  it('a profile over its limit is refused naming profile, its size and the limit', async () => {
    const message = await callError(mcp.client, 'spawn_run', {
      prompt: 'hi',
      backend: 'claude_code',
      cwd: env.workDir,
      profile: 'ß'.repeat(100_000),
    });
    expect(message).toContain('profile is 200,000 bytes of UTF-8, over the limit of 131,072 bytes');
  });
});
