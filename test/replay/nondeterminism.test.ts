// The replay test is a real guard: a deliberately non-deterministic change to agentRun (a timer
// before it starts) fails the replay of a recorded history with a nondeterminism error, and the
// same change behind patched(), as docs/ARCHITECTURE.md prescribes, replays cleanly.
import path from 'node:path';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { releases } from '../helpers/releases.js';
import { historiesOf, type RecordedHistory } from './history-fixtures.js';

const quiet = { info() {}, debug() {}, trace() {}, warn() {}, error: console.error, log() {} };

async function bundle(file: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(import.meta.dirname, 'drifted', file), logger: quiet });
  return code;
}

async function replayErrors(code: string, histories: RecordedHistory[]): Promise<Error[]> {
  const errors: Error[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code }, replayName: 'drifted' }, histories)) {
    if (result.error) errors.push(result.error);
  }
  return errors;
}

let unguarded: string;
let guarded: string;
let agentRuns: RecordedHistory[];

beforeAll(async () => {
  // The failing workflow tasks below are the point: keep the SDK from printing each one.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } } });
  [unguarded, guarded] = await Promise.all([bundle('unguarded.ts'), bundle('guarded.ts')]);
  agentRuns = releases()
    .flatMap(historiesOf)
    .filter((h) => h.workflowType === 'agentRun');
}, 60_000);

describe('a change to workflow code', () => {
  it('fails the replay of every recorded agentRun with a nondeterminism error when it is not guarded', async () => {
    const errors = await replayErrors(unguarded, agentRuns);
    expect(errors).toHaveLength(agentRuns.length);
    for (const error of errors) {
      expect(error).toBeInstanceOf(DeterminismViolationError);
      expect(error.message).toContain('[TMPRL1100] Nondeterminism error');
    }
  });

  it('replays every recorded agentRun when patched() guards it', async () => {
    expect(agentRuns.length).toBeGreaterThan(10);
    expect(await replayErrors(guarded, agentRuns)).toEqual([]);
  });
});
