// The claude-bridge tool profile (docs/claude-bridge.md) through a real MCP SDK client over stdio
// (`baton mcp` with BATON_TOOL_PROFILE=claude-bridge, or --profile) and Streamable HTTP (`baton dev`),
// against the real dev server and the fake claude CLI: claude-bridge's tool surface, compared with
// the real claude-bridge-mcp 0.1.0 driven by the same client; its result shapes; jobs that are Baton
// runs both ways; refusals naming the field; its webhook payload. Schedules: claude-bridge-schedules.test.ts.
import { spawnSync } from 'node:child_process';
import { Webhook } from 'standardwebhooks';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it } from 'vitest';
import type { RunView } from '../../src/domain/run-view.js';
import { baton, bridge, bridgeCall, call, env, finished, real, receiver, setUpBridgeProfile, signingSecret, toolError, type Dict } from '../helpers/claude-bridge-profile.js';
import { CLI, fakeAgent } from '../helpers/env.js';
import { callOk, connectStdio, startHttpBaton, type HttpBaton } from '../helpers/mcp.js';
import { waitFor } from '../helpers/wait.js';

setUpBridgeProfile({ real: true });

const BRIDGE_TOOLS = [
  'bridge_help',
  'cancel_dispatch',
  'cancel_schedule',
  'dispatch',
  'dispatch_async',
  'get_dispatch',
  'get_schedule',
  'list_channels',
  'list_completions',
  'list_events',
  'list_jobs',
  'list_schedules',
  'reset_channel',
  'schedule_dispatch',
  'wait_any_completion',
  'wait_dispatch',
];

interface Param {
  types: string[];
  default?: unknown;
  required: boolean;
}

/** A tool's parameters as comparable facts: JSON types (nullable included), default, required. */
function paramsOf(schema: { properties?: Record<string, Dict>; required?: string[] }): Record<string, Param> {
  const typesOf = (p: Dict): string[] => {
    if (Array.isArray(p.anyOf)) return (p.anyOf as Dict[]).flatMap(typesOf);
    const types = Array.isArray(p.type) ? (p.type as string[]) : p.type ? [p.type as string] : [];
    return types.map((t) => (t === 'array' && p.items ? `array<${typesOf(p.items as Dict).join('|')}>` : t));
  };
  return Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, p]) => [
      name,
      { types: [...new Set(typesOf(p))].sort(), ...('default' in p ? { default: p.default } : {}), required: (schema.required ?? []).includes(name) },
    ]),
  );
}

async function toolSurface(client: Client): Promise<Record<string, Record<string, Param>>> {
  const { tools } = await client.listTools();
  return Object.fromEntries(tools.map((t) => [t.name, paramsOf(t.inputSchema as Parameters<typeof paramsOf>[0])]));
}

