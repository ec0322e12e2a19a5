/**
 * A failing run's shrunk counterexample as a scenario file (DESIGN §7), and
 * its replay (issue 6 §2 "Shrinking to a scenario").
 *
 * The file holds the run's setup and every step that did something (steps on
 * a ref that did not resolve yet are dropped: they did nothing and left no
 * trace; refused ones carry `rejected: CODE`), then `expect: { converged: true }`,
 * which the replay runs as settleAndCheck: faults and users stop, the world
 * runs until quiet, every property is checked. The header comment says
 * where it came from and how to replay it. Race edits (the interleaving
 * suite) have no step in the scenario language: they are kept as `race:`
 * lines in the header, which `replayScenario` reads back.
 */
import { parseScenario } from '../scenario/load.ts';
import { formatErrors } from '../scenario/errors.ts';
import { writeScenario, type WritableScenario, type WritableStep } from '../scenario/write.ts';
import type { CaseResult, ExtraCheck } from './campaign.ts';
import { settleAndCheck } from './campaign.ts';
import { Driver } from './driver.ts';
import { stepText } from './model.ts';
import { formatViolation, type Violation } from './oracle.ts';

export interface CounterexampleMeta {
  fcSeed?: number;
  fcPath?: string;
  /** The command that replays the file; `{file}` is replaced by its path. */
  replayCommand?: string;
}

interface RaceLine {
  beforeStep: number;
  afterRequests: number;
  step: WritableStep;
}

/** The run as a scenario: what happened, minus the steps that did nothing. */
export function counterexampleScenario(result: CaseResult): { scenario: WritableScenario; races: RaceLine[] } {
  const steps: WritableStep[] = [];
  const newIndex: number[] = [];
  result.scenario.steps.forEach((step, i) => {
    newIndex[i] = steps.length;
    const outcome = result.outcomes[i];
    if (outcome?.status === 'skipped') return;
    steps.push(outcome?.status === 'rejected' && outcome.code ? { ...step, rejected: outcome.code } : step);
  });
  newIndex[result.scenario.steps.length] = steps.length;
  steps.push({ kind: 'expect', checks: [{ type: 'converged' }] });
  const names = [...new Set(result.violations.map((v) => v.property))].join(', ');
  return {
    scenario: { ...result.scenario, name: `Fuzz counterexample: ${names || 'no violation'} (seed ${result.config.seed})`, steps },
    races: result.races.map((r) => ({ beforeStep: newIndex[r.beforeStep] ?? steps.length - 1, afterRequests: r.afterRequests, step: r.step })),
  };
}

/** The file's text: a header comment, then the scenario. */
export function counterexampleText(result: CaseResult, meta: CounterexampleMeta = {}, file = '{file}'): string {
  const { scenario, races } = counterexampleScenario(result);
  const lines = [
    `Counterexample found by sync-sim fuzz: ${[...new Set(result.violations.map((v) => v.property))].join(', ')}`,
    `world seed ${result.config.seed}${meta.fcSeed !== undefined ? `, fast-check seed ${meta.fcSeed}` : ''}${meta.fcPath ? `, path "${meta.fcPath}"` : ''}`,
    `mutant: ${result.config.mutant ?? 'none (reference engine)'}`,
    `trace hash: ${result.hash}`,
    `replay: ${(meta.replayCommand ?? `sync-sim fuzz --replay {file}${result.config.mutant ? ` --mutant ${result.config.mutant}` : ''}`).replace('{file}', file)}`,
    '',
    ...result.violations.flatMap((v) => formatViolation(v).split('\n')),
    ...races.map((r) => `race: before step ${r.beforeStep + 1}, at request ${r.afterRequests}: ${stepText(r.step)}`),
  ];
  return writeScenario(scenario, { comment: lines.join('\n') });
}

export interface ReplayOptions {
  mutant?: string;
  extra?: ExtraCheck;
}

export interface ReplayResult {
  violations: Violation[];
  hash: string;
  timeline: string;
  /** Whether an `expect: { converged: true }` step ran the checks. */
  checked: boolean;
}

/** Loads a counterexample (or any scenario using the steps the driver runs) and replays it exactly. */
export async function replayScenario(text: string, file: string, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const loaded = parseScenario(text, file);
  if (!loaded.ok) throw new Error(`${file} does not load:\n${formatErrors(loaded.errors)}`);
  const races = parseRaceLines(text);
  const driver = new Driver(loaded.scenario, opts.mutant ? { mutant: opts.mutant } : {});
  driver.setup();
  const violations: Violation[] = [];
  let checked = false;
  const steps = loaded.scenario.steps;
  for (let i = 0; i < steps.length; i++) {
    for (const r of races) if (r.beforeStep === i) driver.raceAt(r.afterRequests, r.step);
    const step = steps[i]!;
    if (step.kind === 'expect') {
      if (!step.checks.every((c) => c.type === 'converged')) throw new Error(`${file}: step ${i + 1}: the fuzz replay checks only \`converged: true\``);
      violations.push(...(await settleAndCheck(driver, opts.extra)).violations);
      checked = true;
      continue;
    }
    await driver.step(step, i);
  }
  return { violations, hash: driver.world.trace.hash(), timeline: driver.world.trace.toText(), checked };
}

const RACE_LINE = /^#\s*race: before step (\d+), at request (\d+): (\S+)(?: (.*))?$/;

function parseRaceLines(text: string): RaceLine[] {
  const out: RaceLine[] = [];
  for (const line of text.split('\n')) {
    const m = RACE_LINE.exec(line.trim());
    if (!m) continue;
    const body = m[4] ? (JSON.parse(m[4]) as Record<string, unknown>) : {};
    out.push({ beforeStep: Number(m[1]) - 1, afterRequests: Number(m[2]), step: { kind: m[3], ...body } as WritableStep });
  }
  return out;
}
