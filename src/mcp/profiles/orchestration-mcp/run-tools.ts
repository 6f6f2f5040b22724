// orchestration-mcp's run tools over Baton's client calls (docs/orchestration-mcp.md): get_run,
// poll_events, cancel_run, continue_run, list_runs and get_event_artifact take a run by run_id or
// agent_name (+ cwd) and answer orchestration-mcp's keys beside Baton's. The calls underneath are
// Baton's tools' own (runs.get, runs.events, cancelAny, continueRun, listRuns), with their checks.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { cancelAny } from '../../../client/cancel.js';
import { continueRun } from '../../../client/continue-run.js';
import { InputError } from '../../../client/errors.js';
import { readEventsOfTypes } from '../../../client/event-filter.js';
import { listRuns } from '../../../client/run-list.js';
import { previewResult } from '../../../client/run-views.js';
import { describeIssues } from '../../input-issues.js';
import { strictObject } from '../../../domain/spawn-input.js';
import type { ToolContext } from '../../context.js';
import { guarded, structured } from '../../tool-result.js';
import { pollEventsTool } from '../../tools/read-tools.js';
import { listRunsTool } from '../../tools/list-tools.js';
import { continueInput, continueRunOutput, continueShape } from '../../tools/session-tools.js';
import { READ_ONLY } from '../../tools/shared.js';
import { findCutValue, MAX_ARTIFACT_PAGE, pageOf } from './artifact.js';
import { nicknameOf, resolveRunRef, runRefShape, sameDir } from './run-ref.js';
import { agentNameOf, inputMessageArg, normalizeMessage, orchestrationEvent, orchestrationEventSchema, runSummary, runSummarySchema } from './shapes.js';

/** poll_events' wait, in orchestration-mcp's milliseconds: 20 s unless asked otherwise, at most 30 s. */
const DEFAULT_WAIT_MS = 20_000;
const MAX_WAIT_MS = 30_000;
/** list_runs with cwd reads this many pages at most (visibility cannot filter by cwd). */
const CWD_SCAN_PAGES = 10;

const { run_id: _runId, wait_seconds: pollWaitSeconds, ...pollShape } = pollEventsTool.inputSchema.shape;

