// The bench's own Baton stack: a Temporal dev server on free loopback ports and a temp SQLite
// file, `baton dev` (worker + MCP over HTTP) and, for the scenarios that kill or weigh a worker,
// a `baton worker` process behind a worker-less `baton mcp --no-worker` (stdio). Everything lives
// under one temp dir and is stopped at the end, agents included.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { connectHttp, connectStdio } from './mcp.mjs';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export class Stack {
  /** @param {{ batonRoot: string, log: (line: string) => void, keep: boolean }} opts */
  constructor(opts) {
    this.batonRoot = opts.batonRoot;
    this.cli = path.join(opts.batonRoot, 'dist', 'cli.js');
    this.log = opts.log;
    this.keep = opts.keep;
    this.root = path.join(realpathSync(os.tmpdir()), `baton-bench-${process.pid}-${randomBytes(3).toString('hex')}`);
    this.workDir = path.join(this.root, 'work');
    this.logDir = path.join(this.root, 'logs');
    for (const dir of [this.root, this.workDir, this.logDir]) mkdirSync(dir, { recursive: true });
    this.secretKey = randomBytes(32).toString('base64');
    this.children = new Set();
    this.stdioPids = new Map();
    this.devServer = null;
    this.address = null;
  }

  async startTemporal() {
    const { startOrReuseDevServer } = await import(pathToFileURL(path.join(this.batonRoot, 'dist', 'temporal', 'dev-server.js')).href);
    this.devServer = await startOrReuseDevServer({
      dataDir: path.join(this.root, 'temporal'),
      port: await freePort(),
      uiPort: await freePort(),
      log: (line) => this.log(`temporal: ${line}`),
    });
    if (!this.devServer.owned) throw new Error(`expected a fresh dev server, but reused one at ${this.devServer.address}`);
    this.address = this.devServer.address;
    return this.devServer;
  }

  /** The environment of one Baton deployment: its own data dir, task queue and host id. */
  batonEnv(name, extra = {}) {
    const dataDir = path.join(this.root, name);
    mkdirSync(dataDir, { recursive: true });
    return {
      ...process.env,
      TEMPORAL_ADDRESS: this.address,
      TEMPORAL_NAMESPACE: 'default',
      BATON_DATA_DIR: dataDir,
      BATON_ALLOWED_ROOTS: this.workDir,
      BATON_TASK_QUEUE: `bench-${name}`,
      BATON_HOST_ID: `bench-${name}`,
      BATON_SECRET_KEY: this.secretKey,
      BATON_LOG_LEVEL: 'WARN',
      ...extra,
    };
  }

  spawnBaton(name, args, env) {
    const logFile = path.join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    // BENCH_BATON_NODE_ARGS profiles Baton's processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const nodeArgs = (process.env.BENCH_BATON_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, this.cli, ...args], { env, cwd: this.workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output += chunk.toString();
      if (output.length > 100_000) output = output.slice(-50_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.stdout.pipe(new WritableFd(fd));
    child.stderr.pipe(new WritableFd(fd));
    const exited = once(child, 'exit').then(([code, signal]) => {
      this.children.delete(entry);
      closeQuietly(fd);
      return { code, signal };
    });
    const entry = { name, child, exited, output: () => output, logFile };
    this.children.add(entry);
    return entry;
  }

  /** `baton dev` against the bench server: worker and MCP over Streamable HTTP. */
  async startDev(extraEnv = {}, name = 'dev') {
    const env = this.batonEnv(name, { BATON_HTTP_PORT: '0', ...extraEnv });
    const entry = this.spawnBaton(`baton-${name}`, ['dev'], env);
    const url = await waitForOutput(entry, /MCP endpoint \(Streamable HTTP\): (\S+)/, 60_000);
    const mcp = await connectHttp(url);
    return { ...entry, url, mcp, env, pid: entry.child.pid, stop: () => this.stopChild(entry, 'SIGINT') };
  }

  /** `baton worker` alone, as its own process; resolves once it polls. */
  async startWorker(name, extraEnv = {}) {
    const env = this.batonEnv(name, { BATON_LOG_LEVEL: 'INFO', ...extraEnv });
    const entry = this.spawnBaton(`${name}-worker`, ['worker'], env);
    await waitForOutput(entry, /worker running on host/, 60_000);
    return { ...entry, pid: entry.child.pid, stop: () => this.stopChild(entry, 'SIGTERM') };
  }

  /** A worker-less MCP server over stdio for the deployment `name` (its worker runs apart). */
  async connectNoWorkerMcp(name, extraEnv = {}) {
    const env = this.batonEnv(name, extraEnv);
    const fd = openSync(path.join(this.logDir, `${name}-mcp.log`), 'a');
    const { client: mcp, pid } = await connectStdio({ command: process.execPath, args: [this.cli, 'mcp', '--no-worker'], env, cwd: this.workDir, stderr: fd });
    this.stdioPids.set(name, pid);
    return {
      mcp,
      pid,
      close: async () => {
        await mcp.close();
        this.stdioPids.delete(name);
        closeQuietly(fd);
      },
    };
  }

  /** The pids of every process the stack runs now, by role (for CPU accounting). */
  pids() {
    const pids = { 'temporal dev server': this.devServer?.pid ?? null };
    // That pid is Baton's guard in front of the CLI; the server itself is its live child, whose CPU
    // its parent's figures do not include until it exits.
    for (const [i, child] of childPids(this.devServer?.pid).entries()) pids[`temporal dev server (process ${i + 1})`] = child;
    for (const entry of this.children) pids[entry.name] = entry.child.pid;
    for (const [name, pid] of this.stdioPids) pids[`${name}-mcp (stdio)`] = pid;
    return pids;
  }

  async stopChild(entry, signal) {
    if (entry.child.exitCode === null && entry.child.signalCode === null) entry.child.kill(signal);
    const timer = setTimeout(() => entry.child.kill('SIGKILL'), 20_000);
    const result = await entry.exited;
    clearTimeout(timer);
    return result;
  }

  /** Stops Baton's processes, any agent left behind, and the dev server; removes the temp dir. */
  async stop() {
    for (const entry of [...this.children]) await this.stopChild(entry, 'SIGTERM').catch(() => undefined);
    const left = killAgentsUnder(this.root);
    if (left > 0) this.log(`stopped ${left} agent process(es) still running under ${this.root}`);
    await this.devServer?.stop().catch((err) => this.log(`stopping the dev server: ${err.message}`));
    if (!this.keep) rmSync(this.root, { recursive: true, force: true });
    else this.log(`kept ${this.root} (BENCH_KEEP=1)`);
  }
}

