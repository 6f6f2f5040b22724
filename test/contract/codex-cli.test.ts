// The argument lists Baton's codex adapter builds, run by the REAL Codex CLI (the dev dependency
// node_modules/.bin/codex) against the scripted Responses API of test/fixtures/codex/record: the
// CLI really parses them, runs the turn, executes the command and the patch, and its output goes
// through Baton's parser. Hermetic: a temp HOME/CODEX_HOME per run, the stub on a free loopback
// port, no network.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { codexBackend } from '../../src/activities/backends/codex.js';
import type { LaunchPlan, LaunchRequest } from '../../src/activities/backends/types.js';
import type { FactsPatch, NewEvent } from '../../src/domain/event-batch.js';
import { spawnRunInputSchema, toRunSpec } from '../../src/domain/spawn-input.js';
import { startStub, type Stub, type StubRequest, type StubTurn } from '../fixtures/codex/record/stub-api.mjs';
import { ROOT } from '../helpers/env.js';

const REAL_CODEX = path.join(ROOT, 'node_modules', '.bin', 'codex');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-contract-'));
const stubs: Stub[] = [];
afterAll(async () => {
  await Promise.all(stubs.map((s) => s.close()));
  fs.rmSync(TMP, { recursive: true, force: true });
});
// codex says this on stderr whenever CODEX_HOME lies under the temp dir, as it does here.
const TEMP_HOME_WARNING = /^WARNING: proceeding, even though we could not create PATH aliases: .*\n/gm;

interface Host {
  home: string;
  cwd: string;
  stub: Stub;
}

/** A fresh CODEX_HOME whose config.toml makes the stub the model provider, and a project dir. */
async function host(turns: StubTurn[]): Promise<Host> {
  const home = fs.mkdtempSync(path.join(TMP, 'home-'));
  const cwd = fs.mkdtempSync(path.join(TMP, 'project-'));
  fs.writeFileSync(path.join(cwd, 'README.md'), '# demo\n');
  const stub = await startStub({ turns });
  stubs.push(stub);
  fs.mkdirSync(path.join(home, '.codex'));
  fs.writeFileSync(
    path.join(home, '.codex', 'config.toml'),
    ['model_provider = "stub"', '[model_providers.stub]', 'name = "Stub"', `base_url = "http://127.0.0.1:${stub.port}/v1"`, 'wire_api = "responses"', ''].join('\n'),
  );
  return { home, cwd, stub };
}

function request(h: Host, args: Record<string, unknown>, extra: Partial<LaunchRequest> = {}, profileText: string | null = null): LaunchRequest {
  const spec = toRunSpec(spawnRunInputSchema.parse({ prompt: 'What is here?', backend: 'codex', cwd: h.cwd, ...args }), { cwd: h.cwd, profileText });
  const runDir = fs.mkdtempSync(path.join(TMP, 'run-'));
  return {
    run_id: 'run_contract',
    spec,
    mode: 'launch',
    session_id: null,
    input: spec.input,
    task_id: null,
    runDir,
    openSecret: (v) => v,
    env: { PATH: process.env.PATH, BATON_CODEX_BIN: REAL_CODEX },
    ...extra,
  };
}

/** Runs the plan as Baton's wrapper would (cwd, stdin from the prompt), and parses stdout. */
async function run(h: Host, req: LaunchRequest) {
  const plan: LaunchPlan = await codexBackend.plan(req);
  const env = { PATH: process.env.PATH, HOME: h.home, CODEX_HOME: path.join(h.home, '.codex'), ...plan.env };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(plan.file, plan.args, { cwd: req.spec.cwd, env, timeout: 30_000 }, (err, out, errOut) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout: out, stderr: errOut }),
    );
    child.stdin!.end(plan.input);
  });
  const parser = codexBackend.parser();
  const events: NewEvent[] = [];
  const facts: FactsPatch = {};
  for (const line of stdout.split('\n').filter(Boolean)) {
    const outcome = parser.parse(line, 'ts');
    events.push(...outcome.events);
    Object.assign(facts, outcome.facts);
  }
  return { plan, code, stderr: stderr.replace(TEMP_HOME_WARNING, ''), events, facts, requests: h.stub.requests.filter((r) => r.method === 'POST') };
}

const types = (events: NewEvent[]) => events.map((e) => e.type);
const userTexts = (r: StubRequest) => (r.body?.input ?? []).filter((i) => i.role === 'user').flatMap((i) => (i.content ?? []).map((c) => c.text ?? ''));
const developerTexts = (r: StubRequest) => (r.body?.input ?? []).filter((i) => i.role === 'developer').flatMap((i) => (i.content ?? []).map((c) => c.text ?? ''));
const turnMetadata = (r: StubRequest) => JSON.parse(String(r.headers['x-codex-turn-metadata'])) as Record<string, unknown>;

