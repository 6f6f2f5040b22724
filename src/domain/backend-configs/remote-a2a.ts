import { z } from 'zod';
import { headerValue, strictObject } from '../strict.js';

export const remoteA2aConfigSchema = strictObject(
  {
    agent_url: z
      .url({ protocol: /^https?$/, error: "backend_config.agent_url must be an http(s) URL: the agent's base URL or its agent card URL" })
      .describe("The remote agent: its base URL (the agent card is read from /.well-known/agent-card.json) or the card's URL."),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and -'), headerValue())
      .default({})
      .describe('HTTP headers sent with every request (e.g. an API key). Kept secret: sealed before they enter workflow history.'),
    bearer_token: headerValue().min(1).optional().describe('Sent as Authorization: Bearer <token>. Kept secret like headers.'),
  },
  'backend_config for the remote_a2a backend',
);
export type RemoteA2aConfig = z.infer<typeof remoteA2aConfigSchema>;
