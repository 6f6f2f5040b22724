// `baton mcp`: MCP over stdio for clients that launch their servers. It answers at once and
// connects to Temporal in the background; tools wait for that (DESIGN.md §3).
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { BatonConfig } from '../config.js';
import { log } from '../log.js';
import { createMcpServer } from '../mcp/server.js';
import { batonVersion, startServices, toolContext, type Services } from './services.js';

export async function runMcpStdio(config: BatonConfig, opts: { worker: boolean }): Promise<void> {
  const booting: Promise<Services> = startServices(config, { worker: opts.worker, say: (line) => log.info(line) });
  booting.catch((err: unknown) => log.error(`cannot reach Temporal: ${err instanceof Error ? err.message : String(err)}`));
  const ctx = toolContext(config, async () => (await booting).runs);
  const server = createMcpServer(ctx, batonVersion());
  const transport = new StdioServerTransport();
  await server.connect(transport);

  await new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close().catch(() => undefined);
  const services = await booting.catch(() => null);
  if (services) {
    // The worker hands its agents back to Temporal; they go on and the next worker re-attaches.
    await services.worker?.shutdown();
    await services.temporal.close();
  }
}
