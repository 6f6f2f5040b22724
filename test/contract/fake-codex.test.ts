// The fake Codex CLI (test/fixtures/bin/fake-codex.mjs) against what the real CLI 0.169.0 was
// recorded doing (test/fixtures/codex/). The real binary is never run here.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/env.js';

const FAKE = path.join(ROOT, 'test/fixtures/bin/fake-codex.mjs');
const FIX = path.join(ROOT, 'test/fixtures/codex');
const BASE = ['exec', '--json', '--skip-git-repo-check'];

interface Scenario {
  stdout: string;
  stderr: string | null;
  exit_code: number | null;
  signal: string | null;
  argv: string[];
}
interface ErrorCase {
  name: string;
  args: string[];
  stdin: string;
  setup?: string[];
  session?: boolean;
  prompt?: string;
  stdout: string;
  stderr: string;
  exit_code: number;
}
type Json = Record<string, unknown>;

const readFix = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');
const manifest = JSON.parse(readFix('scenarios.json')) as { cwd: string; scenarios: Record<string, Scenario> };
const cliErrors = JSON.parse(readFix('cli-errors-0.169.0.json')) as { cases: ErrorCase[] };
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-codex-test-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));
const tmp = (prefix: string) => fs.mkdtempSync(path.join(TMP, prefix));
const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
const types = (text: string) => jsonLines(text).map((l) => l.type);
const threadOf = (stdout: string) => jsonLines(stdout)[0].thread_id as string;
const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1);

function runFake(args: string[], { input = 'hi\n', home = tmp('home-'), cwd = home }: { input?: string; home?: string; cwd?: string } = {}) {
  return execa(FAKE, args, { input, cwd, env: { PATH: process.env.PATH, HOME: home }, extendEnv: false, reject: false, stripFinalNewline: false });
}

/** A recorded session as the fake must print it: its thread id and cwd replaced. */
function expectedReplay(name: string, threadId: string, cwd: string) {
  const sc = manifest.scenarios[name];
  const raw = readFix(sc.stdout);
  const recorded = raw ? threadOf(raw) : /thread id (\S+)/.exec(readFix(sc.stderr!))![1];
  const fix = (s: string) => s.split(recorded).join(threadId).split(jsonInner(manifest.cwd)).join(jsonInner(cwd));
  return { stdout: fix(raw), stderr: sc.stderr ? fix(readFix(sc.stderr)) : '' };
}

describe('recorded fixtures', () => {
  const files = fs.readdirSync(FIX).filter((f) => f.endsWith('.jsonl'));

  it('cover every event and item type codex exec --json prints', () => {
    const seen = new Set<string>();
    for (const f of files) {
      for (const l of jsonLines(readFix(f))) {
        seen.add(String(l.type));
        if (l.item) seen.add(`${String(l.type)}:${String((l.item as Json).type)}`);
      }
    }
    for (const t of ['thread.started', 'turn.started', 'turn.completed', 'turn.failed', 'error', 'item.updated:todo_list']) expect(seen, t).toContain(t);
    for (const item of ['agent_message', 'reasoning', 'command_execution', 'file_change', 'mcp_tool_call', 'web_search', 'todo_list', 'error']) {
      expect(seen, item).toContain(`item.completed:${item}`);
    }
    for (const sc of Object.values(manifest.scenarios)) expect(files).toContain(sc.stdout);
  });

  it.each(files)('%s: JSON lines, one thread, and an exit code that follows the turn', (file) => {
    const text = readFix(file);
    const name = file.replace(/\.jsonl$/, '');
    const sc = manifest.scenarios[name];
    if (text === '') return expect(sc.exit_code).toBe(1); // resume of an unknown thread: stderr only
    expect(text.endsWith('\n')).toBe(true);
    const lines = jsonLines(text);
    expect(lines[0].type).toBe('thread.started');
    expect(new Set(lines.filter((l) => l.thread_id).map((l) => l.thread_id)).size).toBe(1);
    const last = lines.at(-1)!.type;
    if (last === 'turn.completed') expect(sc.exit_code).toBe(0);
    else if (last === 'turn.failed') expect(sc.exit_code).toBe(1);
    else expect([name, sc.exit_code, sc.signal]).toEqual(expect.arrayContaining([expect.stringMatching(/interrupted|terminated/)]));
  });

  it('a resumed thread keeps its id, and its usage counts the whole thread', () => {
    const base = jsonLines(readFix('resumed-base.jsonl'));
    const resumed = jsonLines(readFix('resumed.jsonl'));
    expect(resumed[0].thread_id).toBe(base[0].thread_id);
    const usage = (lines: Json[]) => lines.find((l) => l.type === 'turn.completed')!.usage as Record<string, number>;
    expect(usage(resumed).input_tokens).toBeGreaterThan(usage(base).input_tokens);
  });
});

