// `baton dev` (what `npm start` runs): Temporal dev server, worker and the MCP server on HTTP, on
// one machine. Ctrl-C, SIGTERM, a closed terminal (SIGHUP) and a closed stdout all stop Baton's own
// processes and the dev server it supervises, unless other Baton sessions of the data dir still use
// it (one of them then takes it over); agents still running go on (docs/ARCHITECTURE.md).
import path from 'node:path';
import type { BatonConfig } from '../config.js';
import { listRuns } from '../client/run-list.js';
import { checkHttpExposure, startHttpEndpoint } from '../mcp/http.js';
import { createMcpServer } from '../mcp/server.js';
import { killGroup } from '../temporal/dev-server-supervisor.js';
import { otherLiveUsers } from '../temporal/dev-server-users.js';
import { describeProcessTracking } from '../temporal/worker.js';
import { batonVersion, startServices, toolContext, type Services } from './services.js';
import { onSessionEnd, sayLine, tolerateClosedChannels, within, type EndReason } from './session-end.js';
import { describeTemporal, removeDevRecord, writeDevRecord } from './status.js';

export async function runDev(config: BatonConfig): Promise<void> {
  const say = sayLine;
  const ending = untilStopRequested(say);
  checkHttpExposure(config.http); // before Temporal and the worker start, not after
  const services = await startServices(config, { worker: true, say });
  forceStopDevServer = async () => {
    const server = services.temporal.devServer;
    if (!server?.owned || !server.pid) return;
    // Other sessions still use it: left running, one of them takes it over once this process is gone.
    if ((await otherLiveUsers(path.join(config.dataDir, 'temporal'))).length === 0) killGroup(server.pid, 'SIGTERM');
  };
  const ctx = toolContext(config, async () => services.runs);
  const version = batonVersion();
  const http = await startHttpEndpoint({
    ...config.http,
    makeServer: () => createMcpServer(ctx, version, { profile: config.toolProfile, claudeBridge: config.claudeBridge }),
  }).catch(async (err: unknown) => {
    // No endpoint (its port taken, say): stop what started for it, the dev server above all.
    await stopServices(services);
    throw err;
  });
  services.worker?.done.catch((err: unknown) => {
    if (stopping) return; // a worker that fails while it is being stopped is part of the stop
    say(`the worker stopped: ${err instanceof Error ? err.message : String(err)}`);
    tolerateClosedChannels();
    stopRequested?.('worker stopped');
  });
  await writeDevRecord(config, { mcpUrl: http.url, temporalAddress: services.temporal.target.address });
  const uiUrl = services.temporal.devServer?.uiUrl ?? "(your Temporal server's Web UI)";
  say('');
  say(`Baton ${version} is ready.`);
  say(`  MCP endpoint (Streamable HTTP): ${http.url} (up)`);
  say(`  Temporal server:                ${describeTemporal(services.temporal)}`);
  say(`  Worker:                         up (host ${config.hostId}, task queue ${config.taskQueue})`);
  say(`  Temporal Web UI:                ${uiUrl}`);
  if (services.temporal.devServer?.uiUrl) say(`  Baton's runs in the Web UI:     ${batonRunsUrl(services.temporal.devServer.uiUrl, config.namespace)}`);
  say(`  Connect Claude Code:            claude mcp add --transport http baton ${http.url}`);
  if (config.toolProfile !== 'baton') say(`  Tool profile:                   ${config.toolProfile} (docs/${config.toolProfile}.md)`);
  say(`  Allowed roots for cwd:          ${config.allowedRoots.join(', ')}`);
  if (services.worker) say(`  Agent processes tracked by:     ${describeProcessTracking(services.worker.processTracking)}`);
  say('Press Ctrl-C to stop; `baton status` tells what is up.');

  const why = await ending;
  stopping = true;
  say(`\nstopping Baton (${why}): MCP endpoint, worker` + (services.temporal.devServer?.owned ? ', Temporal dev server' : ''));
  await within(5000, http.close());
  await stopServices(services, say);
  await removeDevRecord(config);
  say('stopped.');
}

async function stopServices(services: Services, say?: (line: string) => void): Promise<void> {
  // Each step is bounded: with the server away, a worker's shutdown and a list would wait on
  // retries, and the dev server Baton started must still be stopped.
  await within(10_000, services.worker?.shutdown() ?? Promise.resolve());
  if (say) await within(5000, reportRunningAgents(services, say));
  await within(5000, services.temporal.close());
  await services.temporal.devServer?.stop();
}

let stopRequested: ((why: EndReason) => void) | null = null;
let stopping = false;

/**
 * Resolves on the first way the session ends. npm forwards the terminal's Ctrl-C to its child, so
 * one Ctrl-C can arrive twice: only a second request at least two seconds later forces an exit
 * (and still stops the dev server Baton supervises, unless other sessions use it).
 */
function untilStopRequested(say: (line: string) => void): Promise<EndReason> {
  return new Promise<EndReason>((resolve) => {
    let firstAt = 0;
    stopRequested = (why) => {
      if (firstAt === 0) {
        firstAt = Date.now();
        resolve(why);
      } else if (Date.now() - firstAt > 2000 && why.startsWith('SIG')) {
        say('stopping now, without waiting');
        void forceStopDevServer().finally(() => process.exit(130));
      }
    };
    onSessionEnd((why) => stopRequested?.(why), { stdoutIsOutput: true });
  });
}

let forceStopDevServer = async (): Promise<void> => undefined;

/** Agents are durable work: say how many go on without Baton, and how to stop them. */
async function reportRunningAgents(services: Services, say: (line: string) => void): Promise<void> {
  const page = await listRuns(services.temporal.client, { open: true }, 100, null).catch(() => null);
  if (!page || page.runs.length === 0) return;
  const ids = page.runs.map((r) => r.run_id);
  const more = page.next_cursor ? ' (and more)' : '';
  say(`${ids.length}${more} run(s) are still running; their agents go on, and the next \`npm start\` picks them up again:`);
  for (const id of ids.slice(0, 10)) say(`  ${id}`);
  // `baton cancel` finds the server as this Baton did (same BATON_DATA_DIR or TEMPORAL_ADDRESS);
  // the dev server this Baton started stops with it, so then it needs Baton started again first.
  const cancel = '`npx baton cancel <run_id> --reason TEXT` (in this clone, with the same environment)';
  if (services.temporal.devServer?.owned) say(`To stop one: start Baton again (\`npm start\`), then ${cancel}.`);
  else say(`To stop one: ${cancel}; it talks to the Temporal server at ${services.temporal.target.address}.`);
}

/** The Web UI's workflow list filtered to Baton's runs and pipelines (its `query` parameter). */
export function batonRunsUrl(uiUrl: string, namespace: string): string {
  const query = `BatonKind IN ('run', 'pipeline')`;
  return `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}
