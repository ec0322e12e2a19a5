/**
 * DESIGN §5 over random worlds (issue 6 §2): fast-check model-based runs of
 * people editing both systems, faults and restarts, then quiescence and every
 * property. One suite also lets people edit while the engine's requests are
 * in flight. Coverage across both: each interesting event happened.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { campaign } from '../../src/sim/campaign.ts';
import { addCoverage, coverageTable, emptyCoverage, missingCoverage } from '../../src/sim/coverage.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';
import { describeFailure, MAIN_RUNS, RACE_RUNS, SEED, TOLERATE } from './budget.ts';

afterAll(() => closeAllWorlds());

const coverage = emptyCoverage();
let campaigns = 0;

describe('the reference engine over random worlds', () => {
  it(`keeps every property in ${MAIN_RUNS} runs of edits, conflicts, conversions, merges, permission and rule changes, faults and restarts`, async () => {
    const report = await campaign({ runs: MAIN_RUNS, seed: SEED, tolerate: TOLERATE });
    addCoverage(coverage, report.coverage);
    campaigns++;
    expect(report.failure, describeFailure(report, 'main')).toBeUndefined();
    expect(report.runs).toBe(MAIN_RUNS);
  }, 120_000);

  it(`keeps every property in ${RACE_RUNS} runs where people edit while the engine's requests are in flight`, async () => {
    const report = await campaign({ runs: RACE_RUNS, seed: SEED + 1, races: true, tolerate: TOLERATE });
    addCoverage(coverage, report.coverage);
    campaigns++;
    expect(report.failure, describeFailure(report, 'races')).toBeUndefined();
    expect(report.runs).toBe(RACE_RUNS);
  }, 120_000);

  it('covered every interesting event at least once across the campaign', () => {
    expect(campaigns, 'the two campaigns above must run first').toBe(2);
    const missing = missingCoverage(coverage);
    expect(missing, `never happened:\n${coverageTable(coverage)}`).toEqual([]);
  });
});
