// MCP over Streamable HTTP, stateless: a fresh server and transport for every request and no
// session id, so any number of Baton MCP servers can stand behind one address (docs/ARCHITECTURE.md).
// Host and Origin are checked here (DNS rebinding), and a bearer token is required off loopback.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isLoopback, loopbackNames } from '../http-origin.js';
import { log } from '../log.js';

export interface HttpOptions {
  host: string;
  port: number;
  /** When false (the default port), a busy port is skipped for the next free one. */
  portExplicit: boolean;
  token: string | null;
  allowedOrigins: string[];
  makeServer: () => McpServer;
}

export interface HttpEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const MCP_PATH = '/mcp';
const PORT_ATTEMPTS = 20;

export { isLoopback };

/** Refuses an endpoint reachable beyond this machine without a token; call before starting anything. */
export function checkHttpExposure(options: Pick<HttpOptions, 'host' | 'token'>): void {
  if (!isLoopback(options.host) && !options.token) {
    throw new Error(`BATON_HTTP_HOST=${options.host} would expose Baton beyond this machine without authentication: set BATON_HTTP_TOKEN (16+ characters) or bind to 127.0.0.1`);
  }
}

export async function startHttpEndpoint(options: HttpOptions): Promise<HttpEndpoint> {
  checkHttpExposure(options);
  const attempts = options.portExplicit || options.port === 0 ? 1 : PORT_ATTEMPTS;
  for (let i = 0; i < attempts; i++) {
    const port = options.port === 0 ? 0 : options.port + i;
    const server = createServer((req, res) => void handle(req, res, options, server));
    const bound = await listen(server, port, options.host);
    if (bound === 'in-use') {
      if (options.portExplicit) throw new Error(`port ${port} on ${options.host} is in use: free it or set BATON_HTTP_PORT to another port`);
      continue;
    }
    if (i > 0) log.warn(`port ${options.port} is in use; the MCP endpoint listens on ${bound} instead`);
    const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
    return {
      url: `http://${shownHost}:${bound}${MCP_PATH}`,
      port: bound,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  }
  throw new Error(`ports ${options.port}-${options.port + attempts - 1} are all in use: set BATON_HTTP_PORT to a free port`);
}

function listen(server: Server, port: number, host: string): Promise<number | 'in-use'> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve('in-use') : reject(err)));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, options: HttpOptions, server: Server): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://placeholder');
  if (url.pathname !== MCP_PATH) return reply(res, 404, `not found: the MCP endpoint is ${MCP_PATH}`);
  const port = (server.address() as AddressInfo).port;
  const refusal = refuse(req, options, port);
  if (refusal) return reply(res, refusal.status, refusal.message);
  if (req.method !== 'POST') {
    // Stateless: no standalone SSE stream (GET) and no session to delete (DELETE).
    res.setHeader('Allow', 'POST');
    return reply(res, 405, 'this MCP endpoint is stateless: send JSON-RPC with POST');
  }
  const mcp = options.makeServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => {
    void transport.close();
    void mcp.close();
  });
  try {
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  } catch (err) {
    log.error('MCP HTTP request failed', { error: err instanceof Error ? err.message : String(err) });
    if (!res.headersSent) reply(res, 500, 'internal error');
  }
}

function refuse(req: IncomingMessage, options: HttpOptions, port: number): { status: number; message: string } | null {
  const host = req.headers.host ?? '';
  if (isLoopback(options.host) && !loopbackNames(port).includes(host.toLowerCase())) {
    return { status: 403, message: `Host "${host}" is not this server: use http://127.0.0.1:${port}${MCP_PATH}` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !originAllowed(origin, options, port, host)) {
    return { status: 403, message: `Origin "${origin}" may not call this server; add it to BATON_HTTP_ALLOWED_ORIGINS to allow it` };
  }
  if (options.token && !bearerMatches(req.headers.authorization, options.token)) {
    return { status: 401, message: 'missing or wrong bearer token: send Authorization: Bearer <BATON_HTTP_TOKEN>' };
  }
  return null;
}

function originAllowed(origin: string, options: HttpOptions, port: number, host: string): boolean {
  if (options.allowedOrigins.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (isLoopback(options.host)) return loopbackNames(port).includes(parsed.host.toLowerCase());
  return parsed.host.toLowerCase() === host.toLowerCase();
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
