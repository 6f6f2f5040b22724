// The recorded histories of a release (test/fixtures/histories/<version>/): what its workflows
// left in Temporal, for the replay tests.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Release } from '../helpers/releases.js';

export interface RecordedHistory extends HistoryAndWorkflowId {
  release: string;
  /** `<version>/<file>`, which names the history in every failure. */
  name: string;
  workflowType: string;
}

/** index.json: each history file's workflow id, which replay needs (child ids are made from it). */
type HistoryIndex = Record<string, { workflow_id: string; run_id: string }>;

export function historiesOf(release: Release): RecordedHistory[] {
  const index = JSON.parse(readFileSync(path.join(release.dir, 'index.json'), 'utf8')) as HistoryIndex;
  return Object.keys(index)
    .sort()
    .map((file) => {
      const history = historyFromJSON(JSON.parse(readFileSync(path.join(release.dir, file), 'utf8')));
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      return { release: release.version, name: `${release.version}/${file}`, workflowId: index[file].workflow_id, history, workflowType: started?.workflowType?.name ?? '' };
    });
}

/** The history files of a release that index.json leaves out: each must be listed to be replayed. */
export function unindexedFiles(release: Release): string[] {
  const index = JSON.parse(readFileSync(path.join(release.dir, 'index.json'), 'utf8')) as HistoryIndex;
  return readdirSync(release.dir).filter((file) => file.endsWith('.json') && !['release.json', 'index.json'].includes(file) && !(file in index));
}
