// Finds an agent CLI: an explicit path from an environment variable, else a name on PATH.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { LaunchError } from '../launch-error.js';

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export async function resolveBinary(what: { backend: string; name: string; envVar: string; install: string }, env: NodeJS.ProcessEnv): Promise<string> {
  const explicit = env[what.envVar];
  if (explicit) {
    if (await isExecutableFile(explicit)) return path.resolve(explicit);
    throw new LaunchError(
      `${what.backend}: ${what.envVar} is set to "${explicit}", which is not an executable file. Fix the path or unset ${what.envVar} to use "${what.name}" from PATH.`,
    );
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, what.name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw new LaunchError(
    `${what.backend}: the "${what.name}" command was not found on the worker's PATH and ${what.envVar} is not set. ${what.install}, or set ${what.envVar} to the binary's path on every worker host.`,
  );
}

/** Resolves a program named in a run's arguments: absolute, relative to cwd, or on PATH. */
export async function resolveProgram(program: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (program.includes('/')) {
    const file = path.resolve(cwd, program);
    if (await isExecutableFile(file)) return file;
    throw new LaunchError(`command: "${program}" (resolved to ${file}) is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, program);
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw new LaunchError(`command: "${program}" was not found on the worker's PATH; give its absolute path in backend_config.command`);
}
