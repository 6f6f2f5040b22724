// `baton mcp`: MCP over stdio for clients that launch their servers, one per client session. It
// answers at once and connects to Temporal in the background; tools wait for that
// (docs/ARCHITECTURE.md). While it runs it supervises the dev server it started (or adopted, or
// took over); when its client goes (stdin closed, SIGHUP, SIGTERM, stdout gone) it leaves: the
// last Baton session of the data dir out stops the server, and while others remain one of them
// takes it over (dev-server-share.ts). Running agents go on either way. Unless BATON_PUSH=0 it
// pushes the ends of the runs started through it as Claude Code channel events (src/mcp/push.ts).
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { BatonConfig } from '../config.js';
import { log } from '../log.js';
import { PushWatcher } from '../mcp/push.js';
import { pushSessionId, pushStateFile } from '../mcp/push-session.js';
import { createMcpServer } from '../mcp/server.js';
import { batonVersion, startServices, toolContext, type Services } from './services.js';
import { onSessionEnd, tolerateClosedChannels, within } from './session-end.js';

export async function runMcpStdio(config: BatonConfig, opts: { worker: boolean }): Promise<void> {
  // Every run and pipeline started here records this session in its memo: push finds them by it.
  const session = pushSessionId(config.session, process.cwd());
  const booting: Promise<Services> = startServices(config, { worker: opts.worker, say: (line) => log.info(line), origin: session });
  booting.catch((err: unknown) => log.error(`cannot reach Temporal: ${err instanceof Error ? err.message : String(err)}`));
  const ctx = toolContext(config, async () => (await booting).runs);
  // Pushed events name Baton's own tools (get_run): only the baton profile has them.
  const pushes = config.push && config.toolProfile === 'baton';
  const server = createMcpServer(ctx, batonVersion(), { push: pushes, profile: config.toolProfile, claudeBridge: config.claudeBridge });
  const push = pushes
    ? new PushWatcher({
        runs: ctx.runs,
        origin: session,
        stateFile: pushStateFile(config.dataDir, session),
        send: (event) => server.server.notification({ method: 'notifications/claude/channel', params: { ...event } }),
      })
    : null;
  // Events sent before the client's `initialized` could be dropped: start looking after it.
  if (push) server.server.oninitialized = () => push.start();
  const transport = new StdioServerTransport();
  await server.connect(transport);

  await new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    process.stdin.once('error', () => resolve());
    // stdout is the MCP stream here: once it is gone there is no client left to serve.
    onSessionEnd(() => resolve(), { stdoutIsOutput: true });
  });
  tolerateClosedChannels();
  await within(5000, push?.stop() ?? Promise.resolve());
  await within(
    5000,
    server.close().catch(() => undefined),
  );
  const services = await within(
    30_000,
    booting.catch(() => null),
  );
  if (services) {
    // The worker hands its agents back to Temporal; they go on and the next worker re-attaches.
    await within(10_000, services.worker?.shutdown() ?? Promise.resolve());
    await within(5000, services.temporal.close());
    await services.temporal.devServer?.stop();
  }
}