describe('the tool surface', () => {
  it("is claude-bridge's 16 tools, with the real claude-bridge-mcp 0.1.0's parameters, types, defaults and required ones", async () => {
    const [ours, theirs] = await Promise.all([toolSurface(bridge.client), toolSurface(real.client)]);
    expect(Object.keys(theirs).sort()).toEqual(BRIDGE_TOOLS);
    expect(Object.keys(ours).sort()).toEqual(BRIDGE_TOOLS);
    for (const name of BRIDGE_TOOLS) expect(ours[name], name).toEqual(theirs[name]);
    expect(bridge.client.getServerVersion()?.name).toBe('claude-bridge');
    // No channel events: they would name Baton's own tools, which this profile does not have.
    expect(bridge.client.getServerCapabilities()?.experimental).toBeUndefined();
  });

  it('is picked by `baton mcp --profile claude-bridge` and by BATON_TOOL_PROFILE for `baton dev`; the baton profile keeps its own tools', async () => {
    let http: HttpBaton | undefined;
    const flagged = await connectStdio(env, ['--no-worker', '--profile', 'claude-bridge']);
    try {
      http = await startHttpBaton(env, { BATON_TOOL_PROFILE: 'claude-bridge' });
      for (const client of [flagged.client, http.client]) {
        expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(BRIDGE_TOOLS);
      }
      const help = await call(http.client, 'bridge_help');
      expect(help).toMatchObject({ name: 'claude-bridge', stop_sentinel: '[BRIDGE_STOP_SCHEDULE]' });
      expect(Object.keys(help.tools as Dict).sort()).toEqual(BRIDGE_TOOLS.filter((t) => t !== 'bridge_help'));
      const own = (await baton.client.listTools()).tools.map((t) => t.name);
      expect(own).toContain('spawn_run');
      expect(own).not.toContain('dispatch_async');
    } finally {
      await flagged.close();
      await http?.stop();
    }
  });

  it('refuses an unknown profile, naming the choices', () => {
    const flag = spawnSync(process.execPath, [CLI, 'mcp', '--profile', 'nope'], { env: env.env, cwd: env.workDir, encoding: 'utf8', input: '' });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("argument 'nope' is invalid. Allowed choices are baton, claude-bridge");
    const variable = spawnSync(process.execPath, [CLI, 'mcp'], { env: { ...env.env, BATON_TOOL_PROFILE: 'nope' }, cwd: env.workDir, encoding: 'utf8', input: '' });
    expect(variable.status).toBe(1);
    expect(variable.stderr).toContain('BATON_TOOL_PROFILE must be one of baton, claude-bridge');
  });
});