const tools = {
  get_run: {
    title: 'Get a run',
    description: "A run's summary and state, by run_id or agent_name (its current or latest run). Does not wait.",
    inputSchema: strictObject(runRefShape, 'get_run'),
    outputSchema: runSummarySchema,
    annotations: READ_ONLY,
  },
  poll_events: {
    title: "Long-poll a run's events",
    description:
      "The run's events after after_seq, oldest first, by run_id or agent_name. Waits up to wait_ms (default 20000, at most 30000) for a first new event. " +
      "Pass next_after_seq back to read on; a final status is not the last page: read until has_more is false. A cut field is listed in the event's data.artifact_refs: get_event_artifact returns it whole.",
    inputSchema: strictObject(
      {
        ...runRefShape,
        ...pollShape,
        wait_ms: z
          .number()
          .int()
          .min(0)
          .max(MAX_WAIT_MS, `wait_ms is at most ${MAX_WAIT_MS}`)
          .optional()
          .describe(`Wait up to this many ms for a new event (default ${DEFAULT_WAIT_MS}).`),
        wait_seconds: pollWaitSeconds.optional().describe("Baton's wait, in seconds, instead of wait_ms."),
      },
      'poll_events',
    ),
    outputSchema: pollEventsTool.outputSchema.extend({ events: z.array(orchestrationEventSchema) }),
    annotations: READ_ONLY,
  },
  cancel_run: {
    title: 'Cancel a run',
    description:
      'Stops a run (by run_id or agent_name): its agent and every process it started get SIGTERM, then SIGKILL after a grace period. Idempotent: a finished run is reported with already_finished=true.',
    inputSchema: strictObject(
      {
        ...runRefShape,
        reason: z.string().max(1000).optional().describe('Why; recorded in the run.'),
        wait_seconds: z.number().min(0).max(50).default(10).describe('How long to wait for the run to end (default 10).'),
      },
      'cancel_run',
    ),
    outputSchema: z.object({ run_id: z.string(), status: z.string(), cancelled_at: z.string(), already_finished: z.boolean() }).passthrough(),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
  continue_run: {
    title: 'Continue a run',
    description:
      'Send input to a run waiting for it (input_required, auth_required: mode "live"), or resume a finished run\'s session with a new run (mode "resume", resumed_from_run_id), by run_id or agent_name. Returns the run_id to follow.',
    inputSchema: strictObject(
      {
        ...runRefShape,
        prompt: continueShape.prompt,
        input_message: inputMessageArg.optional(),
        timeout_seconds: continueShape.timeout_seconds,
        output_schema: continueShape.output_schema,
        idempotency_key: continueShape.idempotency_key,
      },
      'continue_run',
    ),
    outputSchema: continueRunOutput.extend({ session_id: z.string(), agent_name: z.string(), mode: z.enum(['live', 'resume']), resumed_from_run_id: z.string().nullable() }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  },
  list_runs: {
    title: 'List runs',
    description: `${listRunsTool.description} cwd keeps the runs working in that directory (read from up to ${CWD_SCAN_PAGES} pages).`,
    inputSchema: strictObject({ ...listRunsTool.inputSchema.shape, cwd: z.string().min(1).max(4096).optional().describe('Only runs working in this directory.') }, 'list_runs'),
    outputSchema: z.object({ runs: z.array(runSummarySchema), next_cursor: z.string().nullable() }),
    annotations: READ_ONLY,
  },
  get_event_artifact: {
    title: 'Read the whole of a cut event field',
    description:
      'The whole value of an event field that poll_events cut (listed in the event\'s data.artifact_refs), by run_id or agent_name, seq and field_path: a JSON Pointer into the event\'s data ("/text", "/input/content") or a path from the event ("data.text"). ' +
      `In pages of at most ${MAX_ARTIFACT_PAGE} bytes of UTF-8 ending on character boundaries: pass offset + returned_bytes (next_offset) while has_more. Found again in the run's transcript.`,
    inputSchema: strictObject(
      {
        ...runRefShape,
        seq: z.number().int("seq is a whole number: the event's seq from poll_events").min(1, 'seq starts at 1').describe("The event's seq."),
        field_path: z.string().min(1, 'field_path is required, e.g. "/text"').max(500).describe('From the event\'s artifact_refs: "/text", "/input/content"; or "data.text".'),
        offset: z.number().int().min(0).default(0).describe('Byte offset into the value (default 0).'),
        limit: z.number().int().min(1).max(MAX_ARTIFACT_PAGE, `limit is at most ${MAX_ARTIFACT_PAGE} bytes (256 KiB)`).default(65_536).describe('Bytes per page (default 65536).'),
      },
      'get_event_artifact',
    ),
    outputSchema: z.object({
      run_id: z.string(),
      seq: z.number(),
      event_type: z.string(),
      field_path: z.string(),
      mime: z.string(),
      encoding: z.string(),
      relpath: z.string(),
      total_bytes: z.number(),
      offset: z.number(),
      returned_bytes: z.number(),
      has_more: z.boolean(),
      content: z.string(),
      next_offset: z.number(),
      eof: z.boolean(),
      text: z.string(),
    }),
    annotations: READ_ONLY,
  },
};

export function registerOrchestrationRunTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool('get_run', tools.get_run, (ref) =>
    guarded('get_run', async () => {
      const runs = await ctx.runs();
      const runId = await resolveRunRef(runs, ref);
      const [view, nickname] = await Promise.all([runs.get(runId), nicknameOf(runs, runId)]);
      return structured(runSummary(view, nickname));
    }),
  );

  server.registerTool('poll_events', tools.poll_events, ({ run_id, agent_name, cwd, after_seq, limit, wait_ms, wait_seconds, types }, extra) =>
    guarded('poll_events', async () => {
      const runs = await ctx.runs();
      const runId = await resolveRunRef(runs, { run_id, agent_name, cwd });
      const view = await runs.get(runId);
      const waitMs = wait_seconds !== undefined ? wait_seconds * 1000 : (wait_ms ?? DEFAULT_WAIT_MS);
      const read = (after: number, max: number, ms: number) => runs.events(runId, after, max, { waitMs: ms, signal: extra.signal });
      let page;
      if (types) page = await readEventsOfTypes(read, after_seq, limit, types, { waitMs, signal: extra.signal });
      else {
        const got = await read(after_seq, limit, waitMs);
        const next = got.events.at(-1)?.seq ?? after_seq;
        page = { status: got.status, events: got.events, last_seq: got.last_seq, next_after_seq: next, has_more: next < got.last_seq, missed: got.missed };
      }
      // The session may be known only now: read it again once there are events.
      const facts = page.events.length > 0 && !view.session_id ? await runs.get(runId) : view;
      return structured({ run_id: runId, ...page, events: page.events.map((e) => orchestrationEvent(e, facts)) });
    }),
  );

  server.registerTool('cancel_run', tools.cancel_run, ({ run_id, agent_name, cwd, reason, wait_seconds }) =>
    guarded('cancel_run', async () => {
      const runs = await ctx.runs();
      const runId = await resolveRunRef(runs, { run_id, agent_name, cwd });
      const outcome = await cancelAny(runs, runId, reason ?? 'cancelled by cancel_run', wait_seconds * 1000);
      const finishedAt = outcome.run?.finished_at ?? outcome.pipeline?.finished_at ?? null;
      return structured({ ...outcome, cancelled_at: finishedAt ?? new Date().toISOString() });
    }),
  );

  server.registerTool('continue_run', tools.continue_run, ({ agent_name, cwd, ...args }) =>
    guarded('continue_run', async () => {
      const runs = await ctx.runs();
      const runId = await resolveRunRef(runs, { run_id: args.run_id, agent_name, cwd });
      const parsed = continueInput.safeParse({ ...args, run_id: runId, ...(args.input_message ? { input_message: normalizeMessage(args.input_message) } : {}) });
      if (!parsed.success) throw new InputError(describeIssues(parsed.error.issues).join('\n'));
      const continued = await continueRun(runs, parsed.data);
      const live = continued.how === 'answered';
      return structured({
        run_id: continued.run_id,
        parent_run_id: continued.parent_run_id,
        how: continued.how,
        status: continued.view.status,
        run: continued.view,
        // A resumed session is the parent's, known before the new run has started.
        session_id: continued.view.session_id ?? (await runs.get(continued.parent_run_id)).session_id ?? '',
        agent_name: agentNameOf({ ...continued.view, nickname: await nicknameOf(runs, continued.run_id) }),
        mode: live ? 'live' : 'resume',
        resumed_from_run_id: live ? null : continued.parent_run_id,
      });
    }),
  );

  server.registerTool('list_runs', tools.list_runs, ({ limit, cursor, cwd, ...filters }) =>
    guarded('list_runs', async () => {
      const runs = await ctx.runs();
      let next = cursor ?? null;
      const found = [];
      for (let pages = 0; pages < (cwd ? CWD_SCAN_PAGES : 1); pages++) {
        const page = await listRuns(runs.client, filters, limit, next, runs.options.secretKey);
        found.push(...(cwd ? page.runs.filter((r) => sameDir(cwd, r.cwd)) : page.runs));
        next = page.next_cursor;
        if (!next || found.length >= limit) break;
      }
      const nicknames = await Promise.all(found.map((v) => nicknameOf(runs, v.run_id)));
      return structured({ runs: found.map((v, i) => runSummary(previewResult(v), nicknames[i])), next_cursor: next });
    }),
  );

  server.registerTool('get_event_artifact', tools.get_event_artifact, ({ run_id, agent_name, cwd, seq, field_path, offset, limit }) =>
    guarded('get_event_artifact', async () => {
      const runs = await ctx.runs();
      const runId = await resolveRunRef(runs, { run_id, agent_name, cwd });
      const { event, value } = await findCutValue(ctx, runs, { run_id: runId, seq, field_path });
      const page = pageOf(value, offset, limit, field_path);
      return structured({
        run_id: runId,
        seq,
        event_type: event.type,
        field_path,
        mime: 'text/plain',
        encoding: 'utf-8',
        relpath: '',
        offset,
        returned_bytes: page.next_offset - offset,
        has_more: !page.eof,
        content: page.text,
        ...page,
      });
    }),
  );
}
