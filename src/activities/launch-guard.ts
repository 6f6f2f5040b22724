// Before a worker launches an agent it checks the spec it was handed, since a workflow's input
// is whatever the starter put there: anyone who can reach Temporal can start an agentRun. A spec
// launches only when a holder of Baton's key made it (its MAC, src/secrets/launch-mac.ts) and when
// it still passes every check spawn_run makes (schema, backend options, allowed roots): a
// directory may have become a symlink out of the roots since the run, or its schedule, was made.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { PipelineInput } from '../domain/pipeline.js';
import type { RunSpec } from '../domain/run-spec.js';
import { recheckRunSpec } from '../client/run-request.js';
import { readWorkflowInput } from '../client/run-input.js';
import { errorText } from '../error-text.js';
import { launchAuthority } from '../secrets/launch-mac.js';
import { LaunchError } from './launch-error.js';

export interface LaunchGuardDeps {
  client: Client;
  secretKey: Buffer;
  allowedRoots: readonly string[];
  /** Where pipelines' worktrees live (a pipeline step's cwd may be one). */
  worktreesDir: string;
  /** Work that began before this time may launch unsigned specs (release 0.1.0 made no MACs). */
  signingSince: Date;
}

export interface LaunchTarget {
  workflowId: string;
  runId: string | undefined;
  spec: RunSpec;
}

/** Throws LaunchError (the run fails, saying why) unless the spec may launch an agent on this host; returns the real cwd to launch in. */
export async function checkLaunch(deps: LaunchGuardDeps, target: LaunchTarget): Promise<string> {
  const { spec } = target;
  const authority = launchAuthority(spec, deps.secretKey);
  const refuse = (why: string) => new LaunchError(`run ${target.workflowId} was not started by Baton, so no agent is launched for it: ${why}`);
  const roots = [...deps.allowedRoots];
  switch (authority.scope) {
    case 'run':
      break;
    case 'forged':
      throw refuse('its spec does not carry a valid MAC of this BATON_SECRET_KEY (forged, changed since it was made, or made with another key)');
    case 'pipeline': {
      const parent = (await deps.client.workflow.getHandle(target.workflowId, target.runId).describe()).parentExecution;
      const pipeline = parent?.workflowId === authority.pipeline_id ? await readWorkflowInput<PipelineInput>(deps.client, parent.workflowId, parent.runId ?? undefined) : null;
      if (spec.parent !== authority.pipeline_id || !pipeline || pipeline.pipeline_id !== authority.pipeline_id || !authority.holdsForGoal(pipeline.goal)) {
        throw refuse(`its spec is a step of pipeline ${authority.pipeline_id}, but the run is not a child of that pipeline`);
      }
      roots.push(path.join(deps.worktreesDir, authority.pipeline_id));
      break;
    }
    case 'unsigned':
      if (!(await beganBefore(deps, target, deps.signingSince))) {
        throw refuse(`its spec carries no MAC; only work begun before ${deps.signingSince.toISOString()} (by a release that signed nothing) may still launch without one`);
      }
      break;
  }
  try {
    return await recheckRunSpec(spec, roots);
  } catch (err) {
    throw new LaunchError(`run ${target.workflowId} cannot launch its agent: ${errorText(err)}`);
  }
}

/**
 * Whether the work this run belongs to began before `since`: the run itself, the pipeline whose
 * step it is, or the schedule that fired it (made, and last changed, before then). Start and creation times are the server's, so a
 * forged start cannot date itself back.
 */
async function beganBefore(deps: LaunchGuardDeps, target: LaunchTarget, since: Date): Promise<boolean> {
  const description = await deps.client.workflow.getHandle(target.workflowId, target.runId).describe();
  if (description.startTime < since) return true;
  const parent = description.parentExecution;
  if (parent?.workflowId && (await deps.client.workflow.getHandle(parent.workflowId, parent.runId ?? undefined).describe()).startTime < since) return true;
  const scheduleId = description.searchAttributes?.TemporalScheduledById?.[0];
  if (typeof scheduleId === 'string') {
    const schedule = await deps.client.schedule.getHandle(scheduleId).describe().catch(() => null);
    // An old schedule whose action someone changed since is not the old release's work any more.
    const { createdAt, lastUpdatedAt } = schedule?.info ?? {};
    if (createdAt && createdAt < since && (!lastUpdatedAt || lastUpdatedAt < since)) return true;
  }
  return false;
}

/** The time this data dir's workers began signing-aware launches: written once, by the first such worker. */
export async function loadSigningSince(dataDir: string): Promise<Date> {
  const file = path.join(dataDir, 'launch-signing-since');
  const read = async () => {
    const text = await readFile(file, 'utf8').catch(() => null);
    const time = text ? new Date(text.trim()) : null;
    return time && !Number.isNaN(time.getTime()) ? time : null;
  };
  const existing = await read();
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // wx: two workers starting at once agree on the first one's time.
  await writeFile(file, new Date().toISOString(), { mode: 0o600, flag: 'wx' }).catch(() => undefined);
  return (await read()) ?? new Date();
}
