// Before a worker launches an agent it checks the spec it was handed, since a workflow's input
// is whatever the starter put there: anyone who can reach Temporal can start an agentRun. A spec
// launches only when a holder of Baton's key made it for this very workflow (its MAC,
// src/secrets/launch-mac.ts) and when it still passes every check spawn_run makes (schema,
// backend options, allowed roots): a directory may have become a symlink out of the roots since
// the run, or its schedule, was made. An answer to a remote agent is checked the same way.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { InputMessage } from '../domain/input-message.js';
import type { PipelineInput } from '../domain/pipeline.js';
import type { RunSpec } from '../domain/run-spec.js';
import { recheckRunSpec } from '../client/run-request.js';
import { readWorkflowInput } from '../client/run-input.js';
import { quote } from '../client/run-list.js';
import { errorText } from '../error-text.js';
import { answerAuthority, answerMessage, canonical, launchAuthority, type SignedAnswer } from '../secrets/launch-mac.js';
import { LaunchError } from './launch-error.js';

/** Marker files in the data dir: when the first worker of a release ran on it. */
export const SIGNING_MARKER = 'launch-signing-since';
export const BINDING_MARKER = 'launch-binding-since';

export interface LaunchGuardDeps {
  client: Client;
  secretKey: Buffer;
  allowedRoots: readonly string[];
  /** Where pipelines' worktrees live (a pipeline step's cwd may be one). */
  worktreesDir: string;
  /** Work that began before this time may launch unsigned specs (release 0.1.0 made no MACs). */
  signingSince: Date;
  /**
   * Work that began before this time may launch v1 MACs, which name no workflow id, and unsigned
   * answers (release 0.2.0 made both).
   */
  bindingSince: Date;
}

export interface LaunchTarget {
  workflowId: string;
  runId: string | undefined;
  spec: RunSpec;
  /** What this launch sends the agent: the spec's own input, or an answer (continue_run). */
  input: SignedAnswer;
}

export interface CheckedLaunch {
  /** The real cwd to launch in. */
  cwd: string;
  /** The input to send, without its MAC. */
  input: InputMessage;
}

/** Throws LaunchError (the run fails, saying why) unless the spec and input may launch an agent on this host. */
export async function checkLaunch(deps: LaunchGuardDeps, target: LaunchTarget): Promise<CheckedLaunch> {
  const { spec } = target;
  const authority = launchAuthority(spec, deps.secretKey);
  const refuse = (why: string) => new LaunchError(`run ${target.workflowId} was not started by Baton, so no agent is launched for it: ${why}`);
  const roots = [...deps.allowedRoots];
  let described: Described | null = null;
  const execution = async () => (described ??= await describeChain(deps.client, target.workflowId, target.runId));
  const old = async (since: Date) => beganBefore(deps, await execution(), since);
  switch (authority.scope) {
    case 'run':
      if (!authority.madeFor(target.workflowId)) {
        throw refuse(
          `its spec does not carry a valid MAC of this BATON_SECRET_KEY for this run (made for another run id and replayed under this one, changed since it was made, forged, or made with another key)`,
        );
      }
      if (await reusesId(deps.client, await execution())) throw refuse(REUSED);
      break;
    case 'schedule': {
      const by = await firedBy(deps.client, await execution());
      if (by !== authority.schedule_id) {
        throw refuse(
          `its spec was made for the runs of schedule ${authority.schedule_id}, but ${by ? `schedule ${by} fired this run` : 'no schedule fired this run (or the schedule is gone and can no longer vouch for it)'}`,
        );
      }
      break;
    }
    case 'forged':
      throw refuse('its spec does not carry a valid MAC of this BATON_SECRET_KEY (forged, changed since it was made, or made with another key)');
    case 'pipeline': {
      const parent = (await execution()).current.parentExecution;
      const pipeline = parent?.workflowId === authority.pipeline_id ? await readWorkflowInput<PipelineInput>(deps.client, parent.workflowId, parent.runId ?? undefined) : null;
      if (spec.parent !== authority.pipeline_id || !pipeline || pipeline.pipeline_id !== authority.pipeline_id || !authority.holdsForGoal(pipeline.goal)) {
        throw refuse(`its spec is a step of pipeline ${authority.pipeline_id}, but the run is not a child of that pipeline`);
      }
      if (await reusesId(deps.client, await describeChain(deps.client, authority.pipeline_id, parent?.runId ?? undefined))) {
        throw refuse(`its pipeline ${authority.pipeline_id} was started again under the id of a pipeline that had closed, which Baton never does`);
      }
      if (authority.version === 'v1' && !(await old(deps.bindingSince))) throw refuse(unboundWhy(deps.bindingSince));
      roots.push(path.join(deps.worktreesDir, authority.pipeline_id));
      break;
    }
    case 'unbound':
      if (!(await old(deps.bindingSince))) throw refuse(unboundWhy(deps.bindingSince));
      break;
    case 'unsigned':
      if (!(await old(deps.signingSince))) {
        throw refuse(`its spec carries no MAC; only work begun before ${deps.signingSince.toISOString()} (by a release that signed nothing) may still launch without one`);
      }
      break;
  }
  const input = answerMessage(target.input);
  // The spec's own input is covered by its MAC; anything else is an answer, which needs its own.
  if (canonical(target.input) !== canonical(spec.input)) {
    const answer = answerAuthority(target.workflowId, target.input, deps.secretKey);
    if (answer === 'forged' || (answer === 'unsigned' && !(await old(deps.bindingSince)))) {
      throw new LaunchError(
        `run ${target.workflowId} was sent an answer that Baton did not send (${answer === 'forged' ? 'its MAC does not hold for this run and message' : 'it carries no MAC'}), so no agent is launched with it: answer through continue_run`,
      );
    }
  }
  try {
    return { cwd: await recheckRunSpec(spec, roots), input };
  } catch (err) {
    throw new LaunchError(`run ${target.workflowId} cannot launch its agent: ${errorText(err)}`);
  }
}

