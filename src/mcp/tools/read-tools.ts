// get_run, wait_run, poll_events, read_output: reading a run, live or finished.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { FILTER_MAX_READS, readEventsOfTypes } from '../../client/event-filter.js';
import { readTranscriptPage } from '../../client/transcript.js';
import { runEventSchema, runViewSchema } from '../../domain/run-view.js';
import { strictObject } from '../../domain/spawn-input.js';
import { oneOf } from '../../domain/strict.js';
import { EVENT_TYPES, RUN_STATUSES } from '../../domain/vocabulary.js';
import { MAX_WAIT_SECONDS, type ToolContext } from '../context.js';
import { guarded, structured } from '../tool-result.js';
import { maxWaitArg, progressReporter, READ_ONLY, runIdArg } from './shared.js';

const eventsOutput = z.object({
  run_id: z.string(),
  status: z.enum(RUN_STATUSES),
  events: z.array(runEventSchema),
  last_seq: z.number(),
  next_after_seq: z.number().describe('Pass as after_seq on the next call. With types, it is past the events of other types read on the way.'),
  has_more: z
    .boolean()
    .describe(
      'Events after next_after_seq are already there: read on at once (with types, they may all be of other types). A finished run may need more pages; you have every event once the status is final and has_more is false.',
    ),
  missed: z.number().describe('Events after your cursor that are no longer kept live (of any type); read_output has the full transcript.'),
});

const transcriptOutput = z.object({
  run_id: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  offset: z.number(),
  next_offset: z.number().describe('Pass as offset to read the next page.'),
  total_bytes: z.number(),
  eof: z.boolean(),
  text: z.string(),
});

// Each tool's config and schemas are built once, at load: the HTTP endpoint builds a server for every request.
const getRunTool = {
  title: 'Get a run',
  description: "The run's current state: status, progress, last message, usage and cost, and the result once it has finished. Does not wait.",
  inputSchema: strictObject({ run_id: runIdArg }, 'get_run'),
  outputSchema: runViewSchema,
  annotations: READ_ONLY,
};

const waitRunTool = {
  title: 'Wait for a run to finish',
  description:
    'Waits until the run finishes or max_wait_seconds pass (default 50), sending progress notifications meanwhile. ' +
    'Returns finished=true with the result, or finished=false: then call wait_run again.',
  inputSchema: strictObject({ run_id: runIdArg, max_wait_seconds: maxWaitArg }, 'wait_run'),
  outputSchema: z.object({ finished: z.boolean(), run: runViewSchema }),
  annotations: READ_ONLY,
};

export const pollEventsTool = {
  title: "Read a run's events",
  description:
    "The run's events after a cursor (after_seq), oldest first: agent messages, tool calls, stderr, status changes. " +
    'Pass next_after_seq back to read on; with wait_seconds, waits for at least one new event. A final status does not mean the last page: read until has_more is false. ' +
    'types returns only events of those types; the cursor still moves past the others.',
  inputSchema: strictObject(
    {
      run_id: runIdArg,
      after_seq: z.number().int().min(0).default(0).describe('Return events with seq greater than this (0 = from the start).'),
      limit: z.number().int().min(1).max(1000).default(100).describe('At most this many events (default 100).'),
      wait_seconds: z
        .number()
        .min(0)
        .max(MAX_WAIT_SECONDS)
        .default(0)
        .describe(`Wait up to this long for a new event when there is none yet (default 0, at most ${MAX_WAIT_SECONDS}).`),
      types: z
        .array(oneOf(EVENT_TYPES, 'each of types'))
        .min(1, 'types needs at least one event type, e.g. ["agent_message"]: leave it out for events of every type')
        .max(EVENT_TYPES.length)
        .optional()
        .describe(
          'Only events of these types, e.g. ["agent_message", "run_completed"] (default: every type). next_after_seq moves past the events of other types too, ' +
            `reading on (at most ${FILTER_MAX_READS} reads of the run a call) when a page has none of these types; with wait_seconds, waits for one of these types.`,
        ),
    },
    'poll_events',
  ),
  outputSchema: eventsOutput,
  annotations: READ_ONLY,
};

const readOutputTool = {
  title: "Read a run's transcript",
  description:
    "Pages through the agent's full raw output (stdout, or stderr), which poll_events only summarizes. Pages end on whole lines; " +
    "pass next_offset as offset to continue. Read on the run's host: here, or through a Baton worker running there.",
  inputSchema: strictObject(
    {
      run_id: runIdArg,
      stream: z.enum(['stdout', 'stderr']).default('stdout').describe('Which output to read (default stdout).'),
      offset: z.number().int().min(0).default(0).describe('Byte offset to start at (default 0).'),
      limit_bytes: z.number().int().min(1024).max(1_048_576).default(65_536).describe('Page size in bytes (default 65536, at most 1 MiB).'),
    },
    'read_output',
  ),
  outputSchema: transcriptOutput,
  annotations: READ_ONLY,
};

export function registerReadTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool('get_run', getRunTool, ({ run_id }) => guarded('get_run', async () => structured(await (await ctx.runs()).get(run_id))));

  server.registerTool('wait_run', waitRunTool, ({ run_id, max_wait_seconds }, extra) =>
    guarded('wait_run', async () => {
      const runs = await ctx.runs();
      const outcome = await runs.wait(run_id, {
        maxWaitMs: max_wait_seconds * 1000,
        signal: extra.signal,
        onProgress: progressReporter(extra),
      });
      return structured({ finished: outcome.finished, run: outcome.view });
    }),
  );

  server.registerTool('poll_events', pollEventsTool, ({ run_id, after_seq, limit, wait_seconds, types }, extra) =>
    guarded('poll_events', async () => {
      const runs = await ctx.runs();
      if (types) {
        const read = (after: number, max: number, waitMs: number) => runs.events(run_id, after, max, { waitMs, signal: extra.signal });
        const filtered = await readEventsOfTypes(read, after_seq, limit, types, { waitMs: wait_seconds * 1000, signal: extra.signal });
        return structured({ run_id, ...filtered });
      }
      const page = await runs.events(run_id, after_seq, limit, { waitMs: wait_seconds * 1000, signal: extra.signal });
      const next = page.events.at(-1)?.seq ?? after_seq;
      return structured({ run_id, status: page.status, events: page.events, last_seq: page.last_seq, next_after_seq: next, has_more: next < page.last_seq, missed: page.missed });
    }),
  );

  server.registerTool('read_output', readOutputTool, ({ run_id, stream, offset, limit_bytes }) =>
    guarded('read_output', async () => {
      const runs = await ctx.runs();
      const view = await runs.get(run_id);
      const where = { client: runs.client, taskQueue: runs.options.taskQueue, hostId: ctx.hostId, runDir: ctx.runDir(run_id) };
      const page = await readTranscriptPage(view, where, { run_id, stream, offset, limit_bytes });
      return structured({ ...page });
    }),
  );
}
