// Upgrades never break work in flight: the workflow bundle that `npm run build` makes (the one
// every worker runs) replays the recorded histories of every release without a nondeterminism
// error. A change to workflow code that an open workflow of an earlier release could not take
// fails here; docs/ARCHITECTURE.md ("Changing workflow code") says what to do instead.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/env.js';
import { installTemporalRuntime } from '../../src/log.js';
import { releases } from '../helpers/releases.js';
import { historiesOf, unindexedFiles } from './history-fixtures.js';

const BUNDLE = path.join(ROOT, 'dist', 'workflow-bundle.js');

installTemporalRuntime('WARN');

describe('the workflow bundle replays the histories of every release', () => {
  const all = releases();

  it('has histories of this release and the releases before it', () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(all.map((r) => r.version)).toContain(version);
    for (const release of all) expect(unindexedFiles(release), `history files of ${release.version} missing from its index.json`).toEqual([]);
  });

  it('has a history of every workflow type the worker runs, in the newest release', async () => {
    const workflowTypes = Object.keys(await import('../../src/workflows/index.js')).sort();
    const recorded = new Set(historiesOf(all.at(-1)!).map((h) => h.workflowType));
    expect(workflowTypes.filter((type) => !recorded.has(type))).toEqual([]);
  });

  for (const release of all) {
    it(`replays every history of ${release.version} with no nondeterminism`, { timeout: 120_000 }, async () => {
      const histories = historiesOf(release);
      expect(histories.length).toBeGreaterThan(0);
      const fileOf = new Map(histories.map((h) => [h.workflowId, h.name]));
      const failures: string[] = [];
      let replayed = 0;
      for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: BUNDLE }, replayName: `replay-${release.version}` }, histories)) {
        replayed += 1;
        if (result.error) failures.push(`${fileOf.get(result.workflowId)} (${result.workflowId}): ${result.error.name}: ${result.error.message}`);
      }
      expect(failures).toEqual([]);
      expect(replayed).toBe(histories.length);
    });
  }
});
