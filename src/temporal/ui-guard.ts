// The Temporal dev server's Web UI, behind a Host and Origin check. The UI answers any Host and
// hands out every run's prompt and output, and lets its caller signal, cancel and start work;
// a web page that rebinds its own name to 127.0.0.1 could use it from the user's browser. So the
// real UI listens on a port that browsers refuse to connect to (the Fetch standard's "bad ports")
// and this guard, on the port the user opens, passes on only requests whose Host and Origin name
// loopback on this port: the local user's browser, never another site's page.
//
// It runs as the parent of `temporal server start-dev` (argv after `--`), in one process group,
// so the UI is guarded exactly as long as the dev server runs, whoever started it.
import { spawn } from 'node:child_process';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { foreignRequest } from '../http-origin.js';

export interface UiGuardOptions {
  listenHost: string;
  listenPort: number;
  /** Where the real UI listens (loopback). */
  targetPort: number;
}

export function startUiGuard(options: UiGuardOptions): Promise<() => void> {
  const server = createServer((req, res) => forward(req, res, options));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort, options.listenHost, () => resolve(() => server.close()));
  });
}

function forward(req: IncomingMessage, res: ServerResponse, options: UiGuardOptions): void {
  const refusal = foreignRequest(req.headers, options.listenPort, `http://127.0.0.1:${options.listenPort}`);
  if (refusal) {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${refusal}\n`);
    return;
  }
  const upstream = request(
    { host: '127.0.0.1', port: options.targetPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${options.targetPort}` } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`the Temporal Web UI is not answering: ${err.message}\n`);
  });
  req.pipe(upstream);
}

/** `node ui-guard.js <listen host> <listen port> <target port> -- <temporal> server start-dev ...` */
async function main(argv: string[]): Promise<void> {
  const split = argv.indexOf('--');
  const [listenHost, listenPort, targetPort] = argv.slice(0, split);
  const command = argv.slice(split + 1);
  if (split < 0 || !listenHost || !listenPort || !targetPort || command.length === 0) {
    process.stderr.write('usage: ui-guard <listen host> <listen port> <target port> -- <command...>\n');
    process.exit(2);
  }
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  // The group gets SIGTERM when Baton stops the dev server: the guard outlives the server's shutdown.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  try {
    await startUiGuard({ listenHost, listenPort: Number(listenPort), targetPort: Number(targetPort) });
  } catch (err) {
    process.stderr.write(`the Web UI guard cannot listen on ${listenHost}:${listenPort}: ${err instanceof Error ? err.message : String(err)}\n`);
    child.kill('SIGTERM');
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main(process.argv.slice(2));
