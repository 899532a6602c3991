import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure logic (no network, no child processes) and runs in parallel;
// `integration` starts real etcd and real service processes, so it runs one file at a time
// on this 2-core machine to keep timings honest and ports/processes from piling up.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
