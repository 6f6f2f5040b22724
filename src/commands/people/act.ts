// `baton cancel`, `baton approve`, `baton continue`: the same arguments, schemas and client calls
// as cancel_run, approve_plan and continue_run.
import { Command, InvalidArgumentError, Option } from 'commander';
import { cancelAny } from '../../client/cancel.js';
import { continueRun } from '../../client/continue-run.js';
import { approvePlan } from '../../client/pipelines.js';
import { STRUCTURED_OUTPUT_BYTES } from '../../domain/sizes.js';
import { cancelRunTool } from '../../mcp/tools/cancel-tools.js';
import { approvePlanTool } from '../../mcp/tools/pipeline-tools.js';
import { continueInput } from '../../mcp/tools/session-tools.js';
import { withSession } from './connect.js';
import { checkArgs, translate, wholeNumber } from './errors.js';
import { colour, out, printJson, statusText } from './format.js';
import { readJsonArg } from './json-arg.js';

export function cancelCommand(): Command {
  const names = { run_id: '<id>', reason: '--reason', wait_seconds: '--wait-seconds' };
  return new Command('cancel')
    .description("cancel a run (its agent's whole process tree), a pipeline (pipe_...) or a schedule (sched_...); safe to repeat")
    .argument('<id>', 'a run, pipeline or schedule id')
    .option('--reason <text>', "why; recorded in the run's events and error")
    .option('--wait-seconds <n>', 'how long to wait for it to end (default 10, at most 55)', wholeNumber('--wait-seconds'))
    .option('--json', 'print the outcome as JSON')
    .action(async (id: string, opts: { reason?: string; waitSeconds?: number; json?: boolean }) => {
      const args = checkArgs(cancelRunTool.inputSchema, { run_id: id, reason: opts.reason, wait_seconds: opts.waitSeconds }, names);
      const outcome = await withSession(({ runs }) => cancelAny(runs, args.run_id, args.reason ?? 'cancelled by baton cancel', args.wait_seconds * 1000)).catch((err: unknown) => {
        throw translate(err, names);
      });
      if (opts.json) return printJson(outcome);
      out(`${outcome.run_id} ${statusText(outcome.status)}${outcome.already_finished ? colour.dim(' (had already finished: left as it was)') : ''}`);
    });
}

const STEPS_EXAMPLE = `'[{"title": "Parser tests", "instructions": "Add tests for the parser"}]'`;

/** --steps: the plan's steps as a JSON array, or as the planner writes them ({"steps": [...]}), inline or @file. */
function stepsArg(value: string): unknown[] {
  const parsed = readJsonArg(value, {
    option: '--steps',
    limit: STRUCTURED_OUTPUT_BYTES,
    advice: "shorten the instructions, or put the details in files under the pipeline's cwd and refer to them",
    example: STEPS_EXAMPLE.slice(1, -1),
  });
  if (Array.isArray(parsed)) return parsed;
  const inner = parsed && typeof parsed === 'object' ? (parsed as { steps?: unknown }).steps : undefined;
  if (Array.isArray(inner) && Object.keys(parsed as object).length === 1) return inner;
  throw new InvalidArgumentError(`--steps takes a JSON array of {"title", "instructions"} (or @file holding one), e.g. ${STEPS_EXAMPLE}`);
}

export function approveCommand(): Command {
  const names = { pipeline_id: '<pipeline_id>', decision: '--reject', reason: '--reason', steps: '--steps' };
  return new Command('approve')
    .description('approve the plan of a pipeline waiting at awaiting_approval, or --reject it (which ends the pipeline)')
    .argument('<pipeline_id>', 'the pipeline (pipe_...)')
    .option('--reject', 'reject the plan instead')
    .option('--reason <text>', 'why (with --reject)')
    .addOption(
      new Option('--steps <json|@file>', `approve with these steps instead of the planner's: a JSON array of {"title", "instructions"}, e.g. ${STEPS_EXAMPLE}`)
        .argParser(stepsArg)
        .conflicts('reject'),
    )
    .option('--json', 'print the pipeline as JSON')
    .action(async (pipelineId: string, opts: { reject?: boolean; reason?: string; steps?: unknown[]; json?: boolean }) => {
      const given = { pipeline_id: pipelineId, decision: opts.reject ? 'reject' : 'approve', reason: opts.reason, steps: opts.steps };
      const { pipeline_id, ...decision } = checkArgs(approvePlanTool.inputSchema, given, names);
      const view = await withSession(({ runs }) => approvePlan(runs, pipeline_id, decision)).catch((err: unknown) => {
        throw translate(err, names);
      });
      if (opts.json) return printJson(view);
      // The update answers before the pipeline moves on: say what was decided, not a stale status.
      const decided =
        decision.decision === 'reject'
          ? 'plan rejected: the pipeline ends'
          : decision.steps
            ? `plan approved with your ${decision.steps.length} step${decision.steps.length === 1 ? '' : 's'}: the workers start`
            : 'plan approved: the workers start';
      out(`${view.pipeline_id} ${decided} (see: baton show ${view.pipeline_id})`);
    });
}

export function continueCommand(): Command {
  const names = { run_id: '<run_id>', prompt: '<message>', timeout_seconds: '--timeout', idempotency_key: '--idempotency-key' };
  return new Command('continue')
    .description('follow up on a finished run (a new run on its session), or answer a run that is input_required')
    .argument('<run_id>', 'the run to continue')
    .argument('<message>', 'what to say to the agent')
    .option('--timeout <seconds>', 'end the follow-up as timed_out after this long', wholeNumber('--timeout'))
    .option('--idempotency-key <key>', 'the same key gets the same follow-up: safe to retry')
    .option('--json', 'print the outcome as JSON')
    .action(async (runId: string, message: string, opts: { timeout?: number; idempotencyKey?: string; json?: boolean }) => {
      const args = checkArgs(continueInput, { run_id: runId, prompt: message, timeout_seconds: opts.timeout, idempotency_key: opts.idempotencyKey }, names);
      const continued = await withSession(({ runs }) => continueRun(runs, args)).catch((err: unknown) => {
        throw translate(err, names);
      });
      if (opts.json) return printJson({ run_id: continued.run_id, parent_run_id: continued.parent_run_id, how: continued.how, status: continued.view.status, run: continued.view });
      out(
        `${continued.run_id} ${statusText(continued.view.status)} (${continued.how === 'answered' ? 'answered: the same run goes on' : continued.how === 'follow_up' ? `a follow-up of ${continued.parent_run_id}` : 'the next turn of its channel'})`,
      );
    });
}
