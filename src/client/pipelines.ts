// Pipelines from the client's side: spawn (every role checked like a run), read, approve, cancel.
import { createHash } from 'node:crypto';
import { byPlanOrder, stepLabel } from '../domain/step-label.js';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { execa } from 'execa';
import { ulid } from 'ulid';
import { ARGS_HASH_MEMO_KEY, ORIGIN_MEMO_KEY, VIEW_MEMO_KEY } from '../domain/memo.js';
import type { PipelineInput, PipelineView, PlanDecision, RoleSpec } from '../domain/pipeline.js';
import { FINAL_PIPELINE_STATUSES } from '../domain/pipeline.js';
import type { SpawnPipelineArgs } from '../domain/pipeline-input.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import { notifyOf, spawnRunInputSchema } from '../domain/spawn-input.js';
import { firstLine } from '../domain/text.js';
import { ROLES, type Role } from '../domain/vocabulary.js';
import { cancelSignal } from '../workflows/messages.js';
import { approvePlanUpdate, pipelineStatusQuery } from '../workflows/pipeline-messages.js';
import { checkCwd } from './cwd.js';
import { InputError } from './errors.js';
import { argumentsHash } from './run-ids.js';
import { resolveRunSpec, sealedNotify } from './run-request.js';
import { signRoleSpec } from '../secrets/launch-mac.js';
import type { RunsClient } from './runs.js';
import { waitForClose } from './wait-close.js';

