import { defineConfig } from 'vitest/config';

/**
 * Files that load both cores by themselves (hundreds of agents, fuzzing, megabytes of output) or
 * whose scenario is a race against the clock of a busy machine: they run one at a time, after the
 * others, so that neither they nor their neighbours are starved.
 */
const ALONE = [
  'test/chaos/load.test.ts',
  'test/chaos/fuzz-output.test.ts',
  'test/chaos/output-schema-redos.test.ts',
  'test/chaos/recovery.test.ts',
  'test/e2e/pipeline-sizes.test.ts',
  // How many segments a long run makes depends on when its activity looks: a busy neighbour changes it.
  'test/chaos/long-run.test.ts',
  'test/chaos/sizes.test.ts',
  // Lists the newest runs of the whole namespace: others' runs would crowd its own out.
  'test/e2e/mcp-resources.test.ts',
];

// Both server projects name the same global setup: it starts one dev server for the whole run
// (test/setup/temporal-server.ts shares it between them). The unit project needs none, so
// `npm run test:unit` starts no server.
const SERVER_SETUP = ['test/setup/temporal-server.ts'];

export default defineConfig({
  test: {
    // Workers and agents are real processes: forks keep each test file's native worker apart.
    pool: 'forks',
    // Most files wait on real processes and the server more than they compute: two at a time.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'server', include: ['test/**/*.test.ts'], exclude: ['test/unit/**', ...ALONE], globalSetup: SERVER_SETUP, sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'alone', include: ALONE, globalSetup: SERVER_SETUP, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
