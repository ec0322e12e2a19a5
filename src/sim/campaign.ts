/**
 * Fuzz runs and campaigns (issue 6 §2): a world from a seed, fast-check's
 * model-based commands against it, then the VOPR's two phases — faults and
 * users stop, the world must become quiet within a cycle budget (liveness),
 * and every property of DESIGN §5 is checked.
 *
 * `settleAndCheck` is also what `expect: { converged: true }` means when a
 * counterexample file is replayed (counterexample.ts), so a replay ends in
 * exactly the same checks as the run that found it.
 */
import fc from 'fast-check';
import type { WritableScenario, WritableStep } from '../scenario/write.ts';
import { yieldToEventLoop } from './clock.ts';
import { addCoverage, coverageOf, emptyCoverage, type CoverageCounts } from './coverage.ts';
import { Driver, type StepOutcome } from './driver.ts';
import { commandArbitrary, FAULT_CHOICES, type FaultChoice, type SimModel, type SimReal } from './model.ts';
import { deterministic, type Violation } from './oracle.ts';
import type { ExtraCheck, SettleResult } from './settle.ts';
import { TraceView, type TraceEvent } from './trace.ts';
import { setupOf, type WorkloadShape } from './workload.ts';

export { IDLE_CYCLES, QUIET_BUDGET, type ExtraCheck, type SettleResult } from './settle.ts';

/** Faults and users stop, the world settles, every property is checked: what `expect: { converged: true }` does. */
export function settleAndCheck(driver: Driver): Promise<SettleResult> {
  return driver.settle();
}

// ---------------------------------------------------------------------------------------------- one run

export interface CaseConfig {
  seed: number;
  shape: WorkloadShape;
  /** Fault kinds switched on for this run. */
  faults: readonly FaultChoice[];
  mutant?: string;
  /** A deliberately planted property (tests of the shrink-and-replay path). */
  extra?: ExtraCheck;
}

export interface CaseResult {
  config: CaseConfig;
  violations: Violation[];
  hash: string;
  events: number;
  coverage: CoverageCounts;
  /** The scenario as run: setup and every step sent (skipped ones included). */
  scenario: WritableScenario;
  outcomes: StepOutcome[];
  quietAfter: number | undefined;
  /** The run's readable timeline. */
  timeline: string;
}

/** Runs `commands` (as fast-check would, preconditions included) on a fresh world, settles it and checks it. */
export async function runCase(config: CaseConfig, commands: Iterable<fc.AsyncCommand<SimModel, SimReal>>): Promise<CaseResult> {
  const { scenario, spare } = setupOf(config.seed, config.shape);
  const driver = new Driver(scenario, { lenient: true, ...(config.mutant ? { mutant: config.mutant } : {}), ...(config.extra ? { extra: config.extra } : {}) });
  driver.setup();
  const model: SimModel = {
    refs: [
      ...scenario.salesforce.records.map((r) => ({ ref: r.ref, origin: 'salesforce' as const, object: 'Lead' as const, gone: false })),
      ...scenario.marketo.people.map((p) => ({ ref: p.ref, origin: 'marketo' as const, object: 'Lead' as const, gone: false })),
    ],
    spare,
    created: 0,
    faults: config.faults,
    steps: [],
  };
  const real: SimReal = { driver };
  // The first sync links the Salesforce side before people start editing.
  const first: WritableStep = { kind: 'wait', ms: 5 * 60_000 };
  model.steps.push(first);
  await driver.step(first);
  await fc.asyncModelRun(() => ({ model, real }), commands);
  // The end of every run, as its counterexample file ends: faults and people stop, the world settles, every property.
  const check: WritableStep = { kind: 'expect', checks: [{ type: 'converged' }] };
  model.steps.push(check);
  await driver.step(check);
  driver.finish();
  const { violations, quietAfter } = driver.lastCheck!;
  scenario.steps = model.steps;
  if (config.mutant) scenario.sync.mutant = config.mutant;
  const w = driver.world;
  w.close();
  return withLazyTrace(
    { config, violations, events: w.trace.events.length, coverage: coverageOf(w, violations), scenario, outcomes: driver.outcomes, quietAfter },
    w.trace.events,
  );
}

/**
 * A run's hash and timeline are read only for a failing run, a replay or a printout: made on first read, from the
 * finished trace's events (a closed world records nothing more). Built outside runCase so that the getters' closure
 * holds the events only, never the World.
 */
function withLazyTrace(result: Omit<CaseResult, 'hash' | 'timeline'>, events: TraceEvent[]): CaseResult {
  const trace = new TraceView(events);
  let hash: string | undefined;
  let timeline: string | undefined;
  return {
    ...result,
    get hash() {
      return (hash ??= trace.hash());
    },
    get timeline() {
      return (timeline ??= trace.toText());
    },
  };
}

// ---------------------------------------------------------------------------------------------- fast-check

export interface PropertyOptions {
  mutant?: string;
  /** Include race edits (edits that land while the engine's requests are in flight). */
  races?: boolean;
  maxCommands?: number;
  /** Switch on faults for runs (default true). */
  faults?: boolean;
  /** Violation tags that do not fail a run (KNOWN_ENGINE_BUGS). */
  tolerate?: readonly string[];
  extra?: ExtraCheck;
}

