// What a backend session id looks like, per backend. Session ids reach agent command lines
// (`claude --resume`, `codex exec resume`, the A2A bridge's --context-id), so an id is checked by
// its real format before a run starts and again before a launch: a value such as
// "--dangerously-skip-permissions" must never be read as an option.
import type { Backend } from './vocabulary.js';

/** Claude Code session ids and Codex thread ids are UUIDs. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Printable text with no control characters, not starting with "-". */
const NAME = /^(?!-)[^\u0000-\u001f\u007f]{1,200}$/;

/** Why `id` cannot be a session of `backend`, or null when it can. */
export function sessionIdProblem(backend: Backend, id: string): string | null {
  switch (backend) {
    case 'claude_code':
      // `--resume` also takes a session's title (`claude -n <name>`).
      if (UUID.test(id) || NAME.test(id)) return null;
      return `"${shown(id)}" is not a Claude Code session: give its session id (a UUID, as in a run's session_id) or its title (printable text of at most 200 characters, not starting with "-")`;
    case 'codex':
      if (UUID.test(id)) return null;
      return `"${shown(id)}" is not a codex thread id: give a UUID, as in the thread.started line or a run's session_id`;
    case 'remote_a2a':
      if (NAME.test(id)) return null;
      return `"${shown(id)}" is not an A2A context id: give the context id of an earlier run (printable text of at most 200 characters, not starting with "-")`;
    case 'command':
      return 'the command backend has no sessions';
  }
}

function shown(id: string): string {
  const cut = id.length > 80 ? `${id.slice(0, 80)}…` : id;
  return cut.replace(/[\u0000-\u001f\u007f]/g, '?');
}
