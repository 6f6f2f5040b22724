// Scenario sizes: a scale (`full`, the real table, or `small`, a quick pass while developing),
// then any single size overridden by a flag or an environment variable:
//   --flood-runs 100   or   BENCH_FLOOD_RUNS=100
//   --only spawn_latency,flood   or   BENCH_ONLY=...   (run some scenarios only)
// and BENCH_QUIET_WAIT=<s> (wait up to s seconds for other load to pass), BENCH_KEEP=1 (keep the
// temp dir and its logs), BENCH_BATON_ROOT=<dir> (measure another built checkout of Baton).

export const SCALES = {
  full: {
    spawn_latency: { samples: 200, warmup: 10 },
    peer_claude_bridge: { samples: 30, warmup: 3, jobs: 50 },
    throughput: { runs: 500, concurrency: 50 },
    output_latency: { runs: 10, lines: 40, gap: '50:2000' },
    cancel_latency: { samples: 20 },
    worker_kill: { trials: 3, lines: 300, afterLines: 50 },
    dev_server_kill: { trials: 3, lines: 300 },
    worker_memory: { agents: 100, settleMs: 10_000 },
    large_output_memory: { agents: 100, lines: 200, lineBytes: 5120, bigEvery: 50, bigBytes: 1 << 20, gapMs: 200 },
    flood: { runs: 200, lines: 10_000, burst: 50, gapMs: 1000 },
  },
  small: {
    spawn_latency: { samples: 20, warmup: 5 },
    peer_claude_bridge: { samples: 5, warmup: 1, jobs: 10 },
    throughput: { runs: 60, concurrency: 10 },
    output_latency: { runs: 3, lines: 15, gap: '50:2000' },
    cancel_latency: { samples: 3 },
    worker_kill: { trials: 1, lines: 150, afterLines: 30 },
    dev_server_kill: { trials: 1, lines: 80 },
    worker_memory: { agents: 10, settleMs: 3000 },
    large_output_memory: { agents: 10, lines: 40, lineBytes: 5120, bigEvery: 20, bigBytes: 1 << 20, gapMs: 100 },
    flood: { runs: 10, lines: 1000, burst: 50, gapMs: 1000 },
  },
};

/** The prefix of each scenario's size names: BENCH_KILL_TRIALS, --kill-trials. */
const PREFIX = {
  spawn_latency: 'SPAWN',
  peer_claude_bridge: 'PEER',
  throughput: 'THROUGHPUT',
  output_latency: 'OUTPUT',
  cancel_latency: 'CANCEL',
  worker_kill: 'KILL',
  dev_server_kill: 'DEVKILL',
  worker_memory: 'MEMORY',
  large_output_memory: 'LARGE',
  flood: 'FLOOD',
};

const sizeName = (scenario, param) => `${PREFIX[scenario]}_${param.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

export function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z0-9-]+)$/.exec(argv[i]);
    if (!match || argv[i + 1] === undefined) throw new Error(`bench: expected --name value, got '${argv[i]}'`);
    flags[match[1].replace(/-/g, '_').toUpperCase()] = argv[++i];
  }
  const get = (name) => flags[name] ?? env[`BENCH_${name}`];
  const scaleName = get('SCALE') ?? 'full';
  const scale = SCALES[scaleName];
  if (!scale) throw new Error(`bench: unknown scale '${scaleName}' (full or small)`);
  const sizes = {};
  for (const [scenario, params] of Object.entries(scale)) {
    sizes[scenario] = {};
    for (const [param, fallback] of Object.entries(params)) {
      const key = sizeName(scenario, param);
      const given = get(key);
      sizes[scenario][param] = given === undefined ? fallback : typeof fallback === 'number' ? toNumber(key, given) : given;
    }
  }
  const only =
    get('ONLY')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? null;
  for (const id of only ?? []) if (!scale[id]) throw new Error(`bench: unknown scenario '${id}' (one of ${Object.keys(scale).join(', ')})`);
  return {
    scale: scaleName,
    sizes,
    only,
    keep: get('KEEP') === '1',
    batonRoot: get('BATON_ROOT') ?? null,
    quietWait: toNumber('QUIET_WAIT', get('QUIET_WAIT') ?? '0'),
  };
}

function toNumber(key, value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`bench: ${key} must be a non-negative number, got '${value}'`);
  return n;
}

/** The names a size can be set by, for --help and the docs. */
export function sizeNames() {
  return Object.entries(SCALES.full).flatMap(([scenario, params]) => Object.keys(params).map((param) => sizeName(scenario, param)));
}
