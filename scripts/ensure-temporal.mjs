#!/usr/bin/env node
// Obtains the Temporal CLI (see src/temporal/ensure-cli.ts) and prints its path on stdout;
// progress goes to stderr. Needs the build (dist/), which `npm start` and `npm test` run first.
let ensureTemporalCli;
try {
  ({ ensureTemporalCli } = await import('../dist/temporal/ensure-cli.js'));
} catch (err) {
  process.stderr.write(`cannot load dist/temporal/ensure-cli.js (run \`npm run build\` first): ${err?.message ?? err}\n`);
  process.exit(1);
}

try {
  const { path } = await ensureTemporalCli();
  process.stdout.write(`${path}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