const REUSED = 'its workflow id belonged to a run that had closed, and was started again (a signed spec replayed under its own id), which Baton never does';

/**
 * Whether an earlier chain of executions had this workflow id: Baton never starts a workflow
 * under a closed one's id (spawn_run rejects duplicates, channels and pipelines make new ids), but
 * a raw start may choose to reuse it. Visibility keeps closed runs for the namespace's retention.
 */
export async function reusesId(client: Client, { first }: Described): Promise<boolean> {
  // A chain whose first run is no longer kept: its own earlier segments would look like another's.
  if (!first) return false;
  const query = `WorkflowId = ${quote(first.workflowId)} AND StartTime < ${quote(first.startTime.toISOString())}`;
  for await (const _earlier of client.workflow.list({ query, pageSize: 1 })) return true;
  return false;
}

function unboundWhy(since: Date): string {
  return `its spec carries a MAC of release 0.2.0, which names no run; only work begun before ${since.toISOString()} may still launch with one`;
}

export interface Described {
  current: WorkflowExecutionDescription;
  /** The first run of its chain (continue-as-new keeps the workflow id, not the run); null once Temporal no longer keeps it. */
  first: WorkflowExecutionDescription | null;
  firstRunId: string;
}

export async function describeChain(client: Client, workflowId: string, runId: string | undefined): Promise<Described> {
  const current = await client.workflow.getHandle(workflowId, runId).describe();
  const firstRunId = current.raw.workflowExecutionInfo?.firstRunId || current.runId;
  if (firstRunId === current.runId) return { current, first: current, firstRunId };
  const first = await client.workflow
    .getHandle(workflowId, firstRunId)
    .describe()
    .catch(() => null);
  return { current, first, firstRunId };
}

/** How long the guard waits for a schedule to record a run it just started. */
const SCHEDULE_RECORD_WAIT_MS = 3000;

/**
 * The schedule that fired this run, as that schedule records it (its running and recent actions
 * name the run's workflow id and the first run of its chain). `TemporalScheduledById` says which
 * schedule to ask, but is no proof by itself: a raw start may set it.
 */
export async function firedBy(client: Client, { current, first, firstRunId }: Described): Promise<string | null> {
  const named = [current, first].map((e) => e?.searchAttributes?.TemporalScheduledById?.[0]).find((id) => typeof id === 'string');
  if (typeof named !== 'string') return null;
  const deadline = Date.now() + SCHEDULE_RECORD_WAIT_MS;
  for (;;) {
    const schedule = await client.schedule
      .getHandle(named)
      .describe()
      .catch(() => null);
    if (!schedule) return null;
    const actions = [...schedule.info.runningActions, ...schedule.info.recentActions.map((r) => r.action)];
    if (actions.some((a) => a.workflow.workflowId === current.workflowId && a.workflow.firstExecutionRunId === firstRunId)) return named;
    // The schedule records a run just after it starts it.
    if (Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Whether the work this run belongs to began before `since`: the run itself (the first run of its
 * chain), the pipeline whose step it is, or the schedule that fired it (made, and last changed,
 * before then). Start and creation times are the server's, so a forged start cannot date itself back.
 */
export async function beganBefore(deps: Pick<LaunchGuardDeps, 'client'>, described: Described, since: Date): Promise<boolean> {
  if ((described.first ?? described.current).startTime < since) return true;
  const parent = described.current.parentExecution;
  if (parent?.workflowId && (await deps.client.workflow.getHandle(parent.workflowId, parent.runId ?? undefined).describe()).startTime < since) return true;
  const scheduleId = await firedBy(deps.client, described);
  if (scheduleId) {
    const schedule = await deps.client.schedule
      .getHandle(scheduleId)
      .describe()
      .catch(() => null);
    // An old schedule whose action someone changed since is not the old release's work any more.
    const { createdAt, lastUpdatedAt } = schedule?.info ?? {};
    if (createdAt && createdAt < since && (!lastUpdatedAt || lastUpdatedAt < since)) return true;
  }
  return false;
}

/** When the first worker of a release ran on this data dir (the marker `name`): written once, by that worker. */
export async function loadMarkerTime(dataDir: string, name: string): Promise<Date> {
  const file = path.join(dataDir, name);
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
