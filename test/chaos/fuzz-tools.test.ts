// Property-based fuzzing of every MCP tool's input, through a real MCP client and the built
// `baton mcp` over stdio. Inputs come from each tool's inputSchema (as tools/list gives it) and
// hostile mutations of them. Properties: every answer is a well-formed CallToolResult (structured
// content that matches the tool's outputSchema, or isError with a message), the server survives
// everything, and nothing is started: tools that start work only ever get inputs that must be
// refused, and this env's task queue has no workflow afterwards.
//
// Reproduce a failure with the seed it prints: CHAOS_SEED=<seed> npx vitest run test/chaos/fuzz-tools.test.ts
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Tool, CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client as TemporalClient } from '@temporalio/client';
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdioCaptured, type CapturedStdio } from '../helpers/baton-process.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { temporalClient, workflowsOf } from '../helpers/temporal.js';
import { applyMutation, mutationFor, ownObject, valueOf, type Args, type JsonSchema, type Overrides } from './schema-arbitrary.js';

const SEED = Number(process.env.CHAOS_SEED ?? 20260131);
const RUNS_PER_TOOL = Number(process.env.CHAOS_RUNS ?? 50);

/**
 * Tools that start or change work: they only ever get inputs that must be refused. A message
 * starts its recipient's inbox workflow (which, with no worker here, would never take it).
 */
const STARTS_WORK = new Set(['spawn_run', 'dispatch', 'schedule_run', 'spawn_pipeline', 'continue_run', 'send_agent_message']);

let env: TestEnv;
let mcp: CapturedStdio;
let temporal: TemporalClient;
let outside: string;
let tools: Tool[];
const validators = new Map<string, ValidateFunction>();
/** What a start that should have been refused returned (for cleanup). */
const started: Record<string, unknown>[] = [];

