// The baselines' worker: runs in the bench process, on its own task queue, with the baseline
// workflows bundled at bench start (bundleWorkflowCode), so they share nothing with Baton's.
import path from 'node:path';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import * as activities from './activities.mjs';

export const BASELINE_QUEUE = 'bench-baseline';

const quiet = { info() {}, debug() {}, trace() {}, log() {}, warn: console.warn, error: console.error };

export async function startBaselineWorker(address) {
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(import.meta.dirname, 'workflows.mjs'),
    logger: quiet,
  });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: BASELINE_QUEUE,
    workflowBundle: { code },
    activities,
    maxConcurrentActivityTaskExecutions: 200,
    shutdownGraceTime: '1 second',
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
    },
  };
}
