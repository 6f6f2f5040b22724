// Baton processes that a test drives itself, with everything they print kept:
// - `baton mcp` over stdio, keeping the raw bytes of its stdout (the MCP stream itself) and of its
//   stderr (its logs), for tests that must prove what Baton never prints and that the process
//   survives what it is sent;
// - `baton dev` as a bare process, for starts that must fail and endpoints that need a token.
// connectStdio and startHttpBaton (helpers/mcp.ts) stay as they are for everything else.
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CLI, type TestEnv } from './env.js';

export interface CapturedStdio {
  client: Client;
  pid: number;
  /** Everything the process wrote to stdout so far (MCP messages and anything else). */
  stdout(): string;
  /** Everything the process wrote to stderr so far (its logs). */
  stderr(): string;
  /** True while the process has not exited. */
  alive(): boolean;
  /** Closes the read end of its stdout, as a client that went away does: its next write fails (EPIPE). */
  closeStdout(): void;
  /** Writes bytes straight to the process's stdin, past the MCP client (garbage, half messages). */
  writeRaw(data: string | Buffer): void;
  /** Closes stdin, as an MCP client does, and waits for the process to exit (SIGKILL after 10 s). */
  close(): Promise<number | null>;
}

/** A stdio client transport that also keeps the raw output of the server it spawned. */
class CapturingTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  readonly out: Buffer[] = [];
  readonly err: Buffer[] = [];
  private readonly buffer = new ReadBuffer();

  constructor(readonly child: ChildProcessWithoutNullStreams) {}

  async start(): Promise<void> {
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.out.push(chunk);
      this.buffer.append(chunk);
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (err) {
          this.onerror?.(err as Error);
          continue;
        }
        if (!message) break;
        this.onmessage?.(message);
      }
    });
    this.child.stderr.on('data', (chunk: Buffer) => this.err.push(chunk));
    this.child.on('error', (err) => this.onerror?.(err));
    this.child.on('close', () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.child.stdin.writable) throw new Error('baton mcp has closed its stdin');
    this.child.stdin.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    this.child.stdin.end();
  }
}

export async function connectStdioCaptured(env: TestEnv, args: string[] = [], extraEnv: Record<string, string> = {}): Promise<CapturedStdio> {
  const child = spawn(process.execPath, [CLI, 'mcp', ...args], {
    env: { ...env.env, ...extraEnv },
    cwd: env.workDir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const transport = new CapturingTransport(child);
  const client = new Client({ name: 'baton-chaos-tests', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    pid: child.pid!,
    stdout: () => Buffer.concat(transport.out).toString('utf8'),
    stderr: () => Buffer.concat(transport.err).toString('utf8'),
    alive: () => child.exitCode === null && child.signalCode === null,
    closeStdout: () => child.stdout.destroy(),
    writeRaw: (data) => void child.stdin.write(data),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      await client.close().catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export interface DevProcess {
  process: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** The MCP URL it printed, once it is ready; rejects if it exits first. */
  ready: Promise<string>;
  /** Ctrl-C; resolves with the exit code (SIGKILL after 15 s). */
  stop(): Promise<number | null>;
}

/**
 * `baton dev` as a bare process, for what startHttpBaton (helpers/mcp.ts) cannot do: a start that
 * must fail, or an endpoint its plain client could not connect to (a bearer token is required).
 */
export function spawnBatonDev(env: TestEnv, extraEnv: Record<string, string> = {}): DevProcess {
  const child = spawn(process.execPath, [CLI, 'dev'], {
    env: { ...env.env, BATON_HTTP_PORT: '0', ...extraEnv },
    cwd: env.workDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /MCP endpoint \(Streamable HTTP\): (\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`baton dev exited with ${code} before it was ready:\n${output}`)));
  });
  ready.catch(() => undefined);
  return {
    process: child,
    output: () => output,
    exited,
    ready,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
