import { defineConfig } from 'vitest/config';

// Three projects: `unit` is pure logic (no network, no child processes) and runs in parallel;
// `integration` starts real etcd and real service processes, so it runs one file at a time
// on this 2-core machine to keep timings honest and ports/processes from piling up; `fault`
// (test/fault) does the same with failures injected into real processes.
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
      {
        // Fault scenarios: whole clusters killed, paused and restarted under load. One file and
        // one test at a time; each test bounds its own waits, the timeouts here only catch a hang.
        test: {
          name: 'fault',
          include: ['test/fault/**/*.test.ts'],
          // After the other projects, never beside them: these scenarios need the whole machine.
          sequence: { groupOrder: 1 },
          // A scenario takes 20-40 s alone and up to ~85 s on a loaded machine.
          testTimeout: 180_000,
          hookTimeout: 60_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
