// The Streamable HTTP endpoint's own guards: DNS rebinding (Host, Origin), the bearer token off
// loopback, stateless POST only; and a real MCP client works through it.
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpEndpoint, type HttpEndpoint, type HttpOptions } from '../../src/mcp/http.js';
import { createMcpServer } from '../../src/mcp/server.js';

const ctx = { runs: () => Promise.reject(new Error('no Temporal in this test')), hostId: 'h', runDir: (id: string) => `/tmp/${id}` };
const base: HttpOptions = { host: '127.0.0.1', port: 0, portExplicit: true, token: null, allowedOrigins: [], makeServer: () => createMcpServer(ctx, 'test') };
const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

function post(port: number, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/mcp', method, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? initialize : undefined);
  });
}

describe('HTTP endpoint on loopback', () => {
  let endpoint: HttpEndpoint;
  beforeAll(async () => {
    endpoint = await startHttpEndpoint(base);
  });
  afterAll(() => endpoint.close());

  it('serves a real MCP client (stateless: no session id)', async () => {
    const client = new Client({ name: 't', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(endpoint.url));
    await client.connect(transport);
    expect(transport.sessionId).toBeUndefined();
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['spawn_run', 'dispatch', 'get_run', 'wait_run', 'poll_events', 'read_output', 'list_runs', 'cancel_run', 'help']));
    await client.close();
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await post(endpoint.port, { host: `evil.example:${endpoint.port}` });
    expect(res.status).toBe(403);
    expect(res.body).toContain('is not this server');
  });

  it('refuses a foreign Origin and accepts a loopback one', async () => {
    expect((await post(endpoint.port, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(endpoint.port, { origin: `http://localhost:${endpoint.port}` })).status).toBe(200);
  });

  it('answers GET with 405: there is no standalone stream in stateless mode', async () => {
    expect((await post(endpoint.port, {}, 'GET')).status).toBe(405);
  });
});

describe('HTTP endpoint beyond loopback', () => {
  it('refuses to start without BATON_HTTP_TOKEN', async () => {
    await expect(startHttpEndpoint({ ...base, host: '0.0.0.0' })).rejects.toThrow(/set BATON_HTTP_TOKEN/);
  });

  it('requires the bearer token on every request', async () => {
    const endpoint = await startHttpEndpoint({ ...base, host: '0.0.0.0', token: 'a-long-enough-secret-token' });
    try {
      expect((await post(endpoint.port, {})).status).toBe(401);
      expect((await post(endpoint.port, { authorization: 'Bearer wrong-token-of-some-size' })).status).toBe(401);
      expect((await post(endpoint.port, { authorization: 'Bearer a-long-enough-secret-token' })).status).toBe(200);
    } finally {
      await endpoint.close();
    }
  });
});

describe('HTTP port choice', () => {
  it('moves to the next free port when the default one is taken, but not an explicit one', async () => {
    const first = await startHttpEndpoint(base);
    try {
      const second = await startHttpEndpoint({ ...base, port: first.port, portExplicit: false });
      expect(second.port).not.toBe(first.port);
      await second.close();
      await expect(startHttpEndpoint({ ...base, port: first.port })).rejects.toThrow(`port ${first.port} on 127.0.0.1 is in use`);
    } finally {
      await first.close();
    }
  });
});
