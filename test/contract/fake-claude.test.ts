// The fake Claude Code CLI (test/fixtures/bin/fake-claude.mjs) against what the real CLI 2.1.330
// was recorded doing (test/fixtures/claude/). The real binary is never run here.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAKE = path.join(ROOT, 'test/fixtures/bin/fake-claude.mjs');
const FIX = path.join(ROOT, 'test/fixtures/claude');
const STREAM = ['-p', '--output-format', 'stream-json', '--verbose'];
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

interface Scenario {
  stdout: string;
  stderr: string | null;
  exit_code: number;
}
interface Manifest {
  cwd: string;
  scenarios: Record<string, Scenario>;
}
interface ErrorCase {
  name: string;
  args: string[];
  stdin: string;
  setup?: string[];
  stdout: string;
  stderr: string;
  exit_code: number;
}
type Json = Record<string, unknown>;

const manifest = JSON.parse(fs.readFileSync(path.join(FIX, 'scenarios.json'), 'utf8')) as Manifest;
const cliErrors = JSON.parse(fs.readFileSync(path.join(FIX, 'cli-errors-2.1.330.json'), 'utf8')) as { cases: ErrorCase[] };
const readFix = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-claude-test-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));
const tmp = (prefix: string) => fs.mkdtempSync(path.join(TMP, prefix));
const sid = () => randomUUID();
const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
const recordedSessionId = (lines: Json[]) => lines.find((l) => typeof l.session_id === 'string')?.session_id as string;

interface RunOpts {
  input?: string;
  home?: string;
  cwd?: string;
}
function runFake(args: string[], { input = 'hi\n', home = tmp('fake-claude-home-'), cwd = home }: RunOpts = {}) {
  return execa(FAKE, args, {
    input,
    cwd,
    env: { PATH: process.env.PATH, HOME: home },
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
  });
}

// The recorded session as the fake must print it: the recorded session id and cwd replaced.
function expectedReplay(name: string, sessionId: string, cwd: string) {
  const sc = manifest.scenarios[name];
  const raw = readFix(sc.stdout);
  const recSid = recordedSessionId(jsonLines(raw));
  let out = raw.split(recSid).join(sessionId);
  for (const key of ['cwd', 'original_cwd']) out = out.split(`"${key}":${JSON.stringify(manifest.cwd)}`).join(`"${key}":${JSON.stringify(cwd)}`);
  const stderr = sc.stderr ? readFix(sc.stderr).split(recSid).join(sessionId) : '';
  return { stdout: out, stderr, exitCode: sc.exit_code };
}

// Spawned directly (not through execa) for the tests that signal the fake mid-run.
function spawnFake(args: string[], input: string, home = tmp('fake-claude-home-')) {
  const child = spawn(FAKE, args, { cwd: home, env: { PATH: process.env.PATH, HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const waitFor = (stream: 'stdout' | 'stderr', pred: (text: string) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pred(stream === 'stdout' ? stdout : stderr)) {
          child[stream].off('data', check);
          resolve();
        }
      };
      child[stream].on('data', check);
      void exited.then(() => reject(new Error(`exited before the condition held; stdout=${stdout} stderr=${stderr}`)));
      check();
    });
  return { child, exited, waitFor, home };
}

function procStat(pid: number) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [state, ppid, pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: state, ppid: Number(ppid), pgrp: Number(pgrp), session: Number(session) };
}
function killQuietly(pid: number) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

