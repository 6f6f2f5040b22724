#!/usr/bin/env node
// The benchmark's agent, run by Baton's `command` backend (and by the baselines). Every line it
// prints carries its index and the wall-clock time it was written, so the bench can tell when a
// line became visible through poll_events and that none was lost:
//
//   b i=<n> t=<Date.now() when written>
//
//   --lines N            print N lines (default 1)
//   --gap-ms MIN[:MAX]   wait before each line: MIN ms, or a pseudo-random time in [MIN, MAX]
//   --burst N            print lines N at a time, one write each (the gap is between bursts)
//   --seed N             seed of the pseudo-random gaps (default 1)
//   --pid                first print "b pid=<pid>" (the bench finds the process group from it)
//   --sleep-ms N         then stay alive, silent, for N ms
//   --wait-file PATH     before the lines, wait until PATH exists (so many agents print at once)
//   --line-bytes N       pad each line with 'x' to N bytes, newline included (large output)
//   --big-every K        make every Kth line --big-bytes long instead (default: none)
//   --big-bytes N        the size of those lines (default 1048576)
// It is cooperative: SIGTERM ends it at once (Node's default). Node built-ins only.

import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const opts = { lines: 1, gapMin: 0, gapMax: 0, burst: 1, seed: 1, pid: false, sleepMs: 0, waitFile: null, lineBytes: 0, bigEvery: 0, bigBytes: 1 << 20 };
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  const value = () => {
    const v = args[++i];
    if (v === undefined) fail(`${flag} needs a value`);
    return v;
  };
  const int = (v) => (/^\d+$/.test(v) ? Number(v) : fail(`${flag} wants a non-negative integer, got '${v}'`));
  if (flag === '--lines') opts.lines = int(value());
  else if (flag === '--gap-ms') {
    const [min, max = min] = value().split(':');
    opts.gapMin = int(min);
    opts.gapMax = int(max);
  } else if (flag === '--burst') opts.burst = Math.max(1, int(value()));
  else if (flag === '--seed') opts.seed = int(value());
  else if (flag === '--pid') opts.pid = true;
  else if (flag === '--sleep-ms') opts.sleepMs = int(value());
  else if (flag === '--wait-file') opts.waitFile = value();
  else if (flag === '--line-bytes') opts.lineBytes = int(value());
  else if (flag === '--big-every') opts.bigEvery = int(value());
  else if (flag === '--big-bytes') opts.bigBytes = int(value());
  else fail(`unknown flag '${flag}'`);
}

function fail(message) {
  process.stderr.write(`bench agent: ${message}\n`);
  process.exit(2);
}

// mulberry32: small, seedable, good enough to spread gaps.
let state = opts.seed >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const write = (text) => new Promise((resolve) => process.stdout.write(text, () => resolve()));
process.stdout.on('error', () => undefined);

/** Line i, stamped, padded to its size when one is asked for. */
function line(i, now) {
  const head = `b i=${i} t=${now}`;
  const bytes = opts.bigEvery > 0 && i % opts.bigEvery === 0 ? opts.bigBytes : opts.lineBytes;
  return bytes > head.length + 1 ? `${head} ${'x'.repeat(bytes - head.length - 2)}\n` : `${head}\n`;
}

if (opts.pid) await write(`b pid=${process.pid}\n`);
if (opts.waitFile) while (!existsSync(opts.waitFile)) await sleep(50);
for (let i = 1; i <= opts.lines;) {
  const gap = opts.gapMin + Math.floor(random() * (opts.gapMax - opts.gapMin + 1));
  if (gap > 0) await sleep(gap);
  let chunk = '';
  const end = Math.min(opts.lines, i + opts.burst - 1);
  for (const now = Date.now(); i <= end; i++) chunk += line(i, now);
  await write(chunk);
}
if (opts.sleepMs > 0) await sleep(opts.sleepMs);
