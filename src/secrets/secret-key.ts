// The key that seals secrets: BATON_SECRET_KEY, or on one machine a key generated once into the
// data dir. With TEMPORAL_ADDRESS it must be given: every worker and MCP server needs the same one.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SecretError } from './seal.js';

export async function loadSecretKey(opts: { envKey: string | undefined; dataDir: string; external: boolean }): Promise<Buffer> {
  if (opts.envKey) return parseKey(opts.envKey, 'BATON_SECRET_KEY');
  if (opts.external) {
    throw new SecretError(
      'BATON_SECRET_KEY is required with TEMPORAL_ADDRESS (every worker and MCP server must seal and open secrets with the same key): ' +
        'generate one with `openssl rand -base64 32` and set it everywhere',
    );
  }
  const file = path.join(opts.dataDir, 'secret.key');
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing) return parseKey(existing.trim(), file);
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // wx: if another process won the race, use its key.
  await writeFile(file, key.toString('base64'), { mode: 0o600, flag: 'wx' }).catch(() => undefined);
  return parseKey((await readFile(file, 'utf8')).trim(), file);
}

function parseKey(text: string, where: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new SecretError(`${where} must hold 32 bytes, base64-encoded (e.g. \`openssl rand -base64 32\`)`);
  return key;
}
