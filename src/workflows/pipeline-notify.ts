// A pipeline's notification at its end (wired to the webhook child workflow).
import type { PipelineInput, PipelineView } from '../domain/pipeline.js';

export async function notifyPipelineEnded(_input: PipelineInput, _view: PipelineView): Promise<void> {
  // Filled in with the webhook child workflow.
}