describe('jobs', () => {
  it("dispatch runs a quick job and answers claude-bridge's DispatchResult, with the job's run id", async () => {
    const answer = await bridgeCall('dispatch', { prompt: 'What is 2+2?', channel: 'quick' });
    expect(answer).toMatchObject({ ok: true, channel: 'quick', job_id: expect.stringMatching(/^run_/) });
    expect(Object.keys(answer).sort()).toEqual(['channel', 'duration_ms', 'job_id', 'ok', 'raw', 'result', 'session_id']);
    // raw: claude's own JSON result, as claude-bridge gives it.
    expect(answer.raw).toMatchObject({ type: 'result', result: answer.result, session_id: answer.session_id });
    expect(typeof answer.duration_ms).toBe('number');
    expect(typeof answer.session_id).toBe('string');
    const run = await callOk<RunView>(baton.client, 'get_run', { run_id: answer.job_id });
    expect(run).toMatchObject({ status: 'completed', backend: 'claude_code', channel: 'quick', cwd: env.workDir, session_id: answer.session_id });
    expect(answer.result).toBe(run.result!.output);
    expect(run.metadata).toMatchObject({ baton_profile: 'claude-bridge', bridge_channel: 'quick' });
  });

  it('dispatch_async returns {ok, job_id, channel} at once; get_dispatch and wait_dispatch follow it to done', async () => {
    const started = await bridgeCall('dispatch_async', { prompt: 'List the files. [fake-claude scenario=tool-use delay_ms=200]', channel: 'async-1' });
    expect(started).toEqual({ ok: true, job_id: expect.stringMatching(/^run_/), channel: 'async-1' });
    const jobId = started.job_id as string;
    const early = await bridgeCall('get_dispatch', { job_id: jobId });
    expect(early).toMatchObject({ job_id: jobId, channel: 'async-1', started_at: expect.any(Number) });
    if (early.status === 'running') expect(early.elapsed_ms).toEqual(expect.any(Number));
    else expect(early.status).toBe('done');

    const done = await finished(jobId);
    expect(done).toMatchObject({
      job_id: jobId,
      channel: 'async-1',
      status: 'done',
      ok: true,
      result: expect.any(String),
      session_id: expect.any(String),
      duration_ms: expect.any(Number),
      args: { channel: 'async-1', timeout_seconds: 300, permission_mode: 'acceptEdits', cwd: env.workDir },
    });
    expect(done.finished_at as number).toBeGreaterThanOrEqual(done.started_at as number);
    expect(await bridgeCall('get_dispatch', { job_id: jobId })).toEqual(done);

    // The job is in list_completions after a cursor before it (once visibility has its close), and not after its own finish.
    const completed = await waitFor(
      async () => ((await bridgeCall('list_completions', { since: (done.started_at as number) - 1, limit: 0 })).completions as Dict[]).find((c) => c.job_id === jobId),
      { what: 'the job in list_completions' },
    );
    expect(completed).toMatchObject({ job_id: jobId, status: 'done', ok: true, result: done.result, finished_at: done.finished_at });
    const later = await bridgeCall('list_completions', { since: done.finished_at, limit: 0 });
    expect((later.completions as Dict[]).map((c) => c.job_id)).not.toContain(jobId);
    const waited = await bridgeCall('wait_any_completion', { since: (done.started_at as number) - 1, max_wait_seconds: 5 });
    expect((waited.completions as Dict[]).length).toBeGreaterThan(0);

    // Its events: dispatch_start and dispatch_end; notable_only keeps only the end.
    const mine = await waitFor(
      async () => {
        const { events } = await bridgeCall('list_events', { since: (done.started_at as number) - 1, limit: 0 });
        const names = (events as Dict[]).filter((e) => e.job_id === jobId).map((e) => e.event);
        return names.length === 2 ? names : null;
      },
      { what: "the job's events" },
    );
    expect(mine).toEqual(['dispatch_start', 'dispatch_end']);
    const notable = await bridgeCall('list_events', { since: (done.started_at as number) - 1, limit: 0, notable_only: true });
    expect((notable.events as Dict[]).filter((e) => e.job_id === jobId).map((e) => e.event)).toEqual(['dispatch_end']);

    // A channel pins the job's session.
    const channels = async () => (await bridgeCall('list_channels')).channels as Dict;
    await waitFor(async () => (await channels())['async-1'] === done.session_id, { what: 'the channel pinned to the session' });
    expect(await bridgeCall('reset_channel', { channel: 'async-1' })).toEqual({ reset: true, channel: 'async-1' });
    await waitFor(async () => !('async-1' in (await channels())), { what: 'the channel reset' });
  });

  it('cancel_dispatch stops a running job: status cancelled; a second cancel says already_finished', async () => {
    const { job_id } = await bridgeCall('dispatch_async', { prompt: 'wait [fake-claude hang_ms=60000]', channel: 'cancel-1' });
    await waitFor(async () => (await callOk<RunView>(baton.client, 'get_run', { run_id: job_id })).status === 'running', { what: 'the job to run' });
    expect(await bridgeCall('cancel_dispatch', { job_id })).toEqual({ job_id, channel: 'cancel-1', cancelled: true });
    const state = await finished(job_id as string);
    expect(state).toMatchObject({ job_id, status: 'cancelled', ok: false, error: expect.any(String), finished_at: expect.any(Number) });
    expect(await bridgeCall('cancel_dispatch', { job_id })).toEqual({ job_id, channel: 'cancel-1', cancelled: false, reason: 'already_finished' });
    expect((await callOk<RunView>(baton.client, 'get_run', { run_id: job_id })).status).toBe('cancelled');
  });

  it("a job is a run: list_jobs shows the bridge's job, list_runs of the baton profile the same run, and the bridge follows a baton run", async () => {
    const { job_id } = await bridgeCall('dispatch_async', { prompt: 'What is 2+2?', channel: 'both-ways' });
    await finished(job_id as string);
    // Both lists read visibility, which has a run's end a moment after the run says it.
    const listed = await waitFor(async () => ((await bridgeCall('list_jobs')).jobs as Dict[]).find((j) => j.job_id === job_id && j.status !== 'running'), {
      what: 'the job in list_jobs',
    });
    expect(listed).toMatchObject({ status: 'done', ok: true, channel: 'both-ways' });
    const runs = await waitFor(
      async () => {
        const page = await callOk<{ runs: RunView[] }>(baton.client, 'list_runs', { channel: 'both-ways' });
        return page.runs.length > 0 && page.runs.every((r) => r.status !== 'running' && r.status !== 'queued') ? page.runs : null;
      },
      { what: 'the run in list_runs' },
    );
    expect(runs.map((r) => r.run_id)).toEqual([job_id]);
    expect(runs[0]).toMatchObject({ status: 'completed', metadata: { baton_profile: 'claude-bridge' } });

    const spawned = await callOk<{ run_id: string }>(baton.client, 'spawn_run', { prompt: 'hello', backend: 'command', cwd: env.workDir, backend_config: fakeAgent('--stdin') });
    const state = await finished(spawned.run_id);
    expect(state).toMatchObject({ job_id: spawned.run_id, status: 'done', ok: true, channel: 'default', args: { cwd: env.workDir } });
    await waitFor(async () => ((await bridgeCall('list_jobs')).jobs as Dict[]).some((j) => j.job_id === spawned.run_id && j.status === 'done'), {
      what: 'the baton run in list_jobs',
    });
  });

  it("a channel may have any name claude-bridge takes, beyond Baton's channel names", async () => {
    const channel = 'feature/auth: PR #12';
    const answer = await bridgeCall('dispatch', { prompt: 'What is 2+2?', channel });
    expect(answer).toMatchObject({ ok: true, channel });
    expect(await bridgeCall('get_dispatch', { job_id: answer.job_id })).toMatchObject({ channel, args: { channel } });
    const run = await callOk<RunView>(baton.client, 'get_run', { run_id: answer.job_id });
    expect(run.channel).toMatch(/^cb-[0-9a-f]{32}$/);
    const channels = async () => (await bridgeCall('list_channels')).channels as Dict;
    await waitFor(async () => (await channels())[channel] === answer.session_id, { what: 'the channel by its own name' });
    expect(await bridgeCall('reset_channel', { channel })).toEqual({ reset: true, channel });
    await waitFor(async () => !(channel in (await channels())), { what: 'the channel reset' });
  });

  it("a job's notification is claude-bridge's webhook payload, with its headers, signed", async () => {
    const { job_id } = await bridgeCall('dispatch_async', {
      prompt: 'What is 2+2?',
      channel: 'hooked',
      notify_url: `${receiver.url}/hook`,
      notify_headers: { 'X-Auth': 'abc' },
    });
    const request = await waitFor(() => receiver.requests.find((r) => r.path.endsWith('/hook') && (JSON.parse(r.body) as Dict).job_id === job_id), {
      timeoutMs: 60_000,
      what: 'the notification',
    });
    expect(request.headers['x-auth']).toBe('abc');
    // Signed as every notification of Baton's is (claude-bridge signs nothing).
    const payload = new Webhook(signingSecret).verify(request.body, request.headers) as Dict;
    expect(payload).toMatchObject({
      event: 'done',
      job_id,
      channel: 'hooked',
      status: 'done',
      ok: true,
      started_at: expect.any(Number),
      finished_at: expect.any(Number),
      result_preview: expect.any(String),
      error: null,
    });
    // claude-bridge's payload keys, and the two a worker checks it by.
    expect(Object.keys(payload).sort()).toEqual(['baton_status', 'channel', 'error', 'event', 'finished_at', 'job_id', 'ok', 'result_preview', 'run_id', 'started_at', 'status']);
    // Its delivery is in list_events, as claude-bridge's webhook_sent (the URL as its host only).
    const sent = await waitFor(async () => ((await bridgeCall('list_events', { types: ['webhook_sent'], limit: 0 })).events as Dict[]).find((e) => e.job_id === job_id), {
      what: 'the webhook_sent event',
    });
    expect(sent).toMatchObject({ event: 'webhook_sent', payload_event: 'done', http_status: 200, url: new URL(receiver.url).host });
  });
});