export async function spawnPipeline(runs: RunsClient, args: SpawnPipelineArgs): Promise<{ pipeline_id: string; created: boolean; view: PipelineView }> {
  const { idempotency_key: key, ...rest } = args;
  const argsHash = argumentsHash(rest, runs.options.secretKey);
  const pipelineId = key ? `pipe_${createHash('sha256').update(key).digest('hex').slice(0, 26)}` : `pipe_${ulid()}`;
  const cwd = await checkCwd(args.cwd, runs.options.allowedRoots);
  if (args.isolation === 'worktree') await checkCleanRepository(cwd);
  const roles = {} as Record<Role, RoleSpec>;
  for (const role of ROLES) roles[role] = await roleSpec(runs, role, args, cwd, pipelineId);
  const input: PipelineInput = {
    pipeline_id: pipelineId,
    created_at: new Date().toISOString(),
    goal: args.goal,
    cwd,
    roles,
    max_rounds: args.max_rounds,
    parallelism: args.parallelism,
    require_plan_approval: args.require_plan_approval,
    isolation: args.isolation,
    task_queue: runs.options.taskQueue,
    timings: runs.options.timings,
    notify: sealedNotify(notifyOf(args), runs.options.secretKey, pipelineId),
    args_hash: argsHash.value,
  };
  try {
    await runs.client.workflow.start('pipeline', {
      workflowId: pipelineId,
      taskQueue: runs.options.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: searchAttributeKeys.kind, value: 'pipeline' },
        { key: searchAttributeKeys.status, value: 'planning' },
        { key: searchAttributeKeys.backend, value: roles.worker.backend },
      ],
      memo: { [ARGS_HASH_MEMO_KEY]: argsHash.value, ...(runs.options.origin ? { [ORIGIN_MEMO_KEY]: runs.options.origin } : {}) },
      staticSummary: `pipeline: ${firstLine(args.goal, 110)}`,
      staticDetails: `${args.isolation === 'worktree' ? 'worktrees' : 'shared cwd'} in \`${cwd}\`, up to ${args.max_rounds} round(s), ${args.parallelism} worker(s) at once\n\n${firstLine(args.goal, 2000)}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const description = await runs.client.workflow.getHandle(pipelineId).describe();
  if (key && !argsHash.matches(description.memo?.[ARGS_HASH_MEMO_KEY])) {
    throw new InputError(`idempotency_key "${key}" was already used for pipeline ${pipelineId} with different arguments: use a new key`);
  }
  return { pipeline_id: pipelineId, created: true, view: await getPipeline(runs, pipelineId) };
}

/** A role is checked like a run of its own: backend options, profile, secrets sealed. */
async function roleSpec(runs: RunsClient, role: Role, args: SpawnPipelineArgs, cwd: string, pipelineId: string): Promise<RoleSpec> {
  const settings = args[role] ?? args.worker;
  const parsed = spawnRunInputSchema.safeParse({ prompt: `(${role} of a pipeline)`, cwd, role, ...settings });
  if (!parsed.success) {
    throw new InputError(parsed.error.issues.map((i) => `${[role, ...i.path.map(String)].join('.')}: ${i.message}`).join('; '));
  }
  const spec = await resolveRunSpec(
    { client: runs.client, allowedRoots: runs.options.allowedRoots, secretKey: runs.options.secretKey, sealScope: pipelineId, binding: { run: pipelineId } },
    parsed.data,
  );
  const { input: _input, role: _role, output_schema: _schema, parent: _parent, channel: _channel, ...roleSettings } = spec;
  return signRoleSpec(roleSettings, { pipeline_id: pipelineId, goal: args.goal }, runs.options.secretKey);
}

async function checkCleanRepository(cwd: string): Promise<void> {
  const status = await execa('git', ['status', '--porcelain'], { cwd, reject: false });
  if (status.exitCode !== 0) throw new InputError(`isolation "worktree" needs cwd ${cwd} to be inside a git repository`);
  if (String(status.stdout).trim() !== '') {
    throw new InputError(`isolation "worktree" needs a clean working tree in ${cwd} (workers' branches are merged back into it): commit or stash first`);
  }
}

/** The pipeline's view; steps that are still running get their live status and cost. */
export async function getPipeline(runs: RunsClient, pipelineId: string): Promise<PipelineView> {
  const handle = runs.client.workflow.getHandle(pipelineId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw noSuchPipeline(pipelineId);
    throw err;
  }
  let view: PipelineView | null = null;
  if (description.status.name === 'RUNNING') {
    view = await runs.client.withDeadline(Date.now() + 3000, () => handle.query(pipelineStatusQuery)).catch(() => null);
  }
  view ??= (description.memo?.[VIEW_MEMO_KEY] as PipelineView | undefined) ?? null;
  if (!view) throw noSuchPipeline(pipelineId);
  // Steps in plan order, each saying what it is (the workflow records them as they start).
  view.steps = view.steps.map((s) => ({ ...s, label: stepLabel(s.name, s.title, view.goal_preview) })).sort(byPlanOrder);
  for (const step of view.steps) {
    if (step.status !== 'running') continue;
    const live = await runs.get(step.run_id).catch(() => null);
    if (live) Object.assign(step, { status: live.status, cost_usd: live.cost_usd, elapsed_ms: live.elapsed_ms });
  }
  return view;
}

export async function waitPipeline(runs: RunsClient, pipelineId: string, maxWaitMs: number, signal?: AbortSignal): Promise<PipelineView> {
  const deadline = Date.now() + maxWaitMs;
  let view = await getPipeline(runs, pipelineId);
  while (!FINAL_PIPELINE_STATUSES.includes(view.status) && Date.now() < deadline && !signal?.aborted) {
    await waitForClose(runs.client, pipelineId, Math.min(2000, deadline - Date.now()), signal);
    view = await getPipeline(runs, pipelineId);
  }
  return view;
}

export async function approvePlan(runs: RunsClient, pipelineId: string, decision: PlanDecision): Promise<PipelineView> {
  try {
    return await runs.client.workflow.getHandle(pipelineId).executeUpdate(approvePlanUpdate, { args: [decision] });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      const view = await getPipeline(runs, pipelineId);
      throw new InputError(`pipeline ${pipelineId} is not waiting for plan approval (it is ${view.status})`);
    }
    if (err instanceof WorkflowUpdateFailedError) throw new InputError(err.cause?.message ?? err.message);
    throw err;
  }
}

export async function cancelPipeline(runs: RunsClient, pipelineId: string, reason: string, waitMs: number): Promise<{ view: PipelineView; already_finished: boolean }> {
  const view = await getPipeline(runs, pipelineId);
  if (FINAL_PIPELINE_STATUSES.includes(view.status)) return { view, already_finished: true };
  const handle = runs.client.workflow.getHandle(pipelineId);
  await handle.signal(cancelSignal, reason).catch(() => undefined);
  await handle.cancel().catch(() => undefined);
  return { view: await waitPipeline(runs, pipelineId, waitMs), already_finished: false };
}

function noSuchPipeline(id: string): InputError {
  return new InputError(`no pipeline with id "${id}": check the pipeline_id (spawn_pipeline returned it)`);
}
