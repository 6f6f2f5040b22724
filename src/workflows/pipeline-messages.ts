// The pipeline workflow's query and update (imported by the client too).
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PipelineView, PlanDecision } from '../domain/pipeline.js';

export const pipelineStatusQuery = defineQuery<PipelineView>('pipelineStatus');

/** The approval gate: approve the plan (optionally edited) or reject it. */
export const approvePlanUpdate = defineUpdate<PipelineView, [PlanDecision]>('approvePlan');
