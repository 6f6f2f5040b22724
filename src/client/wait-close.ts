// Waiting for a workflow to close, at most a while, without polling: Temporal's long-poll for
// the result, cut short by a timer or the caller's abort signal.
import type { Client } from '@temporalio/client';

/** How often a wait reports progress (and reads again the runs it waits on). */
export const PROGRESS_EVERY_MS = 2000;

export async function waitForClose(client: Client, workflowId: string, ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.withAbortSignal(controller.signal, () => client.workflow.getHandle(workflowId).result());
  } catch {
    // Closed in any state, or the wait was cut short: the caller reads the state either way.
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
