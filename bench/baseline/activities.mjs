// The baselines' one activity: run a command to its end with execa, as plainly as possible.
import { execa } from 'execa';

/** `where` (optional): the command's cwd and extra environment. */
export async function spawnCommand(command, where = {}) {
  const [file, ...args] = command;
  const result = await execa(file, args, { reject: false, stdin: 'ignore', ...(where.cwd ? { cwd: where.cwd } : {}), ...(where.env ? { env: where.env } : {}) });
  return { exit_code: result.exitCode ?? null, lines: result.stdout.split('\n').length };
}