describe('recorded fixtures', () => {
  const files = fs.readdirSync(FIX).filter((f) => f.endsWith('.jsonl'));

  it('has the scenarios the backend needs', () => {
    for (const name of ['success-text', 'tool-use', 'error-max-turns', 'error-during-execution', 'not-logged-in', 'resume-not-found', 'ignored-types']) {
      expect(manifest.scenarios[name], name).toBeDefined();
    }
    for (const sc of Object.values(manifest.scenarios)) expect(files).toContain(sc.stdout);
  });

  it.each(files)('%s is valid JSON lines, each an object with a type, ending in a newline', (file) => {
    const text = readFix(file);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('\r');
    const lines = text.slice(0, -1).split('\n');
    for (const line of lines) {
      const j = JSON.parse(line) as Json;
      expect(typeof j.type).toBe('string');
    }
    const last = JSON.parse(lines[lines.length - 1]) as Json;
    expect(last.type).toBe('result');
    // one session id a file
    expect(new Set(lines.map((l) => (JSON.parse(l) as Json).session_id).filter(Boolean)).size).toBe(1);
  });

  it('result lines carry what the parser reads', () => {
    for (const [name, sc] of Object.entries(manifest.scenarios)) {
      const result = jsonLines(readFix(sc.stdout)).find((l) => l.type === 'result')!;
      for (const field of ['subtype', 'is_error', 'session_id', 'total_cost_usd', 'usage', 'num_turns', 'duration_ms']) {
        expect(result, `${name}.${field}`).toHaveProperty(field);
      }
      // exit code follows is_error, except for the SIGINT-interrupted run (the real one exits 0)
      if (name !== 'error-during-execution') expect(sc.exit_code, name).toBe(result.is_error ? 1 : 0);
    }
    const tool = jsonLines(readFix('tool-use.jsonl'));
    const blocks = tool.filter((l) => l.type === 'assistant').map((l) => ((l.message as Json).content as Json[])[0].type);
    expect(blocks).toEqual(['thinking', 'text', 'tool_use', 'tool_use', 'text']);
    const results = tool.filter((l) => l.type === 'user').map((l) => ((l.message as Json).content as Json[])[0]);
    expect(results.map((r) => [r.type, r.is_error])).toEqual([
      ['tool_result', false],
      ['tool_result', true],
    ]);
  });
});

describe('options, as strict as the real CLI', () => {
  // Every invocation recorded from the real binary, replayed against the fake.
  describe.concurrent.each(cliErrors.cases)('$name', (c) => {
    it('prints what the real one printed, on the same streams, with the same exit code', async ({ expect }) => {
      const home = tmp('fake-claude-home-');
      if (c.setup) await runFake(c.setup, { input: c.stdin, home });
      const startsSession = c.stdout.startsWith('<session');
      // A case where the real one went on into a (not logged in) session: replay that scenario.
      const input = startsSession ? '[fake-claude scenario=not-logged-in]\n' : c.stdin;
      const r = await runFake(c.args, { input, home });
      if (c.stderr !== '<not kept>') expect(r.stderr).toBe(c.stderr);
      expect(r.exitCode).toBe(c.exit_code);
      if (startsSession) {
        expect(jsonLines(r.stdout).map((l) => l.type)).toEqual(['system', 'assistant', 'result']);
      } else {
        // early-error result lines hold a fresh random session id (and uuid): compare the rest
        const norm = (s: string) => s.replace(UUID_RE, '<uuid>');
        expect(norm(r.stdout)).toBe(norm(c.stdout));
      }
    });
  });

  it('takes its options from the recorded --help, aliases and hidden ones included', async () => {
    const help = readFix('help-2.1.330.txt');
    expect(help).toContain('--allowedTools, --allowed-tools <tools...>');
    expect(help).not.toContain('--max-turns');
    expect(readFix('hidden-options-2.1.330.txt')).toMatch(/^--max-turns <turns>\tnumber$/m);
    const input = '[fake-claude scenario=success-text]\n';
    for (const args of [
      ['--allowedTools', 'Bash', 'Edit'],
      ['--allowed-tools', 'Bash(git *)'],
      ['--max-turns', '3'],
      ['--max-budget-usd', '0.5'],
      ['--permission-mode', 'default'],
      ['--permission-mode', 'bypassPermissions'],
      ['--append-system-prompt', 'be brief'],
      ['--model', 'sonnet'],
      ['--json-schema', '{"type":"object"}'],
      ['--bg'],
      ['-d2e'],
      ['--no-session-persistence'],
    ]) {
      const r = await runFake([...STREAM, ...args], { input });
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.exitCode, args.join(' ')).toBe(0);
    }
  });

  it('without -p it refuses (interactive mode is out of scope), exit 2', async () => {
    const r = await runFake(['--output-format', 'stream-json', '--verbose']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fake-claude: only print mode/);
  });

  it('prints --help as recorded', async () => {
    const r = await runFake(['--help']);
    expect(r.stdout).toBe(readFix('help-2.1.330.txt'));
    expect(r.exitCode).toBe(0);
  });
});

