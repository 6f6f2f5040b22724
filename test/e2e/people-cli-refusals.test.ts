// The `baton` command for people, as the real binary: every check of spawn_run holds for `baton
// spawn`, refusals name the option and say what to change, and help and exit codes.
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../setup/temporal-server.js';
import { agentArgv, baton, cli, ok, setUpPeopleCli } from '../helpers/people-cli.js';
import { temporalClient, workflowsOf } from '../helpers/temporal.js';

setUpPeopleCli();

describe('refusals and help', () => {
  it('spawn refuses a cwd outside the allowed roots, naming --cwd, and starts nothing', async () => {
    // This env's own workflows (other test files start runs meanwhile).
    const temporal = await temporalClient(cli.env);
    const before = (await workflowsOf(cli.env, temporal)).length;
    const ran = await baton(['spawn', '--backend', 'command', '--cwd', path.dirname(cli.env.workDir), '--', ...agentArgv()]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/^baton: --cwd: /);
    expect(ran.stderr).toContain('BATON_ALLOWED_ROOTS');
    expect((await workflowsOf(cli.env, temporal)).length).toBe(before);
    await temporal.connection.close();
  });

  it('a refusal that quotes what was typed, or a file, shows its terminal controls as escapes', async () => {
    const hostile = 'A\x1b]0;PWNED\x07B\x1b[2JC\rD\u009bE\u202eF';
    const schema = path.join(cli.env.workDir, 'hostile-schema.json');
    await writeFile(schema, '\x1b]0;PWNED\x07{}');
    const refusals = [
      await baton(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--label', hostile, '--', ...agentArgv()]),
      await baton(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--output-schema', `@${schema}`, '--', ...agentArgv()]),
      await baton(['runs', '--status', hostile]),
      await baton([hostile]),
    ];
    for (const ran of refusals) {
      expect(ran.code).toBeGreaterThan(0);
      expect(ran.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    }
    expect(refusals[0].stderr).toContain('A\\x1b]0;PWNED\\x07B');
    expect(refusals[1].stderr).toContain('\\x1b');
  });

  it("spawn refuses what spawn_run refuses, in the command line's terms", async () => {
    const turns = await baton(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--max-turns', '5', '--', ...agentArgv()]);
    expect(turns.code).toBe(1);
    expect(turns.stderr).toContain('--max-turns: max_turns does not apply to the command backend');
    // No argv can carry NUL, but JSON can: the shape check every MCP tool runs first refuses it.
    const nul = await baton(['spawn', '--backend', 'codex', '--cwd', cli.env.workDir, '--backend-config', '{"env": {"A": "a\\u0000b"}}', '--', 'hi']);
    expect(nul.code).toBe(1);
    expect(nul.stderr).toContain('--backend-config');
    expect(nul.stderr).toContain('backend_config.env.A holds a NUL character');
    // One argv string holds at most 128 KiB on Linux: six words make a prompt over the 512 KiB limit.
    const huge = await baton(['spawn', '--backend', 'codex', '--cwd', cli.env.workDir, '--', ...Array.from({ length: 6 }, () => 'x'.repeat(100 * 1024))]);
    expect(huge.code).toBe(1);
    expect(huge.stderr).toContain('prompt');
    expect(huge.stderr).toContain('over the limit of 524,288 bytes');
  });

  it("a JSON option's @file that is missing, not JSON, too large or no valid value is refused, naming the option", async () => {
    const missing = await baton(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--input-message', '@no-such.json', '--', ...agentArgv()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--input-message: cannot use @no-such.json (${path.join(cli.env.workDir, 'no-such.json')}): no such file`);
    await writeFile(path.join(cli.env.workDir, 'broken.json'), '{"command": ["true"],');
    const broken = await baton(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, '--backend-config', '@broken.json', '--prompt', 'hi']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('--backend-config: @broken.json is not valid JSON');
    // A sparse file of 1 GiB: refused from its size, which reading it whole would not be, fast.
    await writeFile(path.join(cli.env.workDir, 'huge.json'), '');
    await truncate(path.join(cli.env.workDir, 'huge.json'), 1024 ** 3);
    const huge = await baton(['spawn', '--backend', 'codex', '--cwd', cli.env.workDir, '--output-schema', '@huge.json', '--', 'hi']);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toContain('--output-schema: cannot use @huge.json');
    expect(huge.stderr).toContain('it is 1,073,741,824 bytes, over the limit of 65,536 bytes for --output-schema');
    // Valid JSON that spawn_run refuses: the same check as the MCP tool, in the option's name.
    await writeFile(path.join(cli.env.workDir, 'empty-message.json'), '{"parts": []}');
    const empty = await baton(['spawn', '--backend', 'codex', '--cwd', cli.env.workDir, '--input-message', '@empty-message.json']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('--input-message (parts): input_message needs at least one part');
    const twice = await baton(['spawn', '--backend', 'codex', '--cwd', cli.env.workDir, '--input-message', '{"parts": [{"kind": "text", "text": "hi"}]}', '--', 'hi']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('give the prompt after -- or as --input-message, not both');
  });

  it('notify options are checked as spawn_run checks them, naming the option', async () => {
    const spawn = (...flags: string[]) => baton(['spawn', '--backend', 'command', '--cwd', cli.env.workDir, ...flags, '--', ...agentArgv()]);
    const badEvent = await spawn('--notify-url', 'http://127.0.0.1:9/hook', '--notify-on', 'failed');
    expect(badEvent.code).toBe(1);
    expect(badEvent.stderr).toContain('--notify-on (0): notify_on must be one of done, error, cancelled, abandoned, any (got "failed")');
    const noUrl = await spawn('--notify-header', 'X-Token=abc');
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('--notify-url: notify_on and notify_headers need notify_url');
    const badName = await spawn('--notify-url', 'http://127.0.0.1:9/hook', '--notify-header', 'X Token=secret-value');
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain('--notify-header (X Token): header names are letters, digits and -');
    expect(badName.stderr).not.toContain('secret-value');
    const noValue = await spawn('--notify-url', 'http://127.0.0.1:9/hook', '--notify-header', 'secret-value');
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain('--notify-header takes NAME=VALUE');
    expect(noValue.stderr).not.toContain('secret-value');
  });

  it('a malformed command line exits 2 with the usage', async () => {
    const unknown = await baton(['runs', '--colour']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--colour'");
    expect(unknown.stderr).toContain('usage: baton runs');
    const badNumber = await baton(['runs', '--limit', 'ten']);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--limit takes a whole number');
    const badStatus = await baton(['runs', '--status', 'done']);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain('--status');
    const noPrompt = await baton(['spawn', '--backend', 'codex', '--cwd', cli.env.workDir]);
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toContain('no prompt');
  });

  it('an id that names nothing, or not a run, is an error that says what to use instead (exit 1)', async () => {
    const missing = await baton(['show', 'run_nothing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no run with id "run_nothing"');
    expect(missing.stderr).toContain('`baton runs` shows recent runs');
    const pipeline = await baton(['tail', 'pipe_nothing']);
    expect(pipeline.code).toBe(1);
    expect(pipeline.stderr).toContain('baton show pipe_nothing');
  });

  it('with no Temporal server, a read says so, naming the address (exit 1)', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const ran = await baton(['runs'], { TEMPORAL_ADDRESS: address });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`no Temporal server answers at ${address}`);
  });

  it("help <command> prints that command's options; the server commands keep theirs", async () => {
    const help = await ok(['help', 'tail']);
    expect(help).toContain('Usage: baton tail');
    expect(help).toContain('--follow');
    expect(await ok(['help', 'mcp'])).toContain('--no-worker');
    expect((await ok(['version'])).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const extra = await baton(['status', '--what']);
    expect(extra.code).toBe(2);
  });

  it('an unknown command, as a command or for help, is an error that lists the commands (exit 2)', async () => {
    const help = await baton(['help', 'spwan']);
    expect(help.code).toBe(2);
    expect(help.stdout).toBe('');
    expect(help.stderr).toContain("command-argument value 'spwan' is invalid for argument 'command'");
    expect(help.stderr).toMatch(/Allowed choices are dev, mcp, worker, status, version, runs, show, tail, spawn, cancel, approve, continue, peer, help\./);
    const command = await baton(['spwan', '--backend', 'codex']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'spwan'");
    expect(command.stderr).toContain('(Did you mean spawn?)');
    expect(command.stderr).toContain('the commands: dev, mcp, worker, status, version, runs, show, tail, spawn, cancel, approve, continue, peer, help');
    // help alone, and for a known command, still exits 0.
    expect(await ok(['help'])).toContain('Commands:');
    expect(await ok(['help', 'approve'])).toContain('--steps');
  });
});
