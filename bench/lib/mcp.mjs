// A real MCP client (@modelcontextprotocol/sdk) and one call helper: structured content back,
// a tool error thrown with its message.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const REQUEST_TIMEOUT_MS = 120_000;

function newClient() {
  return new Client({ name: 'baton-bench', version: '1.0.0' });
}

export async function connectHttp(url) {
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

export async function connectStdio(params) {
  const client = newClient();
  const transport = new StdioClientTransport(params);
  await client.connect(transport);
  return { client, pid: transport.pid };
}

export class ToolError extends Error {
  name = 'ToolError';
}

/** Calls a Baton tool; returns its structuredContent. */
export async function call(client, name, args = {}) {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: REQUEST_TIMEOUT_MS });
  if (result.isError) throw new ToolError(`${name}: ${result.content.map((c) => c.text).join('\n')}`);
  return result.structuredContent;
}
