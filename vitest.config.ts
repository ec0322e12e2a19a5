import { defineConfig } from 'vitest/config';

// The JSON report feeds .ci/run's closing line; the JUnit report is for CI servers.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: [
      'default',
      ['json', { outputFile: 'reports/vitest.json' }],
      ['junit', { outputFile: 'reports/junit.xml' }],
    ],
  },
});