/** With CHAOS_STATS=1: how often each tool answered what, to see what the generators reach. */
const outcomes = new Map<string, number>();
function tally(tool: string, result: CallToolResult): void {
  if (!process.env.CHAOS_STATS) return;
  const what = result.isError
    ? `error: ${textOf(result)
        .replace(/Invalid arguments for tool \w+: /, '')
        .slice(0, 90)}`
    : 'ok';
  const key = `${tool} ${what}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

beforeAll(async () => {
  env = await makeTestEnv();
  outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'baton-outside-')));
  // No worker: should a refused input start a workflow after all, no agent runs for it.
  [mcp, temporal] = await Promise.all([connectStdioCaptured(env, ['--no-worker']), temporalClient(env)]);
  tools = (await mcp.client.listTools()).tools;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  for (const tool of tools) if (tool.outputSchema) validators.set(tool.name, ajv.compile(tool.outputSchema));
});

afterAll(async () => {
  // Should a start have got through after all, leave nothing behind on the shared server.
  for (const what of started) {
    const id = what.schedule_id ?? what.run_id ?? what.pipeline_id;
    if (typeof id !== 'string') continue;
    if (id.startsWith('sched_'))
      await temporal.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    else
      await temporal.workflow
        .getHandle(id)
        .terminate('fuzz-tools cleanup')
        .catch(() => undefined);
  }
  await mcp?.close();
  await temporal?.connection.close();
  await rm(outside, { recursive: true, force: true });
  await env?.cleanup();
});

/** Waits stay short: a valid wait_any or poll_events must not hold the fuzzer for 50 s. */
function overridesFor(tool: string): Overrides {
  const shortWait = fc.double({ min: 0, max: 0.3, noNaN: true });
  // Times are free strings in the schema: mostly real ISO times, so that valid calls happen too.
  const time = fc.oneof(
    { weight: 3, arbitrary: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  );
  const overrides: Overrides = { max_wait_seconds: shortWait, wait_seconds: shortWait, created_after: time, finished_since: time, until: time };
  // A destructive tool must not hit another test file's channel on the shared server.
  if (tool === 'reset_channel') overrides.channel = fc.string({ maxLength: 20 }).map((s) => `fuzz-${SEED}-${s}`);
  return overrides;
}

/** One change that no tool that starts work may accept, whatever the rest of the input says. */
function refusalFor(tool: string, schema: JsonSchema): fc.Arbitrary<(args: Args) => Args> {
  const set = (key: string, value: unknown) => (args: Args) => ownObject([...Object.entries(args).filter(([k]) => k !== key), [key, value]]);
  const drop = (key: string) => (args: Args) => ownObject(Object.entries(args).filter(([k]) => k !== key));
  const refusals: fc.Arbitrary<(args: Args) => Args>[] = [
    // ("__proto__" is no refusal: the MCP SDK drops that key before Baton sees the arguments.)
    fc.constantFrom('fuzz_unknown_field', 'constructor', 'prototype').map((key) => set(key, { polluted: true })),
  ];
  if (schema.required?.length) refusals.push(fc.constantFrom(...schema.required).map(drop));
  // Refused last, by the add_dirs check: every check before it (cwd, profile, output_schema, the
  // session's backend) runs on the fuzzed values first.
  if (tool === 'spawn_pipeline') refusals.push(fc.constant(set('worker', { backend: 'codex', backend_config: { add_dirs: [outside] } })));
  else if (schema.properties?.backend_config) refusals.push(fc.constant((args: Args) => set('backend_config', { add_dirs: [outside] })(set('backend', 'codex')(args))));
  if (schema.properties?.cwd) {
    refusals.push(fc.constantFrom('/', outside, 'relative/dir', path.join(env.workDir, '..'), `${env.workDir}/../..${outside}`).map((cwd) => set('cwd', cwd)));
  }
  if (tool === 'continue_run')
    refusals.push(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 20 }).map((id) => set('run_id', `run_fuzz_nonexistent_${id}`)));
  return fc.oneof(...refusals);
}

/**
 * Inputs that would start work if nothing refused them: so that the fuzzer gets past the schema to
 * the checks behind it (cwd, profile, add_dirs, output_schema), before a refusal is applied.
 */
function skeletonFor(tool: string): Args | null {
  const run = { prompt: 'fuzz', backend: 'command', cwd: env.workDir, backend_config: { command: ['true'] } };
  switch (tool) {
    case 'spawn_run':
    case 'dispatch':
      return run;
    case 'schedule_run':
      return { ...run, interval_seconds: 3600 };
    case 'spawn_pipeline':
      return { goal: 'fuzz', cwd: env.workDir, worker: { backend: 'command', backend_config: { command: ['true'] } } };
    case 'continue_run':
      return { run_id: 'run_fuzz_nonexistent', prompt: 'fuzz' };
    default:
      return null;
  }
}

function argumentsFor(tool: Tool): fc.Arbitrary<Args> {
  const schema = tool.inputSchema as JsonSchema;
  const fromSchema = valueOf(schema, overridesFor(tool.name)) as fc.Arbitrary<Args>;
  const skeleton = skeletonFor(tool.name);
  const base = skeleton
    ? fc.oneof(
        fromSchema,
        fc
          .tuple(fromSchema, fc.subarray(Object.keys(schema.properties ?? {}), { maxLength: 3 }))
          .map(([random, keep]) => ownObject([...Object.entries(skeleton), ...Object.entries(random).filter(([k]) => keep.includes(k))])),
      )
    : fromSchema;
  // An absent wait means the default (up to 50 s): always say how long.
  const waits = ['max_wait_seconds', 'wait_seconds'].filter((k) => schema.properties?.[k]);
  const bounded = base.map((args) => ownObject([...Object.entries(args), ...waits.filter((k) => !(k in args)).map((k): [string, unknown] => [k, 0.1])]));
  const mutations = fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(mutationFor(schema), { minLength: 1, maxLength: 3 }) });
  const refusal = STARTS_WORK.has(tool.name) ? refusalFor(tool.name, schema) : fc.constant((args: Args) => args);
  return fc.tuple(bounded, mutations, refusal).map(([args, changes, refuse]) => refuse(changes.reduce(applyMutation, args)));
}

function textOf(result: CallToolResult): string {
  return result.content
    .filter((c): c is { type: 'text'; text: string } => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

/** The shape every answer must have; a refusal for the tools that start work. */
function checkResult(tool: string, args: Args, result: CallToolResult): void {
  expect(Array.isArray(result.content), `${tool}: content is an array`).toBe(true);
  if (result.isError) {
    const message = textOf(result);
    expect(message.trim().length, `${tool}: an error says what is wrong`).toBeGreaterThan(0);
    // Baton's answer to an internal failure; a bad input must get an answer about the input.
    expect(message, `${tool}: ${JSON.stringify(args).slice(0, 300)}`).not.toContain('This is not a problem with your arguments');
    return;
  }
  if (STARTS_WORK.has(tool)) {
    started.push(result.structuredContent ?? {});
    throw new Error(`${tool} accepted an input it must refuse: ${JSON.stringify(args).slice(0, 500)}`);
  }
  const validate = validators.get(tool);
  expect(result.structuredContent, `${tool}: structuredContent`).toBeDefined();
  if (validate && !validate(result.structuredContent)) {
    throw new Error(`${tool}: structuredContent does not match the outputSchema: ${JSON.stringify(validate.errors).slice(0, 1000)}`);
  }
  expect(JSON.parse(textOf(result)), `${tool}: the text is the same JSON`).toEqual(result.structuredContent);
}

async function expectServing(): Promise<void> {
  expect(mcp.alive(), 'baton mcp is still running').toBe(true);
  const listed = await mcp.client.listTools();
  expect(listed.tools.length).toBe(tools.length);
}

describe('every MCP tool, fuzzed', () => {
  it('answers every generated input with a well-formed result, survives all of them, and starts nothing', async () => {
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['spawn_run', 'dispatch', 'schedule_run', 'spawn_pipeline', 'get_run', 'help']));
    const before = await workflowsOf(env, temporal);
    for (const tool of tools) {
      try {
        await fc.assert(
          fc.asyncProperty(argumentsFor(tool), async (args) => {
            const result = (await mcp.client.callTool({ name: tool.name, arguments: args }, undefined, { timeout: 20_000 })) as CallToolResult;
            checkResult(tool.name, args, result);
            tally(tool.name, result);
          }),
          { seed: SEED, numRuns: RUNS_PER_TOOL },
        );
      } catch (err) {
        throw new Error(`tool ${tool.name} (seed ${SEED}): ${err instanceof Error ? err.message : String(err)}`.slice(0, 20_000), { cause: err });
      }
      await expectServing();
    }
    expect(await workflowsOf(env, temporal)).toEqual(before);
    if (process.env.CHAOS_STATS)
      console.log(
        [...outcomes]
          .sort()
          .map(([k, n]) => `${n} ${k}`)
          .join('\n'),
      );
  });

  it('answers arguments that are not an object, and unknown tools, with an error and goes on', async () => {
    for (const args of [[], [1, 2], 'spawn_run', 42, true, null]) {
      for (const name of ['spawn_run', 'get_run', 'help']) {
        const outcome = await mcp.client.request({ method: 'tools/call', params: { name, arguments: args as never } }, CallToolResultSchema).then(
          (r) => ({ result: r }),
          (err: Error) => ({ error: err.message }),
        );
        if ('result' in outcome) {
          // null arguments read as none: then the tool's own answer (help has no required field).
          if (!outcome.result.isError) expect(name).toBe('help');
        } else expect(outcome.error.length).toBeGreaterThan(0);
      }
    }
    for (const name of ['no_such_tool', '__proto__', 'constructor', 'toString', '', 'x'.repeat(100_000)]) {
      const outcome = await mcp.client.callTool({ name, arguments: {} }).then(
        (r) => r as CallToolResult,
        (err: Error) => err,
      );
      if (outcome instanceof Error) expect(outcome.message).toMatch(/not found|invalid/i);
      else expect(outcome.isError).toBe(true);
    }
    await expectServing();
  });

  it('survives garbage and half messages on stdin', async () => {
    mcp.writeRaw('this is not JSON\n');
    mcp.writeRaw('{"jsonrpc": "2.0", "id": 9001, "method": "tools/call", "params": {"name": "get_run", "argu\n');
    mcp.writeRaw(Buffer.from([0xff, 0xfe, 0x00, 0x0a]));
    mcp.writeRaw('{"jsonrpc": "2.0", "method": "notifications/no_such_thing"}\n');
    mcp.writeRaw('[]\n{}\nnull\n"str"\n');
    await expectServing();
    const help = (await mcp.client.callTool({ name: 'help', arguments: {} })) as CallToolResult;
    expect(help.isError).toBeFalsy();
    expect(mcp.stderr()).not.toMatch(/Uncaught|unhandled|FATAL|Maximum call stack/i);
  });
});
