/**
 * The suite must be able to fail (issue 6 §2): every mutant of
 * src/sim/mutants.ts is caught by the property suite within its normal run
 * budget — the same runs, seeds and command mix as
 * test/property/conformance.test.ts — by one of the properties the list
 * names. Each campaign is a genuine search from the suite's fixed seed; it
 * stops at the first failing run (no shrinking), which is what keeps the file
 * inside npm test's budget.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { campaign } from '../../src/sim/campaign.ts';
import { MUTANTS } from '../../src/sim/mutants.ts';
import { formatViolation } from '../../src/sim/oracle.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';
import { MAIN_RUNS, RACE_RUNS, SEED, TOLERATE } from '../property/budget.ts';

afterAll(() => closeAllWorlds());

describe('mutants are caught within the normal budget', () => {
  it('the list covers every mutant the issue asks for', () => {
    expect(MUTANTS.map((m) => m.name).sort()).toEqual(
      [
        'echo-by-last-modified-by',
        'flow-action-no-duplicate-check',
        'log-failure-every-cycle',
        'no-retry-on-lock',
        'salesforce-wins-leads',
        'watermark-before-write',
        'write-hidden-fields',
      ].sort(),
    );
  });

  for (const m of MUTANTS) {
    it(`${m.name}: ${m.breaks}`, async () => {
      const races = m.suite === 'races';
      const budget = races ? RACE_RUNS : MAIN_RUNS;
      const report = await campaign({ runs: budget, seed: races ? SEED + 1 : SEED, races, tolerate: TOLERATE, mutant: m.name, noShrink: true });
      expect(report.failure, `not caught in ${report.runs} runs; expected ${m.caughtBy}`).toBeDefined();
      expect(report.runs).toBeLessThanOrEqual(budget);
      const caught = report.failure!.result.violations.filter((v) => !v.tag || !TOLERATE.includes(v.tag));
      expect(caught.some((v) => m.properties.includes(v.property)), caught.map(formatViolation).join('\n')).toBe(true);
    }, 120_000);
  }
});
