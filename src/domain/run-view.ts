// The shapes Baton hands out: events, usage, results and the RunView. Zod schemas so the MCP
// tools can publish them as output schemas; workflows import only the inferred types.
import { z } from 'zod';
import { BACKENDS, EVENT_TYPES, FAILURE_KINDS, ROLES, RUN_STATUSES } from './vocabulary.js';

export const usageSchema = z
  .object({
    input_tokens: z.number(),
    output_tokens: z.number(),
    cache_read_input_tokens: z.number(),
    cache_creation_input_tokens: z.number(),
  })
  .describe('Token usage summed over the run.');
export type Usage = z.infer<typeof usageSchema>;

export const runEventSchema = z.object({
  seq: z.number().int().describe('Position in the run, from 1, without gaps.'),
  ts: z.string().describe('ISO time the event was observed.'),
  type: z.enum(EVENT_TYPES),
  data: z.record(z.string(), z.unknown()),
});
export type RunEvent = z.infer<typeof runEventSchema>;

export const transcriptRefSchema = z.object({
  host: z.string().describe('Host id of the worker whose disk holds the transcript.'),
  dir: z.string().describe('Run directory on that host.'),
  stdout_bytes: z.number().describe('Bytes of agent output read so far.'),
});

export const runResultSchema = z.object({
  status: z.enum(RUN_STATUSES),
  output: z.string().describe("Final text: the agent's result, or the tail of a command's output."),
  output_truncated: z.boolean().describe('True when output was cut; read_output has the whole transcript.'),
  structured_output: z.unknown().describe('The value that matched output_schema, when one was given.').optional(),
  structured_output_omitted: z
    .object({ reason: z.literal('too_large'), bytes: z.number(), limit_bytes: z.number() })
    .optional()
    .describe(
      'Why structured_output is absent although the agent gave one: it is `bytes` of UTF-8 JSON, over the `limit_bytes` a run carries. The run failed saying so; read_output has it whole.',
    ),
  session_id: z.string().nullable(),
  usage: usageSchema.nullable(),
  cost_usd: z.number().nullable().describe('Cost of this run (USD), when the backend reports cost.'),
  session_cost_usd: z.number().nullable().describe('Cost of the whole backend session so far, when the backend reports it.'),
  num_turns: z.number().nullable(),
  exit_code: z.number().nullable(),
  error: z.string().nullable(),
  failure_kind: z
    .enum(FAILURE_KINDS)
    .nullable()
    .optional()
    .describe('Of a failed run: worker_lost (the agent died with its worker and on_worker_loss said fail), or null for any other failure.'),
  started_at: z.string().nullable(),
  finished_at: z.string(),
  elapsed_ms: z.number().nullable(),
  transcript: transcriptRefSchema.nullable(),
});
export type RunResult = z.infer<typeof runResultSchema>;

export const runViewSchema = z.object({
  run_id: z.string(),
  kind: z.literal('run'),
  status: z.enum(RUN_STATUSES),
  role: z.enum(ROLES),
  backend: z.enum(BACKENDS),
  channel: z.string().nullable(),
  parent: z.string().nullable(),
  session_id: z.string().nullable(),
  cwd: z.string(),
  prompt_preview: z.string().describe("The prompt's first line, cut to 200 characters."),
  metadata: z.record(z.string(), z.string()),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  elapsed_ms: z.number().nullable(),
  last_seq: z.number().describe('Seq of the newest event; pass it to poll_events as after_seq.'),
  last_message: z.string().nullable().describe('The newest agent message, cut.'),
  usage: usageSchema.nullable(),
  cost_usd: z.number().nullable(),
  attempt: z.number().describe('Agent launches and re-attaches so far (1 normally).'),
  host: z.string().nullable().describe('Host id of the worker that runs the agent.'),
  error: z.string().nullable(),
  result: runResultSchema.nullable().describe('Present once the run has finished.'),
});
export type RunView = z.infer<typeof runViewSchema>;
