// Reading a run without a worker: the RunView the workflow keeps in its memo, corrected by what
// Temporal itself knows (a terminated workflow never wrote its final view).
import type { WorkflowExecutionDescription, WorkflowExecutionStatusName } from '@temporalio/client';
import { VIEW_MEMO_KEY } from '../domain/memo.js';
import { cutHead } from '../domain/text.js';
import type { RunView } from '../domain/run-view.js';
import type { RunStatus } from '../domain/vocabulary.js';
import { isFinalStatus } from '../domain/vocabulary.js';

const CLOSED_STATUS: Partial<Record<WorkflowExecutionStatusName, { status: RunStatus; error: string | null }>> = {
  COMPLETED: { status: 'completed', error: null },
  FAILED: { status: 'failed', error: 'the workflow failed' },
  CANCELLED: { status: 'cancelled', error: 'cancelled' },
  TERMINATED: { status: 'cancelled', error: 'terminated through Temporal (no cleanup ran)' },
  TIMED_OUT: { status: 'timed_out', error: 'the workflow hit a Temporal execution timeout' },
};

export function viewFromMemo(memo: Record<string, unknown> | undefined): RunView | null {
  const view = memo?.[VIEW_MEMO_KEY];
  return view && typeof view === 'object' ? (view as RunView) : null;
}

/** The memo's view, made consistent with the execution's Temporal state. */
export function viewFromExecution(info: { status: { name: WorkflowExecutionStatusName }; memo?: Record<string, unknown>; closeTime?: Date | undefined }): RunView | null {
  const view = viewFromMemo(info.memo);
  if (!view) return null;
  const closed = CLOSED_STATUS[info.status.name];
  if (!closed) return withLiveElapsed(view);
  if (isFinalStatus(view.status)) return view;
  const finishedAt = (info.closeTime ?? new Date()).toISOString();
  return {
    ...view,
    status: closed.status,
    finished_at: finishedAt,
    error: view.error ?? closed.error,
    elapsed_ms: view.started_at ? Date.parse(finishedAt) - Date.parse(view.started_at) : null,
  };
}

/**
 * A running run's elapsed time as of now. The workflow's own figure (its status query, its memo)
 * is taken at its last workflow task, so for a silent agent it stands still until the next event;
 * a closed run keeps the workflow's figure.
 */
export function withLiveElapsed(view: RunView, now: Date = new Date()): RunView {
  if (isFinalStatus(view.status) || !view.started_at) return view;
  return { ...view, elapsed_ms: Math.max(view.elapsed_ms ?? 0, now.getTime() - Date.parse(view.started_at)) };
}

export function isOpen(description: Pick<WorkflowExecutionDescription, 'status'>): boolean {
  return description.status.name === 'RUNNING';
}

/** In lists, a finished run's output is cut to this many characters (get_run has it whole). */
export const RESULT_PREVIEW_IN_LISTS = 500;

export function previewResult(view: RunView): RunView {
  if (!view.result || view.result.output.length <= RESULT_PREVIEW_IN_LISTS) return view;
  return { ...view, result: { ...view.result, output: cutHead(view.result.output, RESULT_PREVIEW_IN_LISTS), output_truncated: true } };
}
