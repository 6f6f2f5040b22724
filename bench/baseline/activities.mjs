// The baselines' one activity: run a command to its end with execa, as plainly as possible.
import { execa } from 'execa';

export async function spawnCommand(command) {
  const [file, ...args] = command;
  const result = await execa(file, args, { reject: false, stdin: 'ignore' });
  return { exit_code: result.exitCode ?? null, lines: result.stdout.split('\n').length };
}