describe('replay', () => {
  it.each(Object.keys(manifest.scenarios))('%s: byte for byte, but for the session id and cwd', async (name) => {
    const home = tmp('fake-claude-home-');
    const cwd = fs.realpathSync(tmp('fake-claude-cwd-'));
    const id = sid();
    const r = await runFake([...STREAM, '--session-id', id], { input: `Please do it. [fake-claude scenario=${name}]\n`, home, cwd });
    const want = expectedReplay(name, id, cwd);
    expect(r.stdout).toBe(want.stdout);
    expect(r.stderr).toBe(want.stderr);
    expect(r.exitCode).toBe(want.exitCode);
    const init = jsonLines(r.stdout).find((l) => l.subtype === 'init');
    if (init) expect(init.cwd).toBe(cwd);
  });

  it('uses a fresh random UUID when no session id is given', async () => {
    const a = await runFake(STREAM);
    const b = await runFake(STREAM);
    const ids = [a, b].map((r) => [...new Set(jsonLines(r.stdout).map((l) => l.session_id))]);
    expect(ids[0]).toHaveLength(1);
    expect(ids[0][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0][0]).not.toBe(ids[1][0]);
    expect(ids[0][0]).not.toBe(recordedSessionId(jsonLines(readFix('success-text.jsonl'))));
  });

  it('reads the prompt from the argument and stdin, joined', async () => {
    // the directive is split across both: neither alone names the scenario
    const r = await runFake([...STREAM, '[fake-claude scenario=tool-use]'], { input: '[fake-claude exit_code=5]\n' });
    expect(jsonLines(r.stdout)).toHaveLength(11);
    expect(r.exitCode).toBe(5);
  });

  it('--output-format json prints the result line alone; text prints the result text', async () => {
    const json = await runFake(['-p', '--output-format', 'json'], { input: '[fake-claude scenario=tool-use]\n' });
    const recorded = jsonLines(readFix('tool-use.jsonl')).find((l) => l.type === 'result')!;
    const got = jsonLines(json.stdout);
    expect(got).toHaveLength(1);
    const { model_usage_since_last_result: _dropped, ...rest } = recorded;
    expect(got[0]).toEqual({ ...rest, session_id: got[0].session_id });
    const text = await runFake(['-p'], { input: '[fake-claude scenario=tool-use]\n' });
    expect(text.stdout).toBe(`${recorded.result as string}\n`);
  });
});

