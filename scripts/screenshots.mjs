#!/usr/bin/env node
// Makes the Web UI pictures the README shows (docs/screenshots/*.png) again: starts Baton
// (`node dist/cli.js dev`, a temporary data dir, free ports), creates a few runs and a pipeline
// with the fake agents of test/fixtures, and has headless Chromium photograph the Temporal Web
// UI: the list of Baton's runs, a run's page, a pipeline's page. Run by people, not by CI:
//
//   npm run build && node scripts/screenshots.mjs      (needs `chromium`: apt-get install chromium)
//
// CHROMIUM=/path/to/chrome picks another browser. To use a Baton that runs already, give what its
// `baton dev` printed: BATON_MCP_URL=<MCP endpoint> BATON_RUNS_URL=<Baton's runs in the Web UI>
// WORK_DIR=<a directory under its allowed roots>.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

// Node 20 has WebSocket (for the DevTools protocol) behind a flag: run again with it.
if (typeof WebSocket === 'undefined') {
  const again = spawnSync(process.execPath, ['--experimental-websocket', '--no-warnings', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(again.status ?? 1);
}

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'docs', 'screenshots');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'bin');
const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `node dist/cli.js dev` on its own ports and data dir; resolves once it printed that it is ready. */
async function startBaton(dataDir, workDir) {
  const env = {
    ...process.env,
    BATON_DATA_DIR: dataDir,
    BATON_ALLOWED_ROOTS: workDir,
    BATON_HTTP_PORT: String(await freePort()),
    BATON_TEMPORAL_PORT: String(await freePort()),
    BATON_TEMPORAL_UI_PORT: String(await freePort()),
    BATON_CLAUDE_BIN: path.join(FIXTURES, 'fake-claude.mjs'),
    BATON_CODEX_BIN: path.join(FIXTURES, 'fake-codex.mjs'),
  };
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'dev'], { env, cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise((resolve, reject) => {
    const read = (chunk) => {
      output += chunk;
      const mcp = /MCP endpoint \(Streamable HTTP\): (\S+)/.exec(output);
      const runs = /Baton's runs in the Web UI: +(\S+)/.exec(output);
      if (/is ready/.test(output) && mcp && runs) resolve({ mcpUrl: mcp[1], runsUrl: runs[1] });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`baton dev exited (${code}) before it was ready:\n${output}`)));
    setTimeout(() => reject(new Error(`baton dev was not ready after 120 s:\n${output}`)), 120_000).unref();
  });
  return { child, ...(await ready) };
}

async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${result.content?.[0]?.text}`);
  return result.structuredContent;
}

const team = (...args) => ({ backend: 'command', backend_config: { command: [process.execPath, path.join(FIXTURES, 'fake-team.mjs'), ...args] } });
const agent = (...args) => ({ command: [process.execPath, path.join(FIXTURES, 'fake-agent.mjs'), ...args] });

/** A few runs of each kind: completed, failed, cancelled, one still running, and a pipeline. */
async function makeWork(client, workDir) {
  await call(client, 'dispatch', { prompt: 'Summarise the open issues about the parser', cwd: workDir, backend: 'claude_code', max_wait_seconds: 50 });
  await call(client, 'dispatch', {
    prompt: 'Run the migration check',
    cwd: workDir,
    backend: 'command',
    backend_config: agent('--lines', '3', '--exit-code', '3'),
    max_wait_seconds: 50,
  });
  const cancelled = await call(client, 'spawn_run', {
    prompt: 'Rewrite the tokenizer in Rust',
    cwd: workDir,
    role: 'worker',
    backend: 'command',
    backend_config: agent('--sleep-ms', '600000'),
  });
  await call(client, 'cancel_run', { run_id: cancelled.run_id, reason: 'the plan changed: keep the tokenizer in TypeScript', wait_seconds: 30 });
  const running = await call(client, 'spawn_run', {
    prompt: 'Refactor the parser into one module per grammar rule',
    cwd: workDir,
    role: 'worker',
    backend: 'command',
    backend_config: agent('--lines', '2', '--delay-ms', '200', '--sleep-ms', '600000'),
  });
  const cwd = path.join(workDir, 'pipeline');
  mkdirSync(cwd);
  const pipeline = await call(client, 'spawn_pipeline', {
    goal: 'Add a --json flag to the CLI and document it',
    cwd,
    planner: team('plan', '--steps', '2'),
    worker: team('work'),
    reviewer: team('review'),
    parallelism: 2,
  });
  for (let i = 0; i < 60; i += 1) {
    const view = await call(client, 'get_pipeline', { pipeline_id: pipeline.pipeline_id, wait_seconds: 5 });
    if (['completed', 'failed', 'cancelled', 'rejected'].includes(view.status)) break;
  }
  return { runId: running.run_id, pipelineId: pipeline.pipeline_id };
}

/** Chromium, headless, driven over the DevTools protocol: a live page never goes idle. */
async function startChromium() {
  const child = spawn(CHROMIUM, ['--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--remote-debugging-port=0', 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wsUrl = await new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (chunk) => {
      err += chunk;
      const m = /DevTools listening on (ws:\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${CHROMIUM} exited (${code}): ${err.slice(-2000)}`)));
  });
  const browser = await cdp(wsUrl);
  const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  const page = (method, params = {}) => browser.send(method, params, sessionId);
  await page('Emulation.setDeviceMetricsOverride', { width: 1400, height: 900, deviceScaleFactor: 1, mobile: false });
  return {
    page,
    close: () => {
      browser.close();
      child.kill();
    },
  };
}

