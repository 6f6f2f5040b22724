// Real MCP SDK clients against the built `baton` command: over stdio, and over Streamable HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Notification } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';
import { CLI, type TestEnv } from './env.js';

export interface McpSession {
  client: Client;
  close(): Promise<void>;
  /** kill -9 the server process (stdio sessions only). */
  kill(): void;
}

function newClient(): Client {
  return new Client({ name: 'baton-tests', version: '1.0.0' });
}

/**
 * `baton mcp` over stdio; `cli` is another build's dist/cli.js (an earlier release's). With
 * `notifications`, every notification no other handler takes (channel events) is pushed onto it,
 * from before the connection is made, so none sent right after initialization is missed.
 */
export async function connectStdio(env: TestEnv, args: string[] = [], extraEnv: Record<string, string> = {}, cli = CLI, notifications?: Notification[]): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, 'mcp', ...args],
    env: { ...(env.env as Record<string, string>), ...extraEnv },
    cwd: env.workDir,
    stderr: 'inherit',
  });
  const client = newClient();
  if (notifications) client.fallbackNotificationHandler = async (n) => void notifications.push(n);
  await client.connect(transport);
  return { client, close: () => client.close(), kill: () => process.kill(transport.pid!, 'SIGKILL') };
}

export interface HttpBaton extends McpSession {
  url: string;
  process: ChildProcess;
  output: () => string;
  /** Ctrl-C, as a person would; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `baton dev` against the test server (TEMPORAL_ADDRESS is set, so it starts no dev server). */
export async function startHttpBaton(env: TestEnv, extraEnv: Record<string, string> = {}): Promise<HttpBaton> {
  const child = spawn(process.execPath, [CLI, 'dev'], {
    env: { ...env.env, BATON_HTTP_PORT: '0', ...extraEnv },
    cwd: env.workDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /MCP endpoint \(Streamable HTTP\): (\S+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`baton dev exited with ${code} before it was ready:\n${output}`)));
  });
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    url,
    process: child,
    client,
    output: () => output,
    close: () => client.close(),
    kill: () => void child.kill('SIGKILL'),
    stop: async () => {
      await client.close().catch(() => undefined);
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Calls a tool and expects success: returns its structured content. */
export async function callOk<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  expect(result.structuredContent).toBeDefined();
  return result.structuredContent as T;
}

/** Calls a tool and expects a tool error: returns its message. */
export async function callError(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name} should have failed but returned ${JSON.stringify(result.structuredContent)}`).toBe(true);
  return (result.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
}

export interface WorkerProcess {
  pid: number;
  /** SIGTERM, as a person or a service manager stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** kill -9: the worker dies at once, its agents do not. */
  kill(): Promise<void>;
  output(): string;
}

/** `baton worker` as its own process (of another build when `cli` is given); resolves once it polls. */
export async function startWorkerProcess(env: TestEnv, extraEnv: Record<string, string> = {}, cli = CLI): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [cli, 'worker'], { env: { ...env.env, BATON_LOG_LEVEL: 'INFO', ...extraEnv }, cwd: env.workDir, stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker running on host')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`baton worker exited with ${code}:\n${output}`)));
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    output: () => output,
  };
}
