// Resources and prompts of `baton mcp`, through the real MCP SDK client over stdio: a run and its
// output as resources (templates with run-id completion, recent runs listed, paged output, bad ids
// refused) and the slash-command prompts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';

let env: TestEnv;
let alpha: McpSession;

beforeAll(async () => {
  env = await makeTestEnv();
  alpha = await connectStdio(env);
});

afterAll(async () => {
  await alpha?.close();
  await env?.cleanup();
});

const command = (flags: string[]) => ({ prompt: 'run it', backend: 'command', cwd: env.workDir, backend_config: fakeAgent(...flags) });

describe('resources', () => {
  it('lists recent runs, reads a run and its output page by page, completes run ids, refuses bad ids', async () => {
    const { run_id } = await callOk<{ run_id: string }>(alpha.client, 'spawn_run', command(['--lines', '1500', '--line-bytes', '99']));
    expect((await callOk<{ finished: boolean }>(alpha.client, 'wait_run', { run_id })).finished).toBe(true);

    const listed = await alpha.client.listResources();
    expect(listed.resources.map((r) => r.uri)).toContain(`baton://runs/${run_id}`);
    const templates = (await alpha.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(expect.arrayContaining(['baton://runs/{run_id}', 'baton://runs/{run_id}/output']));

    const view = await alpha.client.readResource({ uri: `baton://runs/${run_id}` });
    expect(JSON.parse((view.contents[0] as { text: string }).text)).toMatchObject({ run_id, status: 'completed' });

    const first = (await alpha.client.readResource({ uri: `baton://runs/${run_id}/output` })).contents[0] as { text: string; _meta: Record<string, unknown> };
    expect(first.text.startsWith('line 1')).toBe(true);
    expect(Buffer.byteLength(first.text)).toBeLessThanOrEqual(65_536);
    expect(first._meta).toMatchObject({ offset: 0, eof: false });
    const nextUri = first._meta.next_uri as string;
    expect(nextUri).toBe(`baton://runs/${run_id}/output?offset=${first._meta.next_offset as number}`);
    const second = (await alpha.client.readResource({ uri: nextUri })).contents[0] as { text: string; _meta: Record<string, unknown> };
    expect(second._meta.offset).toBe(first._meta.next_offset);
    const firstLines = first.text.trimEnd().split('\n');
    expect(second.text.split('\n')[0]).toContain(`line ${firstLines.length + 1}`);

    const completion = await alpha.client.complete({ ref: { type: 'ref/resource', uri: 'baton://runs/{run_id}' }, argument: { name: 'run_id', value: run_id.slice(0, -3) } });
    expect(completion.completion.values).toContain(run_id);

    await expect(alpha.client.readResource({ uri: 'baton://runs/not-a-run' })).rejects.toThrow(/not a Baton run id/);
    await expect(alpha.client.readResource({ uri: 'baton://runs/run_NOSUCHRUN0000000000000000' })).rejects.toThrow(/no run with id/);
    await expect(alpha.client.readResource({ uri: `baton://runs/${run_id}/output?offset=abc` })).rejects.toThrow(/offset must be/);
  });
});

describe('prompts', () => {
  it('offers delegate, pipeline and status prompts that name the tools to call', async () => {
    const names = (await alpha.client.listPrompts()).prompts.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['delegate', 'pipeline', 'status']));
    const textOf = async (name: string, args?: Record<string, string>) =>
      (await alpha.client.getPrompt({ name, ...(args ? { arguments: args } : {}) })).messages.map((m) => (m.content as { text: string }).text).join('\n');
    const delegate = await textOf('delegate', { task: 'Fix the parser tests', backend: 'codex' });
    expect(delegate).toContain('spawn_run');
    expect(delegate).toContain('"codex"');
    expect(delegate).toContain('Fix the parser tests');
    const pipeline = await textOf('pipeline', { goal: 'Validate every handler' });
    expect(pipeline).toContain('spawn_pipeline');
    expect(pipeline).toContain('approve_plan');
    expect(await textOf('status')).toContain('list_runs');
  });
});
