// The Streamable HTTP transport of the built `baton dev`, attacked from outside: DNS rebinding
// (a foreign Host), a foreign Origin (a web page calling the local server), and binding beyond
// loopback, which needs BATON_HTTP_TOKEN: without it Baton does not start, and with it every
// request must carry the token. A real MCP client that sends the token works.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnBatonDev, type DevProcess } from '../helpers/baton-process.js';
import { makeTestEnv, type TestEnv } from '../helpers/env.js';
import { startHttpBaton, type HttpBaton } from '../helpers/mcp.js';

const TOKEN = randomBytes(24).toString('hex');

let env: TestEnv;
let loopback: HttpBaton;
let exposed: DevProcess;
/** The exposed endpoint (bound to 0.0.0.0), reached over loopback. */
let exposedUrl: URL;

beforeAll(async () => {
  env = await makeTestEnv();
  exposed = spawnBatonDev(env, { BATON_HTTP_HOST: '0.0.0.0', BATON_HTTP_TOKEN: TOKEN, BATON_HOST_ID: `${env.config.hostId}-exposed` });
  const [started, printed] = await Promise.all([startHttpBaton(env), exposed.ready]);
  loopback = started;
  exposedUrl = new URL(printed);
  expect(exposedUrl.hostname).toBe('0.0.0.0');
  exposedUrl.hostname = '127.0.0.1';
});

afterAll(async () => {
  await loopback?.stop();
  await exposed?.stop();
  await env?.cleanup();
});

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'intruder', version: '1' } },
});

/** A raw MCP initialize POST with the headers an attacker chooses. */
function post(url: URL, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(initialize);
  });
}

describe('baton dev on loopback (the default)', () => {
  const url = () => new URL(loopback.url);

  it.each(['evil.example', 'evil.example:80', '127.0.0.1.nip.io', 'localhost.evil.example', 'localhost:1'])('refuses the foreign Host %j with 403', async (host) => {
    const res = await post(url(), { host: host.includes(':') ? host : `${host}:${url().port}` });
    expect(res.status).toBe(403);
    expect(res.body).toContain('is not this server');
  });

  it.each(['http://evil.example', 'null', `http://localhost.evil.example`, 'https://127.0.0.1.nip.io', 'file://'])('refuses the foreign Origin %j with 403', async (origin) => {
    const res = await post(url(), { origin });
    expect(res.status).toBe(403);
    expect(res.body).toContain('may not call this server');
  });

  it('serves its own origin and a real MCP client', async () => {
    expect((await post(url(), { origin: `http://127.0.0.1:${url().port}` })).status).toBe(200);
    const help = (await loopback.client.callTool({ name: 'help', arguments: {} })) as CallToolResult;
    expect(help.isError).toBeFalsy();
  });
});

describe('baton dev bound beyond loopback', () => {
  it('refuses to start without BATON_HTTP_TOKEN, saying so, before it starts anything', async () => {
    // With no Temporal address it would start its own dev server first, were the check not first.
    const dev = spawnBatonDev(env, { BATON_HTTP_HOST: '0.0.0.0', TEMPORAL_ADDRESS: '', BATON_HOST_ID: `${env.config.hostId}-untokened` });
    await expect(dev.ready).rejects.toThrow();
    expect(await dev.exited).not.toBe(0);
    expect(dev.output()).toMatch(/BATON_HTTP_HOST=0\.0\.0\.0 would expose Baton .*set BATON_HTTP_TOKEN/);
    expect(dev.output()).not.toContain('MCP endpoint');
    expect(dev.output()).not.toContain('Temporal dev server');
  });

  it('refuses to start with a token too short to be a secret', async () => {
    const dev = spawnBatonDev(env, { BATON_HTTP_HOST: '0.0.0.0', BATON_HTTP_TOKEN: 'short', BATON_HOST_ID: `${env.config.hostId}-short` });
    expect(await dev.exited).not.toBe(0);
    expect(dev.output()).toContain('BATON_HTTP_TOKEN must be at least 16 characters');
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: `Bearer ${'x'.repeat(TOKEN.length)}` }],
    ['the token with more after it', { authorization: `Bearer ${TOKEN}x` }],
    ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['the token as Basic credentials', { authorization: `Basic ${Buffer.from(`baton:${TOKEN}`).toString('base64')}` }],
    ['the token without the Bearer scheme', { authorization: TOKEN }],
  ])('refuses a request with %s (401)', async (_what, headers: Record<string, string>) => {
    const res = await post(exposedUrl, headers);
    expect(res.status).toBe(401);
    expect(res.body).toContain('missing or wrong bearer token');
  });

  it('refuses a foreign Origin even with the token', async () => {
    expect((await post(exposedUrl, { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' })).status).toBe(403);
  });

  it('serves an MCP client that sends the token, and not one that does not', async () => {
    const client = new Client({ name: 'baton-chaos-tests', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(exposedUrl, { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['spawn_run', 'get_run', 'help']));
      const listed = (await client.callTool({ name: 'list_runs', arguments: { limit: 1 } })) as CallToolResult;
      expect(listed.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    const intruder = new Client({ name: 'intruder', version: '1' });
    await expect(intruder.connect(new StreamableHTTPClientTransport(exposedUrl))).rejects.toThrow(/401|bearer token/i);
  });
});
