// A `command` agent's structured output, through a real MCP client, a real command (`cat` of a
// file under cwd) and a real dev server: the answer is the whole stdout if it parses as JSON, else
// its last non-empty line, read by the host from the transcript. Before, the check read the run's
// last message, cut to 500 characters (its event to 4 KiB before that): a 20 KB answer was "not
// JSON", and pretty-printed JSON, whose last line is "}", never parsed.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { jsonBytes, STRUCTURED_OUTPUT_BYTES } from '../../src/domain/sizes.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { waitDone } from '../helpers/run-reads.js';

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

const SCHEMA = {
  type: 'object',
  properties: { verdict: { enum: ['approve', 'request_changes'] }, findings: { type: 'array', items: { type: 'string' } } },
  required: ['verdict', 'findings'],
};

/** A verdict whose findings make it about `bytes` of JSON. */
function verdict(bytes: number) {
  const findings = Array.from({ length: Math.ceil(bytes / 100) }, (_, i) => `finding ${i}: ${'x'.repeat(86)}`);
  return { verdict: 'request_changes', findings };
}

/** A run of `cat <file>`, the file holding `stdout`: the command's whole output, as it printed it. */
async function runPrinting(name: string, stdout: string): Promise<RunView> {
  await writeFile(path.join(env.workDir, name), stdout);
  const { run_id } = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', {
    prompt: 'Review the patch; answer with a verdict.',
    backend: 'command',
    cwd: env.workDir,
    backend_config: { command: ['cat', name] },
    output_schema: SCHEMA,
  });
  return waitDone(mcp.client, run_id);
}

describe('a command agent’s structured output', () => {
  it('a 20 KB answer on one line validates and comes back whole', async () => {
    const answer = verdict(20_000);
    expect(jsonBytes(answer)).toBeGreaterThan(20_000);
    const run = await runPrinting('one-line.json', `${JSON.stringify(answer)}\n`);
    expect(run.status, run.error ?? '').toBe('completed');
    expect(run.result!.structured_output).toEqual(answer);
  });

  it('pretty-printed, multi-line JSON validates and comes back whole', async () => {
    const answer = verdict(3_000);
    const run = await runPrinting('pretty.json', `${JSON.stringify(answer, null, 2)}\n`);
    expect(run.status, run.error ?? '').toBe('completed');
    expect(run.result!.structured_output).toEqual(answer);
  });

  it('after lines of log, the last non-empty line is the answer, however long', async () => {
    const answer = verdict(10_000);
    const run = await runPrinting('logged.txt', `building…\nrunning 12 tests\n${JSON.stringify(answer)}\n\n`);
    expect(run.status, run.error ?? '').toBe('completed');
    expect(run.result!.structured_output).toEqual(answer);
  });

  it('an answer over 128 KiB fails the run saying so, in result.structured_output_omitted too', async () => {
    const answer = verdict(200_000);
    const run = await runPrinting('large.json', JSON.stringify(answer, null, 1));
    expect(run.status).toBe('failed');
    expect(run.result!.structured_output).toBeUndefined();
    expect(run.result!.structured_output_omitted, run.error ?? '').toEqual({ reason: 'too_large', bytes: jsonBytes(answer), limit_bytes: STRUCTURED_OUTPUT_BYTES });
    expect(run.error).toContain('over the limit of 131,072 bytes a run carries');
  });

  it('output that is not JSON fails the run as before', async () => {
    const run = await runPrinting('prose.txt', 'looks good to me\n');
    expect(run.status).toBe('failed');
    expect(run.error).toContain("the agent's final output is not JSON");
  });
});