describe('options, as strict as the real CLI', () => {
  // Every invocation recorded from the real binary, replayed against the fake.
  describe.concurrent.each(cliErrors.cases)('$name', (c) => {
    it('prints what the real one printed, on the same streams, with the same exit code', async ({ expect }) => {
      const home = tmp('home-');
      const project = path.join(home, 'project');
      fs.mkdirSync(project);
      fs.writeFileSync(path.join(project, 'README.md'), '# demo\n');
      const local = (s: string) => s.split(`${manifest.cwd}/`).join(`${project}/`);
      let thread = '';
      if (c.setup) thread = threadOf((await runFake(c.setup, { home, cwd: project })).stdout);
      const args = c.args.map((a) => (a === '@THREAD@' ? thread : local(a)));
      const r = await runFake(args, { input: c.stdin, home, cwd: project });
      expect(r.stderr).toBe(local(c.stderr));
      expect(r.exitCode).toBe(c.exit_code);
      if (!c.session) return expect(r.stdout).toBe(c.stdout);
      // A session: the fake replays its default scenario (it does not invent codex's warnings
      // about unknown -c keys or a changed model), on the prompt the real one built.
      expect(types(r.stdout)).toEqual(types(readFix('success-text.jsonl')));
      if (args.includes('-i')) return; // the real one prepends image errors to the prompt
      const state = path.join(home, '.fake-codex', 'threads', `${threadOf(r.stdout)}.json`);
      expect(JSON.parse(fs.readFileSync(state, 'utf8')).runs.at(-1).prompt).toBe(c.prompt);
    });
  });

  it('takes its options and their values from the recorded help', async () => {
    const help = readFix('help-exec-0.169.0.txt');
    expect(help).toContain('[possible values: read-only, workspace-write, danger-full-access]');
    for (const args of [
      ['--sandbox', 'workspace-write'],
      ['--model', 'gpt-5.5-codex', '--profile', 'ci', '--add-dir', '/tmp', '--add-dir', '/var/tmp'],
      ['-c', 'model_reasoning_effort="high"', '-c', 'approval_policy="never"', '--ignore-user-config'],
      ['--approve-for-me'],
      ['--dangerously-bypass-approvals-and-sandbox', '--ephemeral', '--color', 'never'],
    ]) {
      const r = await runFake([...BASE, ...args, '-']);
      expect([r.exitCode, r.stderr], args.join(' ')).toEqual([0, '']);
    }
    expect((await runFake(['exec', '--help'])).stdout).toBe(help);
    expect((await runFake(['exec', 'resume', '-h'])).stdout).toBe(readFix('help-exec-resume-short-0.169.0.txt'));
  });

  it('says what it does not implement, with exit code 2', async () => {
    for (const args of [['login'], ['exec', '--skip-git-repo-check', '-'], ['exec', '--json', '--skip-git-repo-check', 'review']]) {
      const r = await runFake(args);
      expect([r.exitCode, r.stderr], args.join(' ')).toEqual([2, expect.stringMatching(/^fake-codex: /)]);
    }
  });
});