describe('sessions', () => {
  it('--resume continues a session it ran, under the same id', async () => {
    const home = tmp('fake-claude-home-');
    const id = sid();
    expect((await runFake([...STREAM, '--session-id', id], { home })).exitCode).toBe(0);
    const r = await runFake([...STREAM, '--resume', id], { home, input: '[fake-claude scenario=resumed]\n' });
    expect(r.stdout).toBe(expectedReplay('resumed', id, home).stdout);
    expect(r.exitCode).toBe(0);
  });

  it('--resume of an id it never ran prints the recorded not-found output', async () => {
    const id = sid();
    const r = await runFake([...STREAM, '--resume', id]);
    const want = expectedReplay('resume-not-found', id, '/');
    expect(r.stdout).toBe(want.stdout);
    expect(r.stderr).toBe(`No conversation found with session ID: ${id}\n`);
    expect(r.exitCode).toBe(1);
  });

  it('--fork-session --resume gives a new id; with --session-id, that one', async () => {
    const home = tmp('fake-claude-home-');
    const id = sid();
    await runFake([...STREAM, '--session-id', id], { home });
    const forked = await runFake([...STREAM, '--resume', id, '--fork-session'], { home });
    const forkedId = jsonLines(forked.stdout)[0].session_id;
    expect(forkedId).not.toBe(id);
    expect(forkedId).toMatch(UUID_RE);
    const named = sid();
    const forked2 = await runFake([...STREAM, '--resume', id, '--fork-session', '--session-id', named], { home });
    expect(new Set(jsonLines(forked2.stdout).map((l) => l.session_id))).toEqual(new Set([named]));
  });

  it('--session-id of a session already run in this directory is refused, elsewhere accepted', async () => {
    const home = tmp('fake-claude-home-');
    const other = tmp('fake-claude-cwd-');
    const id = sid();
    await runFake([...STREAM, '--session-id', id], { home });
    const again = await runFake([...STREAM, '--session-id', id], { home });
    expect(again.stderr).toBe(`Error: Session ID ${id} is already in use.\n`);
    expect(again.exitCode).toBe(1);
    expect(again.stdout).toBe('');
    const elsewhere = await runFake([...STREAM, '--session-id', id], { home, cwd: other });
    expect(elsewhere.exitCode).toBe(0);
  });

  it('--continue picks the latest session of this directory; --no-session-persistence leaves none', async () => {
    const home = tmp('fake-claude-home-');
    const first = sid();
    await runFake([...STREAM, '--session-id', first], { home });
    const cont = await runFake([...STREAM, '--continue'], { home });
    expect(jsonLines(cont.stdout)[0].session_id).toBe(first);
    const ghost = sid();
    await runFake([...STREAM, '--session-id', ghost, '--no-session-persistence'], { home });
    expect((await runFake([...STREAM, '--resume', ghost], { home })).exitCode).toBe(1);
  });

  it('keeps its state in $FAKE_CLAUDE_STATE_DIR when set', async () => {
    const state = tmp('fake-claude-state-');
    const id = sid();
    const r = await execa(FAKE, [...STREAM, '--session-id', id], { input: 'hi\n', env: { FAKE_CLAUDE_STATE_DIR: state }, reject: false });
    expect(r.exitCode).toBe(0);
    expect(fs.readdirSync(state)).toEqual([`${id}.json`]);
  });
});

describe('directives', () => {
  it('chatty=N adds N assistant text lines shaped like the recorded one, before the result', async () => {
    const r = await runFake(STREAM, { input: '[fake-claude chatty=3]\n' });
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.type)).toEqual(['system', 'assistant', 'assistant', 'assistant', 'assistant', 'result']);
    const recorded = jsonLines(readFix('success-text.jsonl'))[1];
    for (const extra of lines.slice(2, 5)) {
      expect(Object.keys(extra)).toEqual(Object.keys(recorded));
      expect(Object.keys(extra.message as Json)).toEqual(Object.keys(recorded.message as Json));
      expect(((extra.message as Json).content as Json[])[0].type).toBe('text');
    }
  });

  it('garbage=1 prints a non-JSON line and invalid UTF-8 before the session', async () => {
    const r = await execa(FAKE, STREAM, {
      input: '[fake-claude garbage=1]\n',
      encoding: 'buffer',
      env: { HOME: tmp('fake-claude-home-') },
      reject: false,
      stripFinalNewline: false,
    });
    const out = Buffer.from(r.stdout);
    const lines = out.toString('latin1').split('\n');
    expect(() => JSON.parse(lines[0])).toThrow();
    const second = out.subarray(lines[0].length + 1, lines[0].length + 1 + lines[1].length + 1);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(second)).toThrow();
    expect(jsonLines(lines.slice(2).join('\n')).map((l) => l.type)).toEqual(['system', 'assistant', 'result']);
    expect(r.exitCode).toBe(0);
  });

  it('crash=1 prints part of the session and dies by SIGKILL', async () => {
    const r = await runFake(STREAM, { input: '[fake-claude scenario=tool-use crash=1]\n' });
    expect(r.signal).toBe('SIGKILL');
    const types = jsonLines(r.stdout).map((l) => l.type);
    expect(types[0]).toBe('system');
    expect(types).not.toContain('result');
  });

  it('delay_ms spaces the lines out', async () => {
    const start = process.hrtime.bigint();
    const r = await runFake(STREAM, { input: '[fake-claude delay_ms=50]\n' });
    expect(r.exitCode).toBe(0);
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeGreaterThanOrEqual(100);
  });

  it('rejects an unknown directive or scenario, exit 2', async () => {
    const a = await runFake(STREAM, { input: '[fake-claude scenaro=tool-use]\n' });
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toMatch(/^fake-claude: unknown directive 'scenaro'/);
    const b = await runFake(STREAM, { input: '[fake-claude scenario=nope]\n' });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/^fake-claude: unknown scenario 'nope'/);
    expect(a.stdout + b.stdout).toBe('');
  });
});

