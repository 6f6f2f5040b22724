// Every HTTP port of the dev server Baton starts, reached the way a web page would reach it: with
// a foreign Host (DNS rebinding: the page's own name resolved to 127.0.0.1) or a foreign Origin
// (another site's page calling the port). None may hand out a run's prompt or output, or start
// work. The Web UI the user opens stays fully usable from the local browser. (The MCP endpoint's
// own guard is tested in http-guard.test.ts.)
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BROWSER_BLOCKED_PORTS } from '../../src/temporal/dev-server.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { callOk, connectStdio, type McpSession } from '../helpers/mcp.js';

const CANARY = `canary-prompt-${Math.random().toString(36).slice(2)}`;

let env: TestEnv;
let mcp: McpSession;
let runId: string;

beforeAll(async () => {
  env = await makeTestEnv();
  mcp = await connectStdio(env);
  const started = await callOk<{ run_id: string }>(mcp.client, 'spawn_run', { prompt: CANARY, backend: 'command', cwd: env.workDir, backend_config: { command: ['cat'] } });
  runId = started.run_id;
  const waited = await callOk<{ finished: boolean }>(mcp.client, 'wait_run', { run_id: runId, max_wait_seconds: 50 });
  expect(waited.finished).toBe(true);
}, 120_000);

afterAll(async () => {
  await mcp?.close();
  await env?.cleanup();
});

interface Answer {
  status: number;
  body: string;
}

/** A raw HTTP request to 127.0.0.1:port with the headers an attacker chooses. */
function send(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The body with every payload's base64 "data" decoded, as the Web UI shows it. */
function decoded(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), (key, value: unknown) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));
  } catch {
    return body;
  }
}

const historyPath = () => `/api/v1/namespaces/default/workflows/${runId}/history`;
const FOREIGN = [
  ['a foreign Host', { host: 'evil.example' }],
  ['a foreign Host with the port', { host: `evil.example:${new URL(inject('temporalUiUrl')).port}` }],
  ['a loopback-looking foreign Host', { host: '127.0.0.1.nip.io' }],
  ['a foreign Origin', { origin: 'http://evil.example' }],
  ['the null Origin', { origin: 'null' }],
] as const;

describe('the Web UI that Baton prints (the guard in front of the real UI)', () => {
  const port = () => Number(new URL(inject('temporalUiUrl')).port);

  it.each(FOREIGN)('refuses %s with 403 and shows nothing', async (_, headers) => {
    for (const path of ['/', historyPath(), '/api/v1/namespaces/default/workflows']) {
      const answer = await send(port(), path, headers);
      expect(answer.status).toBe(403);
      expect(decoded(answer.body)).not.toContain(CANARY);
    }
  });

  it.each(FOREIGN)('refuses a start, signal or cancel sent with %s', async (_, headers) => {
    const answer = await send(port(), `/api/v1/namespaces/default/workflows/${runId}/cancel`, { 'content-type': 'application/json', ...headers }, 'POST', '{}');
    expect(answer.status).toBe(403);
  });

  it("serves the local user's browser everything: the app, the run list and a run's history with its prompt", async () => {
    const local = { host: `127.0.0.1:${port()}` };
    const page = await send(port(), '/', local);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<html/i);
    const same = { host: `localhost:${port()}`, origin: `http://localhost:${port()}` };
    expect((await send(port(), '/api/v1/namespaces/default/workflows', same)).status).toBe(200);
    const history = await send(port(), historyPath(), local);
    expect(history.status).toBe(200);
    expect(decoded(history.body)).toContain(CANARY);
  });
});

describe("the dev server's own ports", () => {
  it('puts the real Web UI and the metrics endpoint on ports that a browser (any Fetch-standard client) refuses to reach', async () => {
    for (const port of [inject('temporalInternalUiPort'), inject('temporalMetricsPort')]) {
      expect(BROWSER_BLOCKED_PORTS).toContain(port);
      const refused = await fetch(`http://127.0.0.1:${port}/`).then(
        () => null,
        (err: unknown) => err,
      );
      expect(String((refused as Error | null)?.cause)).toMatch(/bad port/);
    }
  });

  it.each(FOREIGN)('the HTTP API refuses %s: no history, no start', async (_, headers) => {
    const port = inject('temporalHttpPort');
    const history = await send(port, historyPath(), headers);
    expect(history.status).toBe(403);
    expect(decoded(history.body)).not.toContain(CANARY);
    const start = await send(
      port,
      `/api/v1/namespaces/default/workflows/forged-${Date.now()}`,
      { 'content-type': 'application/json', ...headers },
      'POST',
      '{"workflowType":{"name":"agentRun"},"taskQueue":{"name":"nobody"}}',
    );
    expect(start.status).toBe(403);
  });

  it('the metrics endpoint holds no prompt or output', async () => {
    const answer = await send(inject('temporalMetricsPort'), '/metrics', { host: 'evil.example' });
    expect(decoded(answer.body)).not.toContain(CANARY);
  });

  it('the gRPC port answers no plain HTTP request from a page', async () => {
    const port = Number(inject('temporalAddress').split(':').pop());
    const answer = await send(port, historyPath(), { host: 'evil.example', origin: 'http://evil.example' }).catch(() => null);
    if (answer) {
      expect(answer.status).not.toBe(200);
      expect(decoded(answer.body)).not.toContain(CANARY);
    }
  });
});
