// Reaching the agent: its card, then a client on the best transport the card offers (JSON-RPC or
// HTTP+JSON, A2A v1.0 or v0.3 through the SDK's compat layer), with Baton's headers on every
// request, the card's included.
import type { AgentCard } from '@a2a-js/sdk';
import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory, RestTransportFactory, type Client } from '@a2a-js/sdk/client';
import { z } from 'zod';
import { errorText } from '../error-text.js';

/** The environment variable that carries the HTTP headers (JSON object), so they never show in argv. */
export const HEADERS_ENV = 'BATON_A2A_HEADERS';

export class ConnectError extends Error {
  override name = 'ConnectError';
}

/** Reads (and removes from the environment) the headers Baton passed. */
export function takeHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const raw = env[HEADERS_ENV];
  delete env[HEADERS_ENV];
  if (raw === undefined || raw.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConnectError(`${HEADERS_ENV} is not JSON: expected an object of header names to values`);
  }
  const parsed = z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).safeParse(json);
  if (!parsed.success) throw new ConnectError(`${HEADERS_ENV} must be a JSON object of header names (letters, digits, -) to string values`);
  // Checked here, by name only: fetch's own error would print the (secret) value, newlines and all.
  for (const [name, value] of Object.entries(parsed.data)) {
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
      throw new ConnectError(
        `header ${name} holds a control character (a newline, carriage return, NUL, ...), which HTTP does not allow in a header value: fix backend_config.headers.${name} (or bearer_token)`,
      );
    }
  }
  return parsed.data;
}

/** fetch with Baton's headers added; the SDK's own headers (Content-Type, A2A-Version, …) win. */
export function fetchWithHeaders(headers: Record<string, string>): typeof fetch {
  return (input, init) => {
    const merged = new Headers(headers);
    new Headers(init?.headers).forEach((value, name) => merged.set(name, value));
    return fetch(input, { ...init, headers: merged });
  };
}

/** A card URL is given as such (a path ending in .json); anything else is the agent's base URL. */
export function cardLocation(agentUrl: string): { base: string; path: string | undefined } {
  const url = new URL(agentUrl);
  if (url.pathname.endsWith('.json')) return { base: url.href, path: '' };
  // The SDK resolves the well-known path relative to the base: without the slash, the last
  // path segment would be dropped.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { base: url.href, path: undefined };
}

export interface Connection {
  client: Client;
  card: AgentCard;
  cardUrl: string;
  streaming: boolean;
}

export async function connect(agentUrl: string, headers: Record<string, string>): Promise<Connection> {
  const fetchImpl = fetchWithHeaders(headers);
  const legacyCompat = { enabled: true };
  const resolver = new DefaultAgentCardResolver({ fetchImpl, legacyCompat });
  const { base, path } = cardLocation(agentUrl);
  const cardUrl = new URL(path ?? '.well-known/agent-card.json', base).href;
  let card: AgentCard;
  try {
    card = await withRetries(() => resolver.resolve(base, path));
  } catch (err) {
    throw new ConnectError(`could not read the agent card at ${cardUrl}: ${errorText(err)}`);
  }
  const factory = new ClientFactory({
    transports: [new JsonRpcTransportFactory({ fetchImpl, legacyCompat }), new RestTransportFactory({ fetchImpl, legacyCompat })],
    cardResolver: resolver,
  });
  let client: Client;
  try {
    client = await factory.createFromAgentCard(card);
  } catch (err) {
    throw new ConnectError(`the agent card at ${cardUrl} offers no transport this bridge speaks (JSON-RPC, HTTP+JSON): ${errorText(err)}`);
  }
  return { client, card, cardUrl, streaming: card.capabilities?.streaming === true };
}

/** A network failure (fetch's TypeError) is retried a few times; an HTTP answer is not. */
async function withRetries<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof TypeError) || i >= tries) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** i));
    }
  }
}
