/**
 * The suite must be able to fail (issue 6 §2): every mutant of
 * src/sim/mutants.ts is caught by the property suite within its normal run
 * budget (the same runs and seeds as test/property/conformance.test.ts), by
 * the property the list says. Runs only with SYNCSIM_MUTANTS=1 (see
 * vitest.config.ts): it needs the engine to implement each mutant; one it
 * does not know runs as the reference engine and is, rightly, not caught.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { campaign } from '../../src/sim/campaign.ts';
import { MUTANTS } from '../../src/sim/mutants.ts';
import { formatViolation } from '../../src/sim/oracle.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';
import { MAIN_RUNS, RACE_RUNS, SEED, TOLERATE } from '../property/budget.ts';

afterAll(() => closeAllWorlds());

describe('mutants are caught within the normal budget', () => {
  for (const m of MUTANTS) {
    it(`${m.name}: ${m.breaks}`, async () => {
      const races = m.suite === 'races';
      const report = await campaign({ runs: races ? RACE_RUNS : MAIN_RUNS, seed: races ? SEED + 1 : SEED, races, tolerate: TOLERATE, mutant: m.name });
      expect(report.failure, `not caught in ${report.runs} runs; expected ${m.caughtBy}`).toBeDefined();
      const caught = report.failure!.result.violations.filter((v) => !v.tag || !TOLERATE.includes(v.tag));
      expect(caught.some((v) => m.properties.includes(v.property)), caught.map(formatViolation).join('\n')).toBe(true);
    }, 300_000);
  }
});