/** Appends to a log file synchronously: lines land even when the bench is killed. */
class WritableFd extends Writable {
  constructor(fd) {
    super();
    this.fd = fd;
  }
  _write(chunk, _enc, done) {
    try {
      writeSync(this.fd, chunk);
    } catch {
      // the log is best effort
    }
    done();
  }
}

function closeQuietly(fd) {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

async function waitForOutput(entry, pattern, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = pattern.exec(entry.output());
    if (match) return match[1] ?? match[0];
    if (entry.child.exitCode !== null || entry.child.signalCode !== null) {
      throw new Error(`${entry.name} exited before it was ready; its log (${entry.logFile}) ends with:\n${entry.output().slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${entry.name} was not ready after ${timeoutMs} ms; its log (${entry.logFile}) ends with:\n${entry.output().slice(-2000)}`);
}

/** Agents carry their deployment's BATON_DATA_DIR (inherited from the worker): SIGKILL any left. */
function killAgentsUnder(root) {
  let killed = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!environ.includes('BATON_RUN_ID=') || !environ.includes(`BATON_DATA_DIR=${root}`)) continue;
    try {
      process.kill(Number(name), 'SIGKILL');
      killed += 1;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}

/** The live children of a process (Linux /proc), none when it is gone. */
function childPids(pid) {
  if (!pid) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