describe('refusals', () => {
  it('answer as the real claude-bridge does where it refuses, with the same dicts', async () => {
    for (const [name, args] of [
      ['get_dispatch', { job_id: 'run_nope' }],
      ['wait_dispatch', { job_id: 'run_nope', max_wait_seconds: 1 }],
      ['dispatch_async', { prompt: '   ' }],
      ['get_schedule', { schedule_id: 'sched_nope' }],
      ['cancel_schedule', { schedule_id: 'sched_nope' }],
      ['reset_channel', { channel: 'never-used' }],
    ] as const) {
      expect(await bridgeCall(name, args), name).toEqual(await call(real.client, name, args));
    }
    expect(await bridgeCall('dispatch', { prompt: '' })).toEqual({ ok: false, channel: 'default', duration_ms: 0, error: 'prompt is empty' });
    // A cursor beyond any time: nothing, as claude-bridge answers.
    expect(await bridgeCall('list_completions', { since: 1e20 })).toEqual(await call(real.client, 'list_completions', { since: 1e20 }));
  });

  it('a bad argument gets {ok: false, error} naming the field, and nothing starts', async () => {
    // Other test files start jobs meanwhile: nothing may appear on this test's own channel.
    const channel = `refusals-${Date.now()}`;
    const refused = async (args: Dict, field: string) => {
      const answer = await bridgeCall('dispatch_async', { prompt: 'do it', channel, ...args });
      expect(answer, field).toEqual({ ok: false, error: expect.stringContaining(field) });
    };
    await refused({ permission_mode: 'yolo' }, 'permission_mode');
    await refused({ cwd: '/etc' }, 'cwd');
    await refused({ cwd: 'relative/dir' }, 'cwd');
    await refused({ channel: 'c'.repeat(1001) }, 'channel');
    await refused({ timeout_seconds: 0 }, 'timeout_seconds');
    await refused({ notify_url: 'ftp://example.com/x' }, 'notify_url');
    await refused({ notify_url: `${receiver.url}/x`, notify_on: ['sometimes'] }, 'notify_on');
    await refused({ prompt: 'x'.repeat(600 * 1024) }, 'prompt');

    const sched = (args: Dict) => bridgeCall('schedule_dispatch', { prompt: 'p', channel, interval_seconds: 60, ...args });
    expect(await sched({ interval_seconds: 5 })).toEqual({ ok: false, error: expect.stringContaining('interval_seconds') });
    expect(await sched({ until: 'next tuesday' })).toEqual({ ok: false, error: expect.stringContaining('until') });
    expect(await sched({ until: '2020-01-01T00:00:00', until_seconds: 60 })).toEqual({ ok: false, error: expect.stringContaining('until') });
    expect(await sched({ notify_url: `${receiver.url}/s`, notify_on: ['done'] })).toEqual({ ok: false, error: expect.stringContaining('notify_on') });
    expect(await sched({ notify_headers: { 'X-A': 'b' } })).toEqual({ ok: false, error: expect.stringContaining('notify_headers') });
    expect(await sched({ after_schedule_id: 'sched_missing' })).toEqual({ ok: false, error: expect.stringContaining('after_schedule_id') });
    expect(((await bridgeCall('list_jobs')).jobs as Dict[]).filter((job) => job.channel === channel)).toEqual([]);
    expect(((await bridgeCall('list_schedules')).schedules as Dict[]).filter((schedule) => schedule.channel === channel)).toEqual([]);
  });

  it('a value of the wrong type, or an unknown argument, is a tool error naming the field (as pydantic refuses it in claude-bridge)', async () => {
    expect(await toolError(bridge.client, 'dispatch_async', { prompt: 5 })).toContain('prompt');
    expect(await toolError(real.client, 'dispatch_async', { prompt: 5 })).toContain('prompt');
    expect(await toolError(bridge.client, 'wait_dispatch', { job_id: 'run_x', max_wait_seconds: 'abc' })).toContain('max_wait_seconds');
    expect(await toolError(bridge.client, 'list_events', { notable_only: 'yes' })).toContain('notable_only');
    expect(await toolError(bridge.client, 'dispatch_async', { prompt: 'p', bogus: 1 })).toContain('bogus');
    expect(await toolError(bridge.client, 'get_dispatch', { job_id: 'run_\u0000' })).toContain('job_id');
  });
});
