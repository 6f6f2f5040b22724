// `baton dev` (what `npm start` runs): Temporal dev server, worker and the MCP server on HTTP, on
// one machine. Ctrl-C stops Baton's own processes; agents still running go on (DESIGN.md §3).
import type { BatonConfig } from '../config.js';
import { listRuns } from '../client/run-list.js';
import { checkHttpExposure, startHttpEndpoint } from '../mcp/http.js';
import { createMcpServer } from '../mcp/server.js';
import { describeProcessTracking } from '../temporal/worker.js';
import { batonVersion, startServices, toolContext, type Services } from './services.js';

export async function runDev(config: BatonConfig): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  checkHttpExposure(config.http); // before Temporal and the worker start, not after
  const services = await startServices(config, { worker: true, say });
  const ctx = toolContext(config, async () => services.runs);
  const version = batonVersion();
  const http = await startHttpEndpoint({ ...config.http, makeServer: () => createMcpServer(ctx, version) }).catch(async (err: unknown) => {
    // No endpoint (its port taken, say): stop what started for it, the dev server above all.
    await stopServices(services);
    throw err;
  });
  const uiUrl = services.temporal.devServer?.uiUrl ?? '(your Temporal server\'s Web UI)';
  say('');
  say(`Baton ${version} is ready.`);
  say(`  MCP endpoint (Streamable HTTP): ${http.url}`);
  say(`  Temporal Web UI:                ${uiUrl}`);
  say(`  Connect Claude Code:            claude mcp add --transport http baton ${http.url}`);
  say(`  Allowed roots for cwd:          ${config.allowedRoots.join(', ')}`);
  if (services.worker) say(`  Agent processes tracked by:     ${describeProcessTracking(services.worker.processTracking)}`);
  say('Press Ctrl-C to stop.');

  await untilStopRequested(services, say);

  say('\nstopping Baton: MCP endpoint, worker' + (services.temporal.devServer?.owned ? ', Temporal dev server' : ''));
  await http.close();
  await stopServices(services, say);
  say('stopped.');
}

async function stopServices(services: Services, say?: (line: string) => void): Promise<void> {
  await services.worker?.shutdown();
  if (say) await reportRunningAgents(services, say);
  await services.temporal.close();
  await services.temporal.devServer?.stop();
}

/**
 * Resolves on the first SIGINT/SIGTERM. npm forwards the terminal's Ctrl-C to its child, so one
 * Ctrl-C can arrive twice: only a second one at least two seconds later forces an exit (and still
 * stops the dev server Baton started).
 */
function untilStopRequested(services: Services, say: (line: string) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let firstAt = 0;
    const stop = () => {
      if (firstAt === 0) {
        firstAt = Date.now();
        resolve();
      } else if (Date.now() - firstAt > 2000) {
        say('stopping now, without waiting');
        const pid = services.temporal.devServer?.owned ? services.temporal.devServer.pid : null;
        if (pid) {
          try {
            process.kill(-pid, 'SIGTERM');
          } catch {
            // already gone
          }
        }
        process.exit(130);
      }
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    services.worker?.done.catch((err: unknown) => {
      say(`the worker stopped: ${err instanceof Error ? err.message : String(err)}`);
      stop();
    });
  });
}

/** Agents are durable work: say how many go on without Baton, and how to stop them. */
async function reportRunningAgents(services: Services, say: (line: string) => void): Promise<void> {
  const page = await listRuns(services.temporal.client, { open: true }, 100, null).catch(() => null);
  if (!page || page.runs.length === 0) return;
  const ids = page.runs.map((r) => r.run_id);
  const more = page.next_cursor ? ' (and more)' : '';
  say(`${ids.length}${more} run(s) are still running; their agents go on, and the next \`npm start\` picks them up again:`);
  for (const id of ids.slice(0, 10)) say(`  ${id}`);
  say('To stop one: start Baton and call cancel_run, or `temporal workflow cancel --workflow-id <run_id>` against the server.');
}