describe.concurrent('the real codex CLI accepts what Baton builds', () => {
  it('a new run with every option: the CLI runs the command and the patch, and the parser reads it all', async ({ expect }) => {
    const h = await host([
      { items: [{ reasoning: ['Look first.'] }, { exec: 'ls -1' }] },
      { items: [{ patch: '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch' }] },
      { items: [{ message: 'Added hello.txt.' }], usage: { input: 3000, cached: 1000, output: 50, reasoning: 5 } },
    ]);
    const instructions = 'Be brief.\nQuote "exactly" and keep \\ as is.';
    const req = request(
      h,
      {
        model: 'gpt-5.5-codex',
        backend_config: { sandbox: 'workspace-write', add_dirs: [h.home], profile: 'contract', config: { model_reasoning_effort: 'high', 'tools.update_plan.enabled': true } },
      },
      {},
      instructions,
    );
    const r = await run(h, req);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(types(r.events)).toEqual(['reasoning', 'command_started', 'command_finished', 'file_changed', 'agent_message', 'usage']);
    expect(r.events.find((e) => e.type === 'command_finished')!.data).toMatchObject({ exit_code: 0, output: 'README.md\n' });
    expect(fs.readFileSync(path.join(h.cwd, 'hello.txt'), 'utf8')).toBe('hello\n');
    expect(r.facts).toMatchObject({ output: 'Added hello.txt.', is_error: false, session_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    // What the options did, as the model request shows them
    const first = r.requests[0];
    expect(first.body).toMatchObject({ model: 'gpt-5.5-codex', reasoning: { effort: 'high' } });
    expect(turnMetadata(first)).toMatchObject({ sandbox_mode: 'workspace-write', model: 'gpt-5.5-codex' });
    expect(developerTexts(first)).toContain(instructions);
    expect(userTexts(first).at(-1)).toBe('What is here?');
  });

  it('an output schema reaches the model as a strict JSON schema; the JSON answer is the structured output', async ({ expect }) => {
    const h = await host([{ items: [{ message: '{"answer":4}' }] }]);
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false };
    const r = await run(h, request(h, { output_schema: schema }));
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.requests[0].body!.text!.format).toEqual({ type: 'json_schema', strict: true, schema, name: 'codex_output_schema' });
    expect(r.facts.structured_output).toEqual({ answer: 4 });
  });

  it('session_mode "resume" continues the same thread, with exec options before resume taking effect', async ({ expect }) => {
    const h = await host([{ items: [{ message: 'First answer.' }] }, { items: [{ message: '{"answer":6}' }] }]);
    const first = await run(h, request(h, {}));
    const threadId = first.facts.session_id!;
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false };
    const r = await run(h, request(h, { prompt: 'And 3+3?', session_mode: 'resume', session_id: threadId, output_schema: schema, backend_config: { sandbox: 'workspace-write' } }));
    expect(r.plan.args.slice(-3)).toEqual(['resume', threadId, '-']);
    expect([r.code, r.stderr, r.facts.session_id]).toEqual([0, '', threadId]);
    const second = r.requests.at(-1)!;
    expect(userTexts(second)).toEqual(expect.arrayContaining(['What is here?', 'And 3+3?']));
    expect(turnMetadata(second)).toMatchObject({ sandbox_mode: 'workspace-write', history_initialization: 'cold_resume' });
    expect(second.body!.text!.format).toMatchObject({ type: 'json_schema', schema });
    expect(r.facts.structured_output).toEqual({ answer: 6 });
  });

  it('after a lost worker, the thread resumes with the resume prompt, read from stdin verbatim', async ({ expect }) => {
    const h = await host([{ items: [{ message: 'Started.' }] }, { items: [{ message: 'Finished.' }] }]);
    const threadId = (await run(h, request(h, {}))).facts.session_id!;
    const req = request(h, {}, { mode: 'resume', session_id: threadId });
    const r = await run(h, req);
    expect([r.code, r.stderr, r.facts.session_id]).toEqual([0, '', threadId]);
    expect(userTexts(r.requests.at(-1)!).at(-1)).toBe(r.plan.input);
  });

  it('backend_config.config can configure codex itself (here: the model provider, with the user config ignored)', async ({ expect }) => {
    const h = await host([{ items: [{ message: 'Configured by -c.' }] }]);
    fs.rmSync(path.join(h.home, '.codex', 'config.toml'));
    const config = {
      model_provider: 'stub2',
      'model_providers.stub2.name': 'Stub',
      'model_providers.stub2.base_url': `http://127.0.0.1:${h.stub.port}/v1`,
      'model_providers.stub2.wire_api': 'responses',
    };
    const r = await run(h, request(h, { backend_config: { ignore_user_config: true, config } }));
    expect([r.code, r.stderr, r.facts.output]).toEqual([0, '', 'Configured by -c.']);
  });

  it('the approval flags are accepted and set the sandbox they promise', async ({ expect }) => {
    const h = await host([{ items: [{ message: 'ok' }] }]);
    const review = await run(h, request(h, { backend_config: { approve_for_me: true } }));
    expect([review.code, review.stderr]).toEqual([0, '']);
    expect(turnMetadata(review.requests.at(-1)!)).toMatchObject({ sandbox_mode: 'workspace-write' });
    const bypass = await run(h, request(h, { backend_config: { dangerously_bypass_approvals_and_sandbox: true } }));
    expect([bypass.code, bypass.stderr]).toEqual([0, '']);
    expect(turnMetadata(bypass.requests.at(-1)!)).toMatchObject({ sandbox_mode: 'danger-full-access' });
  });

  it('a failed turn and a cwd outside git fail the way the parser and the fake expect', async ({ expect }) => {
    const h = await host([{ http_error: 400, body: { error: { message: 'The model `nope` does not exist.', type: 'invalid_request_error', code: 'model_not_found' } } }]);
    const failed = await run(h, request(h, {}));
    expect(failed.code).toBe(1);
    expect(failed.facts).toMatchObject({ is_error: true, error: 'The model `nope` does not exist.' });
    const strict = await run(h, request(h, { backend_config: { skip_git_repo_check: false } }));
    expect([strict.code, strict.stderr]).toEqual([1, 'Not inside a trusted directory and --skip-git-repo-check was not specified.\n']);
  });
});
