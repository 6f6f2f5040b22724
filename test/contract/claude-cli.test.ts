// The argument lists Baton builds, run by the REAL Claude Code CLI (the native binary of
// @anthropic-ai/claude-code, fetched into the project cache) against a scripted stand-in for the Anthropic API on loopback: the
// CLI's own option parsing accepts them, and Baton's parser reads what it prints.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeCodeBackend } from '../../src/activities/backends/claude-code.js';
import { ClaudeStreamParser } from '../../src/activities/backends/claude-stream.js';
import type { LaunchPlan } from '../../src/activities/backends/types.js';
import type { FactsPatch } from '../../src/domain/event-batch.js';
import { spawnRunInputSchema, toRunSpec } from '../../src/domain/spawn-input.js';
import { realClaudeBinary } from '../helpers/claude-binary.js';
// @ts-expect-error: a plain .mjs test fixture without types
import { startStub } from '../fixtures/claude/record/stub-api.mjs';

/** The real native binary (test/helpers/claude-binary.ts fetches it into the project cache). */
let REAL_CLAUDE: string;
let stub: { port: number; close(): Promise<void> };
let home: string;

beforeAll(async () => {
  REAL_CLAUDE = await realClaudeBinary();
  stub = await startStub({ turns: [{ content: [{ type: 'text', text: 'All good.' }], stop_reason: 'end_turn' }], side: 'title' });
  home = await mkdtemp(path.join(os.tmpdir(), 'baton-claude-home-'));
}, 600_000); // the first run in a clean clone downloads the binary (about 100 MB)
afterAll(() => stub?.close());

async function plan(args: Record<string, unknown>, cwd: string): Promise<LaunchPlan> {
  const spec = toRunSpec(spawnRunInputSchema.parse({ prompt: 'check the code', backend: 'claude_code', cwd, ...args }), { cwd, profileText: (args.profile as string) ?? null });
  return claudeCodeBackend.plan({
    run_id: 'run_contract',
    spec,
    mode: 'launch',
    session_id: null,
    input: spec.input,
    task_id: null,
    runDir: cwd,
    openSecret: (v) => v,
    env: { ...process.env, BATON_CLAUDE_BIN: REAL_CLAUDE },
  });
}

function run(p: LaunchPlan, cwd: string, withApi: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: home, ...(withApi ? { ANTHROPIC_API_KEY: 'sk-ant-api03-stub', ANTHROPIC_BASE_URL: `http://127.0.0.1:${stub.port}` } : {}) };
  return new Promise((resolve) => {
    const child = execFile(p.file, p.args, { cwd, env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(p.input);
  });
}

function facts(stdout: string): FactsPatch {
  const parser = new ClaudeStreamParser();
  const all: FactsPatch = {};
  for (const line of stdout.split('\n').filter(Boolean)) Object.assign(all, parser.parse(line, 'ts').facts);
  return all;
}

describe('the real Claude Code CLI', () => {
  it("runs Baton's command line with every option to a result Baton reads", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'baton-contract-'));
    const p = await plan(
      {
        model: 'sonnet',
        permission_mode: 'acceptEdits',
        max_turns: 3,
        max_budget_usd: 2,
        profile: 'Be brief.',
        backend_config: { allowed_tools: ['Read', 'Bash(git diff *)'], disallowed_tools: ['WebFetch'] },
      },
      cwd,
    );
    const out = await run(p, cwd, true);
    expect(out.stderr).not.toMatch(/unknown option|error: option/);
    expect(out.code).toBe(0);
    expect(facts(out.stdout)).toMatchObject({ is_error: false, output: 'All good.', session_id: p.session_id });
  });

  it('accepts --json-schema and a forked resume (failing only for the missing session, after parsing)', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'baton-contract-'));
    await writeFile(path.join(cwd, 'x'), '');
    const p = await plan(
      {
        output_schema: { type: 'object', properties: { ok: { type: 'boolean' } } },
        session_mode: 'resume',
        session_id: '3f1e5b8a-1111-4222-8333-444455556666',
        backend_config: { fork_session: true },
      },
      cwd,
    );
    const out = await run(p, cwd, false);
    expect(out.stderr).not.toMatch(/unknown option|error: option/);
    expect(out.stderr).toContain('No conversation found with session ID: 3f1e5b8a-1111-4222-8333-444455556666');
  });
});
