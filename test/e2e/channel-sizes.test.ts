// A channel's history within its byte budget however many large turns are queued while one runs,
// through a real MCP client and a real dev server. A channel continues as new only when idle, so
// before the budget every queued turn (its input twice: the update and its child's start) grew
// the history towards Temporal's 50 MB limit, where the channel and its queue are terminated.
import type { Client as TemporalClient } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_HISTORY_BYTES, channelWorkflowId } from '../../src/domain/channel.js';
import type { RunView } from '../../src/domain/run-view.js';
import { jsonBytes } from '../../src/domain/sizes.js';
import { fakeAgent, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';
import { temporalClient } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

let env: TestEnv;
let mcp: McpSession;
let temporal: TemporalClient;

beforeAll(async () => {
  env = await makeTestEnv();
  [mcp, temporal] = await Promise.all([connectStdio(env), temporalClient(env)]);
});

afterAll(async () => {
  await mcp?.close();
  await temporal?.connection.close();
  await env?.cleanup();
});

interface ChannelView {
  channel: string;
  active_run_id: string | null;
  queued_run_ids: string[];
}

describe('a channel with many large queued turns', () => {
  it('takes turns of 500 KB while one runs until its budget, then refuses one naming the channel, its bytes and the limit; nothing half-made', async () => {
    const channel = `big-${Date.now()}`;
    const turn = (prompt: string, ...flags: string[]) => ({ prompt, backend: 'command', cwd: env.workDir, backend_config: fakeAgent(...flags), channel });
    const active = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', turn('hold the lane', '--sleep-ms', '600000'));
    await waitFor(async () => (await callOk<RunView>(mcp.client, 'get_run', { run_id: active.run_id })).status === 'running', { what: 'the first turn to run' });

    const queued: string[] = [];
    try {
      let refusal: string | null = null;
      for (let i = 0; i < 40 && refusal === null; i++) {
        const answer = await mcp.client.callTool({ name: 'spawn_run', arguments: turn(`${i} ${'é'.repeat(250_000)}`) });
        if (answer.isError) refusal = (answer.content as { text: string }[])[0].text;
        else queued.push((answer.structuredContent as { run_id: string }).run_id);
      }
      // 20 turns of 500 KB fit; the budget (40 MiB of history) ends the queue some turns later.
      expect(queued.length).toBeGreaterThanOrEqual(20);
      expect(refusal).toMatch(new RegExp(`channel "${channel}" is full: its turns since it last started afresh \\(${queued.length} waiting\\) hold [\\d,]+ bytes of its history`));
      expect(refusal).toContain('over the limit of 41,943,040 bytes');

      // Nothing of the refused turn was made: the channel holds the turns it took, and no other run.
      const { channels } = await callOk<{ channels: ChannelView[] }>(mcp.client, 'list_channels', {});
      const view = channels.find((c) => c.channel === channel);
      const status = await temporal.workflow.getHandle(channelWorkflowId(channel)).query<ChannelView>('channelStatus');
      expect(status.active_run_id).toBe(active.run_id);
      expect(status.queued_run_ids).toEqual(queued);
      expect(jsonBytes(status)).toBeLessThan(16 * 1024);
      expect(view === undefined || jsonBytes(view) < 16 * 1024).toBe(true);
      await waitFor(async () => (await callOk<{ runs: RunView[] }>(mcp.client, 'list_runs', { channel, limit: 100 })).runs.length === queued.length + 1, {
        what: "list_runs to show the channel's runs",
      });
      const description = await temporal.workflow.getHandle(channelWorkflowId(channel)).describe();
      expect(description.historySize).toBeLessThan(CHANNEL_HISTORY_BYTES);
    } finally {
      // Waiting turns first, so none runs when the one holding the lane stops; no sleeper outlives a failure.
      for (const runId of queued) await callOk(mcp.client, 'cancel_run', { run_id: runId, wait_seconds: 0 });
      await callOk(mcp.client, 'cancel_run', { run_id: active.run_id, wait_seconds: 30 });
    }
  }, 300_000);
});
