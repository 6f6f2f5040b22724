// The generic fake agent (test/fixtures/bin/fake-agent.mjs) for the `command` backend.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const AGENT = fileURLToPath(new URL('../fixtures/bin/fake-agent.mjs', import.meta.url));
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-agent-test-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));
const tmp = () => fs.mkdtempSync(path.join(TMP, 'run-'));
const run = (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) =>
  execa(AGENT, args, { input: opts.input ?? '', env: opts.env ?? {}, reject: false, stripFinalNewline: false });

function procStat(pid: number) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(pgrp), session: Number(session) };
}
function killQuietly(pid: number) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

describe('fake-agent', () => {
  it('prints --lines, echoes --stdin, writes --stderr, exits with --exit-code', async () => {
    const r = await run(['--stderr', 'warming up', '--stdin', '--lines', '3', '--exit-code', '4'], { input: 'first\nsecond\n' });
    expect(r.stdout).toBe('stdin: first\nstdin: second\nline 1\nline 2\nline 3\n');
    expect(r.stderr).toBe('warming up\n');
    expect(r.exitCode).toBe(4);
  });

  it('prints the environment variables asked for', async () => {
    const r = await run(['--env', 'BATON_RUN_ID', '--env', 'NOT_SET_HERE'], { env: { BATON_RUN_ID: 'run_01' } });
    expect(r.stdout).toBe('BATON_RUN_ID=run_01\nNOT_SET_HERE unset\n');
    expect(r.exitCode).toBe(0);
  });

  it('is strict: unknown flags, missing and malformed values exit 2', async () => {
    for (const args of [['--bogus'], ['stray'], ['--lines'], ['--lines', 'ten'], ['--exit-code', '256']]) {
      const r = await run(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(/^fake-agent: /);
    }
  });

  it('--garbage prints invalid UTF-8 and a 1 MiB line', async () => {
    const r = await execa(AGENT, ['--garbage', '--lines', '1'], { encoding: 'buffer', reject: false, stripFinalNewline: false });
    const out = Buffer.from(r.stdout);
    const nl = out.indexOf(0x0a);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(out.subarray(0, nl))).toThrow();
    const second = out.subarray(nl + 1, out.indexOf(0x0a, nl + 1));
    expect(second.length).toBe(1024 * 1024);
    expect(out.subarray(out.length - 7).toString()).toBe('line 1\n');
  });

  it('--crash dies by SIGKILL midway', async () => {
    const r = await run(['--lines', '10', '--crash']);
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
  });

  it('--delay-ms spaces the lines out', async () => {
    const start = process.hrtime.bigint();
    const r = await run(['--lines', '3', '--delay-ms', '40']);
    expect(r.exitCode).toBe(0);
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeGreaterThanOrEqual(120);
  });

  it('--ignore-sigterm survives SIGTERM; without it SIGTERM kills', async () => {
    const stubborn = spawn(AGENT, ['--ignore-sigterm', '--sleep-ms', '60000', '--lines', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const closed = new Promise<NodeJS.Signals | null>((resolve) => stubborn.on('close', (_c, s) => resolve(s)));
    await new Promise<void>((resolve) => stubborn.stdout.once('data', () => resolve()));
    stubborn.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      let err = '';
      stubborn.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('fake-agent: SIGTERM ignored')) resolve();
      });
    });
    expect(stubborn.exitCode).toBeNull();
    stubborn.kill('SIGKILL');
    expect(await closed).toBe('SIGKILL');

    const meek = spawn(AGENT, ['--sleep-ms', '60000', '--lines', '1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const meekClosed = new Promise<NodeJS.Signals | null>((resolve) => meek.on('close', (_c, s) => resolve(s)));
    await new Promise<void>((resolve) => meek.stdout.once('data', () => resolve()));
    meek.kill('SIGTERM');
    expect(await meekClosed).toBe('SIGTERM');
  });

  it('--grandchild stays in the group, --setsid-grandchild leaves it but keeps BATON_RUN_ID', async () => {
    const pidFile = path.join(tmp(), 'pids');
    const child = spawn(AGENT, ['--pid-file', pidFile, '--grandchild', '--setsid-grandchild', '--lines', '1', '--sleep-ms', '60000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BATON_RUN_ID: 'run_test_2' },
      detached: true,
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const pids = fs.readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    try {
      expect(pids).toHaveLength(3);
      const [self, inGroup, escaped] = pids as [number, number, number];
      expect(self).toBe(child.pid);
      expect(procStat(inGroup).pgrp).toBe(self);
      expect(procStat(escaped).pgrp).not.toBe(self);
      expect(procStat(escaped).session).toBe(escaped);
      expect(fs.readFileSync(`/proc/${escaped}/environ`, 'utf8').split('\0')).toContain('BATON_RUN_ID=run_test_2');
    } finally {
      for (const pid of pids) killQuietly(pid);
    }
  });
});
