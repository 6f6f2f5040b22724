// The codex adapter's command line, run through the fake CLI, which accepts exactly what the real
// Codex CLI 0.169.0 accepts (its options come from the recorded --help). The same argument lists
// run against the real binary in test/contract/codex-cli.test.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codexBackend, tomlValue } from '../../src/activities/backends/codex.js';
import type { LaunchPlan, LaunchRequest } from '../../src/activities/backends/types.js';
import { spawnRunInputSchema, toRunSpec } from '../../src/domain/spawn-input.js';
import { ROOT } from '../helpers/env.js';

const FAKE_CODEX = path.join(ROOT, 'test', 'fixtures', 'bin', 'fake-codex.mjs');
const THREAD = '01a200c5-adfb-7aa2-8421-66db66fcb9e3';
const TMP = mkdtempSync(path.join(os.tmpdir(), 'baton-codex-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

async function request(
  args: Record<string, unknown>,
  { mode = 'launch', sessionId = null, profileText = null }: { mode?: LaunchRequest['mode']; sessionId?: string | null; profileText?: string | null } = {},
): Promise<LaunchRequest> {
  const cwd = await mkdtemp(path.join(TMP, 'cwd-'));
  const spec = toRunSpec(spawnRunInputSchema.parse({ prompt: 'hello', backend: 'codex', cwd, ...args }), { cwd, profileText });
  const runDir = path.join(cwd, '.run');
  return {
    run_id: 'run_x',
    spec,
    mode,
    session_id: sessionId,
    input: spec.input,
    task_id: null,
    runDir,
    openSecret: (v) => v,
    env: { ...process.env, BATON_CODEX_BIN: FAKE_CODEX },
  };
}

/** Runs the plan as the wrapper would: the program, its args, the input on stdin, in cwd. */
function execute(plan: LaunchPlan, cwd: string, stateDir = path.join(cwd, '.fake-codex')) {
  const child = execFile(plan.file, plan.args, { cwd, env: { ...process.env, ...plan.env, FAKE_CODEX_STATE_DIR: stateDir } });
  child.stdin!.end(plan.input);
  return new Promise<{ code: number | null; stdout: string; stderr: string; threadId: string | null }>((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, threadId: stdout ? (JSON.parse(stdout.split('\n')[0]) as { thread_id: string }).thread_id : null }));
  });
}

describe('codex command line', () => {
  it('a new run: exec --json, the prompt on stdin through "-", no thread id until codex names one', async () => {
    const req = await request({});
    const plan = await codexBackend.plan(req);
    expect(plan.file).toBe(FAKE_CODEX);
    expect(plan.args).toEqual(['exec', '--json', '--skip-git-repo-check', '-']);
    expect(plan).toMatchObject({ input: 'hello', session_id: null, env: {} });
    const out = await execute(plan, req.spec.cwd);
    expect([out.code, out.stderr]).toEqual([0, '']);
    expect(out.threadId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes every option backend_config has, and the CLI accepts them all', async () => {
    const req = await request(
      {
        model: 'gpt-5.5-codex',
        backend_config: {
          sandbox: 'workspace-write',
          approve_for_me: true,
          add_dirs: ['/tmp/extra-a', '/tmp/extra-b'],
          profile: 'ci',
          ignore_user_config: true,
          config: { model_reasoning_effort: 'high', 'tools.update_plan.enabled': true, 'mcp_servers.docs.args': ['--port', 8080] },
          env: { CODEX_HOME: '/tmp/codex-home' },
        },
      },
      { profileText: 'Be brief.\nSay "done" at the end.' },
    );
    const plan = await codexBackend.plan(req);
    expect(plan.args).toEqual([
      'exec', '--json', '--skip-git-repo-check',
      '--model=gpt-5.5-codex',
      '--sandbox', 'workspace-write',
      '--approve-for-me',
      '--add-dir', '/tmp/extra-a', '--add-dir', '/tmp/extra-b',
      '--profile=ci',
      '--ignore-user-config',
      '-c', 'model_reasoning_effort="high"',
      '-c', 'tools.update_plan.enabled=true',
      '-c', 'mcp_servers.docs.args=["--port", 8080]',
      '-c', 'developer_instructions="Be brief.\\nSay \\"done\\" at the end."',
      '-',
    ]); // prettier-ignore
    expect(plan.env).toEqual({ CODEX_HOME: '/tmp/codex-home' });
    const out = await execute(plan, req.spec.cwd);
    expect([out.code, out.stderr]).toEqual([0, '']);
  });

  it('writes the output schema into the run directory and passes it with --output-schema', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false };
    const req = await request({ output_schema: schema, prompt: 'What is 2+2? [fake-codex scenario=output-schema]' });
    const plan = await codexBackend.plan(req);
    const file = path.join(req.runDir, 'output-schema.json');
    expect(plan.args).toEqual(['exec', '--json', '--skip-git-repo-check', '--output-schema', file, '-']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(schema);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const out = await execute(plan, req.spec.cwd);
    expect([out.code, out.stderr]).toEqual([0, '']);
    expect(out.stdout).toContain('{\\"answer\\":4');
  });

  it('session_mode "resume" continues the thread: options first, then resume <thread id> -', async () => {
    const first = await request({});
    const stateDir = path.join(first.spec.cwd, '.fake-codex');
    const created = await execute(await codexBackend.plan(first), first.spec.cwd, stateDir);
    const req = await request({ session_mode: 'resume', session_id: created.threadId, model: 'gpt-5.5-codex', output_schema: { type: 'object' } });
    const plan = await codexBackend.plan(req);
    expect(plan.args).toEqual([
      'exec',
      '--json',
      '--skip-git-repo-check',
      '--model=gpt-5.5-codex',
      '--output-schema',
      path.join(req.runDir, 'output-schema.json'),
      'resume',
      created.threadId,
      '-',
    ]);
    expect(plan.session_id).toBe(created.threadId);
    const out = await execute(plan, req.spec.cwd, stateDir);
    expect([out.code, out.stderr, out.threadId]).toEqual([0, '', created.threadId]);
  });

  it("after a lost worker, resumes the run's own thread with a prompt that says what happened", async () => {
    const plan = await codexBackend.plan(await request({}, { mode: 'resume', sessionId: THREAD }));
    expect(plan.args.slice(-3)).toEqual(['resume', THREAD, '-']);
    expect(plan.input).toMatch(/interrupted/);
    expect(plan.input).toContain('hello');
    // An agent that died before codex named its thread: a new thread, told the same.
    const fresh = await codexBackend.plan(await request({}, { mode: 'resume', sessionId: null }));
    expect(fresh.args).not.toContain('resume');
    expect(fresh.input).toMatch(/interrupted/);
  });

  it('refuses a session_id that is not a thread id, at spawn and again at launch: codex would silently start a new thread', async () => {
    await expect(request({ session_mode: 'resume', session_id: 'my-thread' })).rejects.toThrow(/my-thread.{0,2} is not a codex thread id/);
    // A spec that got past spawn_run some other way (the worker trusts no spec it is handed).
    const req = await request({ session_mode: 'resume', session_id: '0b6f4c1e-1111-4222-8333-444455556666' });
    await expect(codexBackend.plan({ ...req, spec: { ...req.spec, session_id: '--last' } })).rejects.toThrow('codex: session_id "--last" is not a codex thread id');
  });

  it('skip_git_repo_check false leaves codex to refuse a cwd outside git, as the real one does', async () => {
    const req = await request({ backend_config: { skip_git_repo_check: false } });
    const plan = await codexBackend.plan(req);
    expect(plan.args).toEqual(['exec', '--json', '-']);
    expect(await execute(plan, req.spec.cwd)).toMatchObject({ code: 1, stderr: 'Not inside a trusted directory and --skip-git-repo-check was not specified.\n' });
    await mkdir(path.join(req.spec.cwd, '.git'));
    expect((await execute(plan, req.spec.cwd)).code).toBe(0);
  });

  it('says where it looked when the codex binary is missing', async () => {
    const req = await request({});
    await expect(codexBackend.plan({ ...req, env: { PATH: '/nonexistent' } })).rejects.toThrow(
      'codex: the "codex" command was not found on the worker\'s PATH and BATON_CODEX_BIN is not set. Install the Codex CLI (npm install -g @openai/codex), or set BATON_CODEX_BIN',
    );
    await expect(codexBackend.plan({ ...req, env: { BATON_CODEX_BIN: '/nope/codex' } })).rejects.toThrow(
      'BATON_CODEX_BIN is set to "/nope/codex", which is not an executable file',
    );
  });
});