describe('signals and processes', () => {
  const hang = '[fake-claude hang_ms=60000]\n';
  const sawInit = (s: string) => s.includes('"subtype":"init"');

  it('SIGTERM: exit 143, nothing more on stdout (as the real one)', async () => {
    const f = spawnFake(STREAM, hang);
    await f.waitFor('stdout', sawInit);
    f.child.kill('SIGTERM');
    const r = await f.exited;
    expect(r.code).toBe(143);
    expect(jsonLines(r.stdout).map((l) => l.subtype)).toEqual(['init']);
  });

  it('SIGINT: the recorded interrupted user line and error_during_execution result, exit 0', async () => {
    const f = spawnFake(STREAM, hang);
    await f.waitFor('stdout', sawInit);
    f.child.kill('SIGINT');
    const r = await f.exited;
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.type)).toEqual(['system', 'user', 'result']);
    expect(lines[2].subtype).toBe('error_during_execution');
    expect(new Set(lines.map((l) => l.session_id)).size).toBe(1);
  });

  it('ignore_sigterm=1 survives SIGTERM', async () => {
    const f = spawnFake(STREAM, '[fake-claude hang_ms=60000 ignore_sigterm=1]\n');
    await f.waitFor('stdout', sawInit);
    f.child.kill('SIGTERM');
    await f.waitFor('stderr', (s) => s.includes('fake-claude: SIGTERM ignored'));
    expect(f.child.exitCode).toBeNull();
    f.child.kill('SIGKILL');
    expect((await f.exited).signal).toBe('SIGKILL');
  });

  it('grandchild=1 stays in the group; setsid_grandchild=1 leaves it but keeps the environment', async () => {
    const home = tmp('fake-claude-home-');
    const pidFile = path.join(home, 'pids');
    const child: ChildProcess = spawn(FAKE, STREAM, {
      cwd: home,
      env: { PATH: process.env.PATH, HOME: home, BATON_RUN_ID: 'run_test_1' },
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: true, // its own group, as Baton runs agents
    });
    child.stdin!.end(`[fake-claude hang_ms=60000 grandchild=1 setsid_grandchild=1 pid_file=${pidFile}]\n`);
    let out = '';
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (sawInit(out)) resolve();
      }),
    );
    const pids = fs.readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    try {
      expect(pids).toHaveLength(3);
      const [self, inGroup, escaped] = pids as [number, number, number];
      expect(self).toBe(child.pid);
      expect(procStat(self).pgrp).toBe(self);
      expect(procStat(inGroup).pgrp).toBe(self);
      expect(procStat(escaped).pgrp).not.toBe(self);
      expect(procStat(escaped).session).toBe(escaped);
      expect(fs.readFileSync(`/proc/${escaped}/environ`, 'utf8').split('\0')).toContain('BATON_RUN_ID=run_test_1');
    } finally {
      for (const pid of pids) killQuietly(pid);
      killQuietly(-child.pid!);
    }
  });
});
