// Starting an agentRun workflow from validated spawn arguments: nothing is created unless every
// check passed, and an idempotency key maps repeated or racing calls onto one run.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ARGS_HASH_MEMO_KEY, VIEW_MEMO_KEY } from '../domain/memo.js';
import { RunLedger } from '../domain/run-ledger.js';
import type { RunTimings, RunWorkflowInput } from '../domain/run-spec.js';
import type { RunView } from '../domain/run-view.js';
import { searchAttributeKeys } from '../domain/search-attributes.js';
import { toRunSpec, type SpawnRunArgs } from '../domain/spawn-input.js';
import { messageHeadline } from '../domain/input-message.js';
import { firstLine } from '../domain/text.js';
import { checkCwd } from './cwd.js';
import { InputError } from './errors.js';
import { argumentsHash, idempotentRunId, newRunId } from './run-ids.js';

export interface StartRunOptions {
  taskQueue: string;
  allowedRoots: readonly string[];
  timings: RunTimings;
}

export interface StartedRun {
  run_id: string;
  /** False when an idempotency key found the run an earlier call started. */
  created: boolean;
  view: RunView;
}

export async function startRun(client: Client, options: StartRunOptions, args: SpawnRunArgs): Promise<StartedRun> {
  const cwd = await checkCwd(args.cwd, options.allowedRoots);
  const { idempotency_key: key, ...rest } = args;
  const argsHash = argumentsHash(rest);
  const runId = key ? idempotentRunId(key) : newRunId();
  const input: RunWorkflowInput = {
    run_id: runId,
    created_at: new Date().toISOString(),
    spec: toRunSpec(args, { cwd }),
    args_hash: argsHash,
    task_queue: options.taskQueue,
    timings: options.timings,
  };
  const view = new RunLedger(input).view(new Date());
  let created = true;
  try {
    await client.workflow.start('agentRun', {
      workflowId: runId,
      taskQueue: options.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A finished run keeps its id: the same key must not start it again.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: searchAttributeKeys.kind, value: 'run' },
        { key: searchAttributeKeys.role, value: input.spec.role },
        { key: searchAttributeKeys.backend, value: input.spec.backend },
        { key: searchAttributeKeys.status, value: 'queued' },
      ],
      memo: { [ARGS_HASH_MEMO_KEY]: argsHash, [VIEW_MEMO_KEY]: view },
      staticSummary: firstLine(messageHeadline(input.spec.input), 120) || '(no text)',
      staticDetails: describeSpec(input),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    created = false;
  }
  if (!key) return { run_id: runId, created, view };
  const existing = await client.workflow.getHandle(runId).describe();
  if (existing.memo?.[ARGS_HASH_MEMO_KEY] !== argsHash) {
    throw new InputError(
      `idempotency_key "${key}" was already used for run ${runId} with different arguments: send the same arguments to get that run, or use a new key`,
    );
  }
  const existingView = existing.memo?.[VIEW_MEMO_KEY] as RunView | undefined;
  const sameStart = existingView?.created_at === input.created_at;
  return { run_id: runId, created: created && sameStart, view: existingView ?? view };
}

/** Markdown for the Web UI's details panel: what was asked, where, how. */
function describeSpec(input: RunWorkflowInput): string {
  const s = input.spec;
  const rows = [
    `**${s.backend}** ${s.role} in \`${s.cwd}\``,
    s.model ? `model: ${s.model}` : null,
    s.permission_mode ? `permission mode: ${s.permission_mode}` : null,
    s.timeout_seconds ? `timeout: ${s.timeout_seconds} s` : null,
    s.session_id ? `session: ${s.session_mode} ${s.session_id}` : null,
    '',
    firstLine(messageHeadline(s.input), 2000),
  ];
  return rows.filter((r) => r !== null).join('\n');
}
