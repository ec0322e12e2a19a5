/**
 * The property suite's normal run budget, shared by the conformance suite
 * (npm test) and the mutant suite (test/mutants, also in npm test), so "caught within the
 * normal budget" means the same runs. Seeds are fixed so CI is reproducible;
 * SYNCSIM_SEED explores others.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CampaignReport } from '../../src/sim/campaign.ts';
import { counterexampleText } from '../../src/sim/counterexample.ts';
import { formatViolation, KNOWN_ENGINE_BUGS } from '../../src/sim/oracle.ts';

export const SEED = process.env.SYNCSIM_SEED ? Number(process.env.SYNCSIM_SEED) : 20_260_105;
export const MAIN_RUNS = 200;
export const RACE_RUNS = 100;
export const TOLERATE = Object.keys(KNOWN_ENGINE_BUGS);

/** A failed campaign as a readable message; the counterexample file goes to reports/counterexamples/. */
export function describeFailure(report: CampaignReport, suite: string): string {
  const f = report.failure;
  if (!f) return '';
  const dir = 'reports/counterexamples';
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${suite}-seed${f.result.config.seed}.yaml`);
  writeFileSync(file, counterexampleText(f.result, { fcSeed: f.fcSeed, fcPath: f.fcPath }, file));
  return [
    `${suite}: run ${report.runs} broke a property (fast-check seed ${f.fcSeed}, path ${f.fcPath}); counterexample: ${file}`,
    ...f.result.violations.map(formatViolation),
    'commands:',
    f.counterexample,
  ].join('\n');
}
