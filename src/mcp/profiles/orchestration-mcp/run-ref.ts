// orchestration-mcp names a run by run_id or by agent_name (optionally within a cwd). In Baton an
// agent name is a run's nickname (its inbox says which run holds it), a channel's name (its newest
// run), or a run id itself (runSummary gives a run without a nickname its id as agent_name).
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../../../client/errors.js';
import { listRuns } from '../../../client/run-list.js';
import { readWorkflowInput } from '../../../client/run-input.js';
import type { RunWorkflowInput } from '../../../domain/run-spec.js';
import type { RunsClient } from '../../../client/runs.js';
import { agentHolder } from '../../../client/agents.js';
import { AGENT_NAME_PATTERN, AGENT_NAME_RULE } from '../../../domain/agent-inbox.js';
import { channelWorkflowId } from '../../../domain/channel.js';
import { runIdArg } from '../../tools/shared.js';

const RUN_PREFIX = 'run_';

export const runRefShape = {
  run_id: runIdArg.nullable().optional().describe('The run (run_...). Give run_id or agent_name.'),
  agent_name: z.string().min(1).max(200).nullable().optional().describe("The agent's name (spawn_run's nickname, a channel's name, or a run id): its current or latest run."),
  cwd: z.string().min(1).max(4096).nullable().optional().describe('With agent_name: the run must work in this directory.'),
};

export interface RunRef {
  run_id?: string | null | undefined;
  agent_name?: string | null | undefined;
  cwd?: string | null | undefined;
}

/** The run a reference names; refusals say which field to change. */
export async function resolveRunRef(runs: RunsClient, ref: RunRef): Promise<string> {
  // orchestration-mcp trims what it is given (its normalizeAgentNameInput).
  const given = ref.run_id?.trim();
  if (given) return given;
  const name = ref.agent_name?.trim();
  if (!name) throw new InputError("run_id or agent_name is required: give the run's id (run_...) or its agent name");
  const runId = await runOfName(runs, name);
  if (!runId) throw new InputError(`agent_name "${name}" names no run: spawn_run with nickname "${name}" first, or give run_id`);
  if (ref.cwd) {
    const view = await runs.get(runId);
    if (!sameDir(ref.cwd, view.cwd)) throw new InputError(`agent_name "${name}" is run ${runId}, which works in ${view.cwd}, not in cwd ${ref.cwd}: fix cwd or leave it out`);
  }
  return runId;
}

async function runOfName(runs: RunsClient, name: string): Promise<string | null> {
  const isName = AGENT_NAME_PATTERN.test(name);
  if (!isName && !name.startsWith(RUN_PREFIX)) throw new InputError(`agent_name must be ${AGENT_NAME_RULE}, or a run id (got ${JSON.stringify(name.slice(0, 80))})`);
  const holder = isName ? await agentHolder(runs.client, name) : null;
  if (holder && !holder.startsWith(channelWorkflowId(''))) return holder;
  // A run without a nickname goes by its id.
  if (name.startsWith(RUN_PREFIX)) return name;
  // A channel's name: its newest run.
  const page = await listRuns(runs.client, { channel: name }, 1, null, runs.options.secretKey);
  return page.runs[0]?.run_id ?? null;
}

/** A run's nickname (spawn_run's), from its input: Baton's run view does not carry it. */
export async function nicknameOf(runs: RunsClient, runId: string): Promise<string | null> {
  const input = await readWorkflowInput<RunWorkflowInput>(runs.client, runId);
  return input?.spec?.nickname ?? null;
}

/**
 * Whether a directory a caller names is a run's (stored resolved, symlinks followed): as given,
 * resolved, or with its symlinks followed when it exists. A filter, so it need not be allowed.
 */
export function sameDir(given: string, stored: string): boolean {
  const resolved = path.resolve(given);
  if (resolved === stored || given === stored) return true;
  try {
    return realpathSync(resolved) === stored;
  } catch {
    return false;
  }
}