describe('replay', () => {
  it.each(Object.keys(manifest.scenarios))('%s: the recorded session byte for byte, with this thread id and cwd', async (name) => {
    const cwd = tmp('cwd-');
    const r = await runFake([...BASE, '-'], { input: `go [fake-codex scenario=${name}]\n`, cwd });
    const sc = manifest.scenarios[name];
    const threadId = r.stdout ? threadOf(r.stdout) : (/thread id (\S+)/.exec(r.stderr)?.[1] ?? '');
    const expected = expectedReplay(name, threadId, cwd);
    expect(r.stdout).toBe(expected.stdout);
    expect(r.stderr).toBe(expected.stderr);
    expect(r.exitCode ?? null).toBe(sc.exit_code);
    expect(r.signal ?? null).toBe(sc.signal);
    if (name === 'file-change') expect(r.stdout).toContain(JSON.stringify(`${cwd}/hello.txt`));
  });

  it('resumes a thread it ran, from any directory; an unknown UUID fails as the real one does', async () => {
    const home = tmp('home-');
    const first = await runFake([...BASE, '-'], { home });
    const id = threadOf(first.stdout);
    const again = await runFake([...BASE, 'resume', id, '-'], { home, cwd: tmp('elsewhere-'), input: 'and now? [fake-codex scenario=resumed]\n' });
    expect([again.exitCode, threadOf(again.stdout)]).toEqual([0, id]);
    const missing = '0199a213-81c0-7800-8aa1-bbab2a035a53';
    const nf = await runFake([...BASE, 'resume', missing, '-'], { home });
    expect([nf.exitCode, nf.stdout, nf.stderr]).toEqual([1, '', expectedReplay('resume-not-found', missing, '').stderr]);
    const byName = await runFake([...BASE, 'resume', 'no-such-thread', '-'], { home });
    expect(byName.exitCode).toBe(0);
    expect(threadOf(byName.stdout)).not.toBe(id);
    const last = await runFake([...BASE, 'resume', '--last', '-'], { home });
    expect(threadOf(last.stdout)).toBe(threadOf(byName.stdout));
  });

  it('chatty adds agent messages before the final answer; exit_code overrides; --output-last-message writes it', async () => {
    const out = path.join(tmp('out-'), 'last.txt');
    const r = await runFake([...BASE, '-o', out, '-'], { input: '[fake-codex scenario=command-execution chatty=3 exit_code=7]\n' });
    const messages = jsonLines(r.stdout).filter((l) => (l.item as Json | undefined)?.type === 'agent_message');
    expect(messages).toHaveLength(4);
    expect((messages.at(-1)!.item as Json).text).toMatch(/no notes to show/);
    expect(
      new Set(
        jsonLines(r.stdout)
          .map((l) => (l.item as Json | undefined)?.id)
          .filter(Boolean),
      ).size,
    ).toBe(7);
    expect(r.exitCode).toBe(7);
    expect(fs.readFileSync(out, 'utf8')).toBe((messages.at(-1)!.item as Json).text);
  });

  it('crash=1 prints part of the session and dies by SIGKILL; garbage=1 starts with a line that is not JSON', async () => {
    const crash = await runFake([...BASE, '-'], { input: '[fake-codex scenario=command-execution crash=1]\n' });
    expect(crash.signal).toBe('SIGKILL');
    expect(types(crash.stdout)).toEqual(['thread.started', 'turn.started', 'item.completed', 'item.started']);
    const garbage = await runFake([...BASE, '-'], { input: '[fake-codex garbage=1]\n' });
    expect(garbage.stdout.split('\n')[0]).toBe('fake-codex: this line is not JSON');
  });

  it('refuses unknown directives and scenarios', async () => {
    for (const d of ['bogus=1', 'scenario=nope', 'delay_ms=abc']) {
      const r = await runFake([...BASE, '-'], { input: `[fake-codex ${d}]\n` });
      expect([r.exitCode, r.stderr]).toEqual([2, expect.stringMatching(/^fake-codex: /)]);
    }
  });
});

describe('signals, as the real CLI reacts', () => {
  function start(input: string) {
    const home = tmp('home-');
    const child = spawn(FAKE, [...BASE, '-'], { cwd: home, env: { PATH: process.env.PATH, HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    const until = async (pred: () => boolean) => {
      while (!pred()) await new Promise((r) => setTimeout(r, 20));
    };
    return { child, exited, until, out: () => stdout, err: () => stderr };
  }

  it('SIGTERM kills it mid-turn, SIGINT ends it with code 1, both with nothing more on stdout', async () => {
    for (const [signal, expected] of [
      ['SIGTERM', { code: null, signal: 'SIGTERM' }],
      ['SIGINT', { code: 1, signal: null }],
      ['SIGHUP', { code: null, signal: 'SIGHUP' }],
    ] as const) {
      const p = start('[fake-codex hang_ms=60000]\n');
      await p.until(() => p.out().includes('turn.started'));
      p.child.kill(signal);
      expect(await p.exited).toEqual(expected);
      expect(types(p.out())).toEqual(['thread.started', 'turn.started']);
    }
  });

  it('ignore_sigterm=1 only notes the signal on stderr', async () => {
    const p = start('[fake-codex hang_ms=60000 ignore_sigterm=1]\n');
    await p.until(() => p.out().includes('turn.started'));
    p.child.kill('SIGTERM');
    await p.until(() => p.err().includes('fake-codex: SIGTERM ignored'));
    p.child.kill('SIGKILL');
    expect((await p.exited).signal).toBe('SIGKILL');
  });
});
