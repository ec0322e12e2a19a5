import { defineConfig } from 'vitest/config';

// The JSON report feeds .ci/run's closing line; the JUnit report is for CI servers.
// The mutant suite (test/mutants/*.mutant.ts) runs only with SYNCSIM_MUTANTS=1: it needs the engine's mutants.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', ...(process.env.SYNCSIM_MUTANTS === '1' ? ['test/mutants/**/*.mutant.ts'] : [])],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: [
      'default',
      ['json', { outputFile: 'reports/vitest.json' }],
      ['junit', { outputFile: 'reports/junit.xml' }],
    ],
  },
});
