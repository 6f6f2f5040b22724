// Hostile paths through the real MCP client and the built `baton mcp`: every path a run may use
// (cwd, a profile file, codex add_dirs, a pipeline's cwd and its roles' profiles) must lie under
// BATON_ALLOWED_ROOTS after symlinks are resolved. Each trick is refused with a message that says
// which field and what to do, and nothing is started.
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client as TemporalClient } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callError, connectStdio, type McpSession } from '../helpers/mcp.js';
import { temporalClient, workflowsOf } from '../helpers/temporal.js';

let env: TestEnv;
let mcp: McpSession;
let temporal: TemporalClient;
/** A directory outside the allowed root, with a file in it. */
let outside: string;
let outsideFile: string;
/** A sibling of the root whose name starts with the root's name (/tmp/baton-work-x-evil). */
let prefixTwin: string;
let before: string[];

beforeAll(async () => {
  env = await makeTestEnv();
  outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'baton-outside-')));
  outsideFile = path.join(outside, 'profile.md');
  prefixTwin = `${env.workDir}-evil`;
  await Promise.all([
    writeFile(outsideFile, 'You are a helpful agent. (outside the roots)'),
    mkdir(prefixTwin),
    mkdir(path.join(env.workDir, 'project')),
    writeFile(path.join(env.workDir, 'file.txt'), 'not a directory'),
    symlink(outside, path.join(env.workDir, 'escape')),
    symlink(outsideFile, path.join(env.workDir, 'profile-link.md')),
  ]);
  // No worker: should a path get through after all, no agent runs in it.
  [mcp, temporal] = await Promise.all([connectStdio(env, ['--no-worker']), temporalClient(env)]);
  before = await workflowsOf(env, temporal);
});

afterAll(async () => {
  await mcp?.close();
  await temporal?.connection.close();
  await rm(outside, { recursive: true, force: true });
  await rm(prefixTwin, { recursive: true, force: true });
  await env?.cleanup();
});

const commandRun = (cwd: string) => ({ prompt: 'look around', backend: 'command', cwd, backend_config: fakeAgent('--lines', '1') });
const outsideRoots = /is outside the allowed roots \(.+\): use a path under one of them, or add its root to BATON_ALLOWED_ROOTS/;

describe('cwd', () => {
  const cases: [string, () => string, RegExp][] = [
    ['".." that climbs out of the root', () => path.join(env.workDir, 'project', '..', '..'), outsideRoots],
    ['".." left unnormalized in the string', () => `${env.workDir}/project/../../..${outside}`, outsideRoots],
    ['a symlink inside the root that points outside', () => path.join(env.workDir, 'escape'), /cwd ".+escape" leads outside the allowed roots .* through a symbolic link/],
    ["a directory beside the root whose name extends the root's", () => prefixTwin, outsideRoots],
    ['a file instead of a directory', () => path.join(env.workDir, 'file.txt'), /cwd ".+file\.txt" is not a directory/],
    ['a directory that does not exist', () => path.join(env.workDir, 'missing'), /cwd ".+missing" does not exist: create the directory or pass an existing one/],
    ['a path longer than 4096 characters', () => path.join(env.workDir, 'a'.repeat(5000)), /cwd is \d+ characters long; paths are limited to 4096/],
    ['a NUL byte', () => `${env.workDir}/project\u0000/../../etc`, /^cwd holds a NUL character/],
    ['a relative path', () => 'project', /cwd must be an absolute path; got "project"/],
    ['a path relative to the home directory', () => '~/project', /cwd must be an absolute path/],
    ['the file system root', () => '/', outsideRoots],
  ];

  it.each(cases)('refuses %s', async (_what, cwd, message) => {
    expect(await callError(mcp.client, 'spawn_run', commandRun(cwd()))).toMatch(message);
  });

  it('is checked the same way by dispatch and schedule_run', async () => {
    const escape = path.join(env.workDir, 'escape');
    expect(await callError(mcp.client, 'dispatch', { ...commandRun(escape), max_wait_seconds: 1 })).toMatch(/leads outside the allowed roots .* through a symbolic link/);
    expect(await callError(mcp.client, 'schedule_run', { ...commandRun(escape), interval_seconds: 3600 })).toMatch(/leads outside the allowed roots .* through a symbolic link/);
  });
});

describe('other paths a run uses', () => {
  const claude = (profile: string) => ({ prompt: 'review', backend: 'claude_code', cwd: env.workDir, profile });

  it('refuses a profile file outside the roots, directly or through a symlink in the root', async () => {
    expect(await callError(mcp.client, 'spawn_run', claude(outsideFile))).toMatch(/profile ".+profile\.md" is outside the allowed roots/);
    expect(await callError(mcp.client, 'spawn_run', claude(path.join(env.workDir, 'profile-link.md')))).toMatch(
      /profile ".+profile-link\.md" leads outside the allowed roots .* through a symbolic link/,
    );
    expect(await callError(mcp.client, 'spawn_run', claude(`${env.workDir}/../../..${outsideFile}`))).toMatch(/profile .+ is outside the allowed roots/);
  });

  it('refuses a profile path with a NUL byte, and one that is a directory', async () => {
    expect(await callError(mcp.client, 'spawn_run', claude(`${env.workDir}/x\u0000.md`))).toMatch(/^profile holds a NUL character/);
    expect(await callError(mcp.client, 'spawn_run', claude(path.join(env.workDir, 'project')))).toMatch(/profile ".+project" is not a file/);
  });

  it('refuses a codex add_dirs entry outside the roots, also through a symlink', async () => {
    const codex = (addDirs: string[]) => ({ prompt: 'edit', backend: 'codex', cwd: env.workDir, backend_config: { sandbox: 'workspace-write', add_dirs: addDirs } });
    expect(await callError(mcp.client, 'spawn_run', codex([path.join(env.workDir, 'project'), outside]))).toMatch(
      /backend_config\.add_dirs entry ".+" is outside the allowed roots/,
    );
    expect(await callError(mcp.client, 'spawn_run', codex([path.join(env.workDir, 'escape')]))).toMatch(/add_dirs entry ".+escape" leads outside the allowed roots/);
    expect(await callError(mcp.client, 'spawn_run', codex(['relative/dir']))).toMatch(/add_dirs entries are absolute paths/);
  });

  it("refuses a pipeline whose cwd, or one of whose roles' profile, lies outside the roots", async () => {
    const worker = { backend: 'command', backend_config: fakeAgent('--lines', '1') };
    expect(await callError(mcp.client, 'spawn_pipeline', { goal: 'ship it', cwd: outside, worker })).toMatch(outsideRoots);
    expect(await callError(mcp.client, 'spawn_pipeline', { goal: 'ship it', cwd: path.join(env.workDir, 'escape'), worker })).toMatch(
      /leads outside the allowed roots .* through a symbolic link/,
    );
    const reviewer = { backend: 'claude_code', profile: path.join(env.workDir, 'profile-link.md') };
    expect(await callError(mcp.client, 'spawn_pipeline', { goal: 'ship it', cwd: env.workDir, worker, reviewer })).toMatch(/profile .+ leads outside the allowed roots/);
  });
});

describe('after every refusal', () => {
  it('no workflow was started', async () => {
    expect(await workflowsOf(env, temporal)).toEqual(before);
  });
});