describe('codex backend_config', () => {
  const parse = (backend_config: unknown) => spawnRunInputSchema.safeParse({ prompt: 'x', backend: 'codex', cwd: '/tmp', backend_config });
  const messages = (backend_config: unknown) => {
    const r = parse(backend_config);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('fills the defaults', () => {
    const r = parse(undefined);
    expect(r.success && r.data.backend_config).toBeUndefined();
    const spec = toRunSpec(spawnRunInputSchema.parse({ prompt: 'x', backend: 'codex', cwd: '/tmp' }), { cwd: '/tmp' });
    expect(spec.backend_config).toEqual({
      approve_for_me: false,
      dangerously_bypass_approvals_and_sandbox: false,
      add_dirs: [],
      skip_git_repo_check: true,
      ignore_user_config: false,
      config: {},
      env: {},
    });
  });

  it('refuses what codex would refuse, saying what to change', () => {
    expect(messages({ sandbox: 'none' })[0]).toMatch(/^backend_config\.sandbox: .*read-only.*workspace-write.*danger-full-access/);
    expect(messages({ full_auto: true })[0]).toMatch(/has no field "full_auto".*Accepted fields: sandbox, approve_for_me/);
    expect(messages({ approve_for_me: true, dangerously_bypass_approvals_and_sandbox: true })[0]).toMatch(/cannot be used together/);
    expect(messages({ config: { model: 'o3' } })).toEqual(['backend_config.config.model: set model with the top-level "model" field, not backend_config.config']);
    expect(messages({ config: { 'bad key': 1 } })[0]).toMatch(/is not a config key: use a dotted path/);
    expect(messages({ add_dirs: ['relative/dir'] })[0]).toMatch(/absolute/);
    expect(messages({ profile: '../etc' })[0]).toMatch(/profile is a name/);
  });

  it('writes config values as TOML codex reads back unchanged', () => {
    expect(tomlValue('a "quoted"\\ line\n\ttab \u0001 \u007f é')).toBe('"a \\"quoted\\"\\\\ line\\n\\ttab \\u0001 \\u007f é"');
    expect(tomlValue(3)).toBe('3');
    expect(tomlValue(0.5)).toBe('0.5');
    expect(tomlValue(false)).toBe('false');
    expect(tomlValue(['x', 2, true])).toBe('["x", 2, true]');
  });
});