/** The violations that fail a run: all but the tolerated known bugs. */
export function failing(result: CaseResult, tolerate: readonly string[] = []): Violation[] {
  return result.violations.filter((v) => !v.tag || !tolerate.includes(v.tag));
}

export type CaseInput = [config: Omit<CaseConfig, 'mutant' | 'extra'>, commands: Iterable<fc.AsyncCommand<SimModel, SimReal>>];

export function caseArbitrary(opts: PropertyOptions = {}): fc.Arbitrary<CaseInput> {
  const config = fc.record({
    // Never shrunk: shrinking the commands must not change the world they run in.
    seed: fc.noShrink(fc.integer({ min: 1, max: 0x7fff_ffff })),
    shape: fc.record({
      salesforce: fc.integer({ min: 2, max: 3 }),
      marketo: fc.integer({ min: 1, max: 2 }),
      ruleOn: fc.boolean(),
      spare: fc.constant(3),
      titleToSalesforce: fc.boolean(),
      readOnlyCity: fc.boolean(),
    }),
    faults: opts.faults === false ? fc.constant([] as FaultChoice[]) : enabledFaults(),
  });
  return fc.tuple(config, fc.commands([commandArbitrary({ races: opts.races === true })], { maxCommands: opts.maxCommands ?? 20 }));
}

/**
 * Buggify's first level: each fault kind is switched on for a run with a
 * chance of 1 in 4, the lost-answer kinds (timeout after commit) 1 in 2,
 * because DESIGN §4 singles them out ("nothing is created twice").
 */
function enabledFaults(): fc.Arbitrary<FaultChoice[]> {
  return fc
    .tuple(...FAULT_CHOICES.map((f) => fc.integer({ min: 0, max: 3 }).map((x) => x < (f.kind === 'timeout-after-commit' ? 2 : 1))))
    .map((on) => FAULT_CHOICES.filter((_, i) => on[i]));
}

/** Thrown by the property when a run breaks a property; carries the run for the report. */
export class PropertyViolated extends Error {
  constructor(readonly result: CaseResult) {
    super(result.violations.map((v) => `${v.property}: ${v.message}`).join('\n'));
    this.name = 'PropertyViolated';
  }
}

function caseConfig(config: Omit<CaseConfig, 'mutant' | 'extra'>, opts: PropertyOptions): CaseConfig {
  return { ...config, ...(opts.mutant ? { mutant: opts.mutant } : {}), ...(opts.extra ? { extra: opts.extra } : {}) };
}

export function simProperty(opts: PropertyOptions = {}, onRun?: (r: CaseResult) => void) {
  return fc.asyncProperty(caseArbitrary(opts), async ([config, commands]) => {
    const result = await runCase(caseConfig(config, opts), commands);
    await yieldToEventLoop();
    onRun?.(result);
    if (failing(result, opts.tolerate).length) throw new PropertyViolated(result);
  });
}

export interface CampaignOptions extends PropertyOptions {
  runs: number;
  seed: number;
  /** fast-check path, to replay one run. */
  path?: string;
  /** Stop after this much wall time (ms); counted by fast-check. */
  timeLimitMs?: number;
  /** Skip shrinking. */
  noShrink?: boolean;
  onRun?: (r: CaseResult, runIndex: number) => void;
}

export interface Failure {
  /** The shrunk run, re-run on its own. */
  result: CaseResult;
  /** Same seed and commands again: same trace? */
  deterministic: Violation[];
  fcSeed: number;
  fcPath: string;
  counterexample: string;
}

export interface CampaignReport {
  runs: number;
  coverage: CoverageCounts;
  failure?: Failure;
  interrupted: boolean;
}

export async function campaign(opts: CampaignOptions): Promise<CampaignReport> {
  const coverage = emptyCoverage();
  let runs = 0;
  let shrinking = false;
  const property = simProperty(opts, (r) => {
    if (shrinking) return;
    runs++;
    addCoverage(coverage, r.coverage);
    opts.onRun?.(r, runs);
    // What follows a failure is fast-check shrinking it, not new runs.
    if (failing(r, opts.tolerate).length) shrinking = true;
  });
  const details = await fc.check(property, {
    numRuns: opts.runs,
    seed: opts.seed,
    ...(opts.path ? { path: opts.path } : {}),
    ...(opts.noShrink ? { endOnFailure: true } : {}),
    ...(opts.timeLimitMs ? { interruptAfterTimeLimit: opts.timeLimitMs } : {}),
  });
  if (!details.failed || !details.counterexample) return { runs, coverage, interrupted: details.interrupted };
  const [[config, commands]] = details.counterexample;
  const cfg = caseConfig(config, opts);
  const cmds = [...commands];
  const result = await runCase(cfg, cmds);
  const again = await runCase(cfg, cmds);
  return {
    runs,
    coverage,
    interrupted: details.interrupted,
    failure: {
      result,
      deterministic: deterministic(result, again),
      fcSeed: details.seed,
      fcPath: details.counterexamplePath ?? '',
      counterexample: cmds.map(String).join('\n'),
    },
  };
}
