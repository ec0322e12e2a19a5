/**
 * Issue 6 §2 "Shrinking to a scenario", end to end, with a planted failure:
 * a deliberately wrong property ("no lead may have Title CEO or CFO") fails a run;
 * fast-check shrinks it; the counterexample is written as a scenario file
 * that the scenario loader accepts; replaying that file gives the same
 * violation and the same trace hash.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { campaign, type ExtraCheck } from '../../src/sim/campaign.ts';
import { counterexampleText, replayScenario } from '../../src/sim/counterexample.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';
import { TOLERATE } from './budget.ts';

afterAll(() => closeAllWorlds());

const noChiefs: ExtraCheck = (w) =>
  [...w.org.queryContext(w.org.adminUser.id).scan('Lead', { includeDeleted: false })]
    .filter((r) => r.Title === 'CEO' || r.Title === 'CFO')
    .map((r) => ({ property: 'converged' as const, message: `planted: lead ${String(r.Id)} has Title ${String(r.Title)}`, events: [] }));

describe('a planted failure', () => {
  it('shrinks to a small scenario file that replays to the same violation and trace hash', async () => {
    const report = await campaign({ runs: 30, seed: 7, extra: noChiefs, tolerate: TOLERATE, faults: false });
    const f = report.failure;
    expect(f, 'the planted property must fail within 30 runs').toBeDefined();
    expect(f!.deterministic).toEqual([]);
    const planted = f!.result.violations.filter((v) => v.message.startsWith('planted'));
    expect(planted.length).toBeGreaterThan(0);
    // Shrunk: the first sync, at most a couple of edits, and whatever else the run needed.
    expect(f!.result.scenario.steps.length).toBeLessThanOrEqual(4);

    const text = counterexampleText(f!.result, { fcSeed: f!.fcSeed, fcPath: f!.fcPath }, 'planted.yaml');
    expect(text).toMatch(/^# Counterexample found by sync-sim fuzz: converged/);
    expect(text).toContain(`fast-check seed ${f!.fcSeed}, path "${f!.fcPath}"`);
    expect(text).toContain(`world seed ${f!.result.config.seed}`);
    expect(text).toContain('replay: sync-sim fuzz --replay planted.yaml');
    const loaded = parseScenario(text, 'planted.yaml');
    expect(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.errors)).toBe(true);

    const replayed = await replayScenario(text, 'planted.yaml', { extra: noChiefs });
    expect(replayed.violations.map((v) => v.message)).toEqual(f!.result.violations.map((v) => v.message));
    expect(replayed.hash).toBe(f!.result.hash);
    expect(text).toContain(`trace hash: ${replayed.hash}`);
  }, 120_000);

  it('without the planted property the same file replays clean', async () => {
    const report = await campaign({ runs: 30, seed: 7, extra: noChiefs, tolerate: TOLERATE, faults: false, noShrink: true });
    const text = counterexampleText(report.failure!.result, {}, 'planted.yaml');
    const replayed = await replayScenario(text, 'planted.yaml');
    expect(replayed.violations.filter((v) => !v.tag || !TOLERATE.includes(v.tag))).toEqual([]);
  }, 120_000);
});
