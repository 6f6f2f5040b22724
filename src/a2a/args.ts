// The bridge's command line. Secrets never come this way (argv is visible in ps): headers arrive
// in BATON_A2A_HEADERS, the message on stdin.
import { parseArgs } from 'node:util';

export const USAGE = `usage: node bridge.js --agent-url URL [--context-id ID] [--task-id ID]
       node bridge.js --agent-url URL --resume-task ID

  --agent-url URL     the agent's base URL (its card is URL/.well-known/agent-card.json)
                      or the URL of its agent card (a path ending in .json)
  --context-id ID     continue this A2A context (Baton's session id)
  --task-id ID        send the message to this task (answer an input-required task)
  --resume-task ID    send nothing: follow task ID (resubscribe or poll) until it stops

stdin: the message as JSON, {"role":"user","parts":[{"kind":"text","text":"…"}, …]}
env:   BATON_A2A_HEADERS, a JSON object of HTTP headers sent with every request
stdout: one JSON object a line (see src/a2a/lines.ts); diagnostics on stderr
exit:  0 completed, input/auth required or a Message reply; 1 failed, canceled or rejected;
       2 the bridge could not do its job; 143 SIGTERM; 130 SIGINT`;

export interface BridgeArgs {
  agentUrl: string;
  contextId: string | null;
  taskId: string | null;
  resumeTask: string | null;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseBridgeArgs(argv: string[]): BridgeArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'agent-url': { type: 'string' },
        'context-id': { type: 'string' },
        'task-id': { type: 'string' },
        'resume-task': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const agentUrl = values['agent-url'];
  if (!agentUrl) throw new UsageError('--agent-url is required');
  let url: URL;
  try {
    url = new URL(agentUrl);
  } catch {
    throw new UsageError(`--agent-url ${agentUrl} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--agent-url must be http(s), not ${url.protocol}`);
  const nonEmpty = (name: string): string | null => {
    const value = values[name];
    if (value === undefined) return null;
    if (value.trim() === '') throw new UsageError(`--${name} needs a value`);
    return value;
  };
  const args: BridgeArgs = {
    agentUrl,
    contextId: nonEmpty('context-id'),
    taskId: nonEmpty('task-id'),
    resumeTask: nonEmpty('resume-task'),
  };
  if (args.resumeTask && args.taskId) throw new UsageError('--resume-task follows a task without sending; it cannot go with --task-id');
  return args;
}