function cdp(url) {
  const ws = new WebSocket(url);
  let next = 0;
  const waiting = new Map();
  ws.onmessage = (msg) => {
    const data = JSON.parse(msg.data);
    const w = waiting.get(data.id);
    if (!w) return;
    waiting.delete(data.id);
    if (data.error) w.reject(new Error(data.error.message));
    else w.resolve(data.result);
  };
  return new Promise((resolve) => {
    ws.onopen = () =>
      resolve({
        send: (method, params, sessionId) =>
          new Promise((res, rej) => {
            next += 1;
            waiting.set(next, { resolve: res, reject: rej });
            ws.send(JSON.stringify({ id: next, method, params, ...(sessionId ? { sessionId } : {}) }));
          }),
        close: () => ws.close(),
      });
  });
}

/**
 * The columns README's "Watching runs" has a person add: the Web UI keeps them in the browser's
 * localStorage (this key and shape are the Web UI's own, 2.x), so the picture shows them too.
 */
const COLUMNS = ['Status', 'Workflow ID', 'BatonRole', 'BatonBackend', 'BatonStatus', 'BatonParent', 'Start', 'End'].map((label) => ({ label }));

async function untilText(browser, text) {
  for (let i = 0; i < 60; i += 1) {
    await delay(500);
    const { result } = await browser.page('Runtime.evaluate', { expression: 'document.body ? document.body.innerText : ""', returnByValue: true });
    if (String(result.value).includes(text)) return;
  }
}

/** Opens `url`, waits until the page shows `text`, clicks the tab named `tab`, saves a PNG. */
async function shoot(browser, url, file, text, tab = null) {
  await browser.page('Page.navigate', { url });
  await untilText(browser, text);
  if (tab) {
    const click = `[...document.querySelectorAll('a,button,[role=tab]')].find((e) => e.textContent.trim().startsWith(${JSON.stringify(tab)}))?.click()`;
    await browser.page('Runtime.evaluate', { expression: click });
  }
  await delay(2000);
  const { data } = await browser.page('Page.captureScreenshot', { format: 'png' });
  writeFileSync(path.join(OUT, file), Buffer.from(data, 'base64'));
  console.log(`docs/screenshots/${file}: ${url}`);
}

const temp = mkdtempSync(path.join(tmpdir(), 'baton-screenshots-'));
const running = process.env.BATON_MCP_URL && process.env.BATON_RUNS_URL;
const workDir = running ? mkdtempSync(path.join(process.env.WORK_DIR ?? process.cwd(), 'screenshots-')) : path.join(temp, 'work');
mkdirSync(workDir, { recursive: true });
mkdirSync(OUT, { recursive: true });
const baton = running ? { mcpUrl: process.env.BATON_MCP_URL, runsUrl: process.env.BATON_RUNS_URL, child: null } : await startBaton(path.join(temp, 'data'), workDir);
const client = new Client({ name: 'screenshots', version: '1' });
try {
  await client.connect(new StreamableHTTPClientTransport(new URL(baton.mcpUrl)));
  const { runId, pipelineId } = await makeWork(client, workDir);
  const ui = baton.runsUrl.slice(0, baton.runsUrl.indexOf('/workflows?'));
  const browser = await startChromium();
  try {
    await browser.page('Page.navigate', { url: baton.runsUrl });
    await delay(1000);
    const columns = JSON.stringify(JSON.stringify({ default: COLUMNS }));
    await browser.page('Runtime.evaluate', { expression: `localStorage.setItem('namespace-workflow-table-columns', ${columns})` });
    await shoot(browser, baton.runsUrl, 'runs.png', pipelineId);
    await shoot(browser, `${ui}/workflows/${encodeURIComponent(runId)}`, 'run.png', 'Refactor the parser', 'User Metadata');
    await shoot(browser, `${ui}/workflows/${encodeURIComponent(pipelineId)}`, 'pipeline.png', 'Add a --json flag');
  } finally {
    browser.close();
  }
} finally {
  await client.close().catch(() => undefined);
  if (baton.child) {
    baton.child.kill('SIGINT');
    await new Promise((resolve) => baton.child.once('exit', resolve));
  }
  rmSync(temp, { recursive: true, force: true });
}
