// Whether a path exists on this host (a file or a directory), without throwing.
import { access } from 'node:fs/promises';

export function pathExists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
