// Cancelling by id, whatever the id names: a schedule (sched_...) is deleted, a pipeline (pipe_...)
// and every step it runs is cancelled, anything else is a run. cancel_run and `baton cancel` both
// call this, so the two cannot drift apart.
import type { PipelineView } from '../domain/pipeline.js';
import type { RunView } from '../domain/run-view.js';
import { isScheduleId } from '../domain/schedule.js';
import { cancelPipeline } from './pipelines.js';
import type { RunsClient } from './runs.js';
import { cancelSchedule } from './schedules.js';

export interface CancelOutcome {
  run_id: string;
  status: string;
  already_finished: boolean;
  run?: RunView;
  pipeline?: PipelineView;
}

export async function cancelAny(runs: RunsClient, id: string, reason: string, waitMs: number): Promise<CancelOutcome> {
  if (isScheduleId(id)) {
    const cancelled = await cancelSchedule(runs.client, id);
    return { run_id: id, status: cancelled.deleted ? 'deleted' : 'already_deleted', already_finished: !cancelled.deleted };
  }
  if (id.startsWith('pipe_')) {
    const cancelled = await cancelPipeline(runs, id, reason, waitMs);
    return { run_id: id, status: cancelled.view.status, already_finished: cancelled.already_finished, pipeline: cancelled.view };
  }
  const outcome = await runs.cancel(id, reason, waitMs);
  return { run_id: id, status: outcome.view.status, already_finished: outcome.already_finished, run: outcome.view };
}
