// `npm start` and `npm test` build first, but a build (tsc and the workflow bundle) costs 15-20
// seconds on a small machine and is wasted when nothing it reads changed since the last one
// (`npm install` has just built it). This hashes every input of the build and runs `npm run build`
// only when the hash differs from the one the last successful build left in dist/.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-inputs.sha256');
/** What the build reads: sources, compiler settings, the bundler script, the exact dependencies. */
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/bundle-workflows.mjs', 'package.json', 'package-lock.json'];

function files(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return [];
  const stat = readdirSync(path.dirname(full), { withFileTypes: true }).find((d) => d.name === path.basename(full));
  if (!stat?.isDirectory()) return [entry];
  return readdirSync(full, { withFileTypes: true })
    .map((d) => path.join(entry, d.name))
    .sort()
    .flatMap(files);
}

const hash = createHash('sha256');
for (const file of inputs.flatMap(files))
  hash
    .update(`${file}\0`)
    .update(readFileSync(path.join(root, file)))
    .update('\0');
const digest = hash.digest('hex');

const built = existsSync(path.join(root, 'dist', 'cli.js')) && existsSync(path.join(root, 'dist', 'workflow-bundle.js'));
if (built && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest) process.exit(0);
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
writeFileSync(stamp, `${digest}\n`);
