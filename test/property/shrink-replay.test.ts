/**
 * Issue 6 §2 "Shrinking to a scenario", end to end: a planted failure (an
 * engine mutant, or a deliberately wrong property) fails a run; fast-check
 * shrinks it; the counterexample is written as a scenario file; the scenario
 * runner — `sync-sim replay FILE` and `runScenario` — replays it to the same
 * violations and the same trace hash as the fuzz run that wrote it. Any run,
 * race edits, faults and crashes included, replays from its file to its own
 * trace hash: the fuzzer and the runner share one executor and one trace.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { campaign, caseArbitrary, runCase, type ExtraCheck } from '../../src/sim/campaign.ts';
import { counterexampleText, replayScenario } from '../../src/sim/counterexample.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';
import { cli, tempDir } from '../cli/helpers.ts';
import { SEED, TOLERATE } from './budget.ts';

afterAll(() => closeAllWorlds());

const noChiefs: ExtraCheck = (w) =>
  [...w.org.queryContext(w.org.adminUser.id).scan('Lead', { includeDeleted: false })]
    .filter((r) => r.Title === 'CEO' || r.Title === 'CFO')
    .map((r) => ({ property: 'converged' as const, message: `planted: lead ${String(r.Id)} has Title ${String(r.Title)}`, events: [] }));

describe('a planted failure', () => {
  it('a mutant: shrunk, written as a scenario file, and `sync-sim replay FILE` shows the same violations and trace hash', async () => {
    const report = await campaign({ runs: 30, seed: SEED, mutant: 'salesforce-wins-leads', tolerate: TOLERATE });
    const f = report.failure;
    expect(f, 'the mutant must be caught within 30 runs').toBeDefined();
    expect(f!.deterministic).toEqual([]);
    expect(f!.result.violations.map((v) => v.property)).toContain('conflict-winner');

    const dir = tempDir();
    const file = join(dir, 'conflict-winner.yaml');
    writeFileSync(file, counterexampleText(f!.result, { fcSeed: f!.fcSeed, fcPath: f!.fcPath }, file));
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`replay: sync-sim replay ${file}`);
    expect(text).toContain(`trace hash: ${f!.result.hash}`);
    expect(text).toMatch(/^sync:\n {2}mutant: salesforce-wins-leads$/m);
    const loaded = parseScenario(text, file);
    expect(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.errors)).toBe(true);
    // Shrunk: the first sync, the conflicting edits, a wait, the closing check (and little else).
    expect(loaded.ok && loaded.scenario.steps.length).toBeLessThanOrEqual(7);

    const r = await cli('replay', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`trace ${f!.result.hash}`);
    for (const v of f!.result.violations) expect(r.stdout).toContain(`[${v.property}] ${v.message}`);

    const replayed = await replayScenario(text, file);
    expect(replayed.hash).toBe(f!.result.hash);
    expect(replayed.violations.map((v) => `${v.property}: ${v.message}`)).toEqual(f!.result.violations.map((v) => `${v.property}: ${v.message}`));
    expect(replayed.checked).toBe(true);
    // Against the reference engine (the file without its `sync: mutant:`) the same steps replay clean.
    const reference = await replayScenario(text.replace(/^sync:\n {2}mutant: salesforce-wins-leads\n/m, ''), file);
    expect(reference.checked).toBe(true);
    expect(reference.violations).toEqual([]);
  }, 120_000);

  it('a wrong property: shrunk to a small file whose runner replay gives the same violation and trace hash', async () => {
    const report = await campaign({ runs: 30, seed: 7, extra: noChiefs, tolerate: TOLERATE, faults: false });
    const f = report.failure;
    expect(f, 'the planted property must fail within 30 runs').toBeDefined();
    expect(f!.result.violations.some((v) => v.message.startsWith('planted'))).toBe(true);
    // Shrunk: the first sync, an edit or two, the closing check.
    expect(f!.result.scenario.steps.length).toBeLessThanOrEqual(5);
    const text = counterexampleText(f!.result, { fcSeed: f!.fcSeed, fcPath: f!.fcPath }, 'planted.yaml');
    expect(text).toMatch(/^# Counterexample found by sync-sim fuzz: converged/);
    expect(text).toContain(`fast-check seed ${f!.fcSeed}, path "${f!.fcPath}"`);
    const replayed = await replayScenario(text, 'planted.yaml', { extra: noChiefs });
    expect(replayed.violations.map((v) => v.message)).toEqual(f!.result.violations.map((v) => v.message));
    expect(replayed.hash).toBe(f!.result.hash);
    // Without the planted property the same file replays clean.
    expect((await replayScenario(text, 'planted.yaml')).violations).toEqual([]);
  }, 120_000);
});

describe('any run replays from its file to its own trace hash', () => {
  it('six random runs with faults, crashes and race edits: the file (with `atRequest` steps) replays to the same hash', async () => {
    // Six of a fixed sample: four with race edits, two more (any), so the file format's `atRequest` is exercised.
    const sample = fc.sample(caseArbitrary({ races: true, maxCommands: 12 }), { seed: 4242, numRuns: 40 });
    const hasRace = ([, commands]: (typeof sample)[number]) => [...commands].some((c) => String(c).startsWith('race'));
    const cases = [...sample.filter(hasRace).slice(0, 4), ...sample.filter((c) => !hasRace(c)).slice(0, 2)];
    let raceSteps = 0;
    for (const [config, commands] of cases) {
      const run = await runCase(config, [...commands]);
      const text = counterexampleText(run, {}, 'run.yaml');
      raceSteps += (text.match(/atRequest: \d+/g) ?? []).length;
      const replayed = await replayScenario(text, 'run.yaml');
      expect(replayed.timeline).toBe(run.timeline);
      expect(replayed.hash).toBe(run.hash);
      expect(replayed.violations.map((v) => v.message)).toEqual(run.violations.map((v) => v.message));
    }
    expect(raceSteps, 'the sample must include race edits').toBeGreaterThan(0);
  }, 120_000);
});
