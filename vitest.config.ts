import { defineConfig } from 'vitest/config';
import LongestFirst from './test/support/longest-first.ts';

// Three suites: unit (pure code, aws-sdk-client-mock), integration (real local
// services: DynamoDB Local, aws-ses-v2-local, aws-local-stepfunctions) and browser
// (Chromium driven by playwright-core, see test/support/chromium.ts). `npm test`
// runs all three. The two that start DynamoDB Local check for Java first.
const preflight = ['test/support/preflight.ts'];
/** Integration files that get a process of their own (see the project below). */
const INTEGRATION_ISOLATED = [
  'test/integration/rehearsal/**/*.test.ts',
  'test/integration/local/{runtime-database,ses-local,step-functions}.test.ts',
  'test/integration/cycles/cli.test.ts',
];
export default defineConfig({
  test: {
    // Longest first within each project, also on a clean clone with no timings cached (see the file).
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          maxWorkers: 2,
          // A worker runs file after file on the modules it already imported (#17): a fresh process per file imported
          // the AWS SDK, the CDK and the handlers anew each time, about two thirds of the project's CPU (measured:
          // 120 s → 45 s of user+sys for `npx vitest run --project unit`). The files restore what they stub
          // (vi.unstubAllEnvs, logger levels) and build their clients and mocks per test.
          isolate: false,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          globalSetup: [...preflight, 'test/support/dynamodb-global.ts'],
          include: ['test/integration/**/*.test.ts'],
          exclude: INTEGRATION_ISOLATED,
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each worker has its own DynamoDB Local (test/support/dynamodb-global.ts). A rehearsal keeps a core about
          // half busy (it waits on DynamoDB Local's round trips), so three workers fill two cores.
          maxWorkers: 3,
          // As in the unit project: file after file on the modules already imported, on fresh tables (#17).
          isolate: false,
        },
      },
      {
        test: {
          // The rehearsals, the local runtime's parts and the CLI run in a process each: they hold a runtime's
          // module-level state (the in-process SES mailbox, the CLI's clients). One pool with the files above
          // (same groupOrder and maxWorkers), so the longest of either run first.
          name: 'integration-isolated',
          sequence: { groupOrder: 1 },
          globalSetup: preflight,
          include: INTEGRATION_ISOLATED,
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 3,
        },
      },
      {
        test: {
          name: 'browser',
          // In the integration projects' pool (#17): run after them, one file at a time, the two files (half a
          // minute) kept a core idle at the end of every run.
          sequence: { groupOrder: 1 },
          globalSetup: preflight,
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 3,
        },
      },
    ],
  },
});
