// Structured output larger than a run carries (STRUCTURED_OUTPUT_BYTES), through a real MCP client,
// a real A2A agent (its last data artifact is the structured output) and a real dev server: the
// run fails saying so, with its size and the limit, machine-readable in the result, and
// read_output has it whole. Before, the value was dropped without a word and the output check
// judged the text instead ("not JSON"), or an earlier, smaller artifact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { jsonBytes, STRUCTURED_OUTPUT_BYTES } from '../../src/domain/sizes.js';
import { startTestAgent, type TestAgent } from '../fixtures/a2a/test-agent.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { transcript, waitDone } from '../helpers/run-reads.js';

let env: TestEnv;
let mcp: McpSession;
let agent: TestAgent;

beforeAll(async () => {
  env = await makeTestEnv();
  [mcp, agent] = await Promise.all([connectStdio(env), startTestAgent()]);
});

afterAll(async () => {
  await mcp?.close();
  await agent?.close();
  await env?.cleanup();
});

const SCHEMA = { type: 'object', properties: { nested: { type: 'object', properties: { text: { type: 'string' } } } }, required: ['nested'] };
const small = { nested: { text: 'ok' } };
/** Matches SCHEMA, and is about 200 KB of JSON (the agent builds it: its requests take 100 KB at most). */
const large = { nested: { text: 'ü'.repeat(100_000) } };
const artifactOf = (value: typeof small) => (value === large ? { nested: { depth: 1, repeat: { text: 'ü', times: 100_000 } } } : { data: value });

/** A remote run whose agent answers with these data artifacts, in order (the last one counts). */
async function runWithArtifacts(...answers: (typeof small)[]): Promise<RunView> {
  const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
    input_message: {
      parts: [
        { kind: 'text', text: 'List them. [a2a scenario=artifacts]' },
        { kind: 'data', data: { artifacts: answers.map((value, i) => ({ name: `answer-${i + 1}`, ...artifactOf(value) })) } },
      ],
    },
    backend: 'remote_a2a',
    cwd: env.workDir,
    backend_config: { agent_url: agent.url },
    output_schema: SCHEMA,
  });
  return waitDone(mcp.client, run_id);
}

describe('structured output over its budget', () => {
  it('fails the run naming its size and the limit, in words and in result.structured_output_omitted; read_output has it whole', async () => {
    expect(jsonBytes(large)).toBeGreaterThan(STRUCTURED_OUTPUT_BYTES);
    const run = await runWithArtifacts(large);
    expect(run.status).toBe('failed');
    expect(run.result!.structured_output).toBeUndefined();
    expect(run.result!.structured_output_omitted, run.error ?? '').toEqual({ reason: 'too_large', bytes: jsonBytes(large), limit_bytes: STRUCTURED_OUTPUT_BYTES });
    const bytes = jsonBytes(large).toLocaleString('en-US');
    expect(run.error).toContain(`the agent's structured output is ${bytes} bytes of UTF-8 JSON, over the limit of 131,072 bytes a run carries`);
    expect(run.error).toContain('read_output has it whole');
    expect(await transcript(mcp.client, run.run_id)).toContain(large.nested.text);
  });

  it('the last answer counts: a large one after a small one fails, a small one after a large one completes with it', async () => {
    const largeLast = await runWithArtifacts(small, large);
    expect(largeLast.status).toBe('failed');
    expect(largeLast.result!.structured_output).toBeUndefined();
    expect(largeLast.result!.structured_output_omitted?.bytes).toBe(jsonBytes(large));

    const smallLast = await runWithArtifacts(large, small);
    expect(smallLast.status).toBe('completed');
    expect(smallLast.result!.structured_output).toEqual(small);
    expect(smallLast.result!.structured_output_omitted).toBeUndefined();
  });
});
