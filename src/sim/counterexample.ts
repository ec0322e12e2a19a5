/**
 * A failing run's shrunk counterexample as a scenario file (DESIGN §7), and
 * its replay through the scenario runner (issue 6 §2 "Shrinking to a
 * scenario").
 *
 * The file holds the run's setup, the engine variant (`sync: mutant:`), and
 * every step that did something: steps on a ref that did not resolve yet are
 * dropped (they did nothing and left no trace), refused ones carry
 * `rejected: CODE`, race edits carry `atRequest: n`. It ends with the run's
 * own last step, `expect: { converged: true }`: faults and people stop, the
 * world settles, every property is checked. The header comment says where
 * the file came from, the violations and the trace hash; `sync-sim replay
 * FILE` runs it through `runScenario`, the same executor the fuzz run used,
 * so it reproduces the same violations and the same trace hash.
 */
import { parseScenario } from '../scenario/load.ts';
import { formatErrors } from '../scenario/errors.ts';
import { runScenario } from '../scenario/runner.ts';
import { writeScenario, type WritableScenario, type WritableStep } from '../scenario/write.ts';
import type { CaseResult } from './campaign.ts';
import { formatViolation, type Violation } from './oracle.ts';
import type { ExtraCheck } from './settle.ts';

export interface CounterexampleMeta {
  fcSeed?: number;
  fcPath?: string;
  /** The command that replays the file; `{file}` is replaced by its path. */
  replayCommand?: string;
}

/** The run as a scenario: what happened, minus the steps that did nothing. */
export function counterexampleScenario(result: CaseResult): WritableScenario {
  const steps: WritableStep[] = [];
  result.scenario.steps.forEach((step, i) => {
    const outcome = result.outcomes[i];
    if (outcome?.status === 'skipped') return;
    steps.push(outcome?.status === 'rejected' && outcome.code ? { ...step, rejected: outcome.code } : step);
  });
  const names = [...new Set(result.violations.map((v) => v.property))].join(', ');
  return {
    ...result.scenario,
    sync: { ...result.scenario.sync, ...(result.config.mutant ? { mutant: result.config.mutant } : {}) },
    name: `Fuzz counterexample: ${names || 'no violation'} (seed ${result.config.seed})`,
    steps,
  };
}

/** The file's text: a header comment, then the scenario. */
export function counterexampleText(result: CaseResult, meta: CounterexampleMeta = {}, file = '{file}'): string {
  const scenario = counterexampleScenario(result);
  const lines = [
    `Counterexample found by sync-sim fuzz: ${[...new Set(result.violations.map((v) => v.property))].join(', ')}`,
    `world seed ${result.config.seed}${meta.fcSeed !== undefined ? `, fast-check seed ${meta.fcSeed}` : ''}${meta.fcPath ? `, path "${meta.fcPath}"` : ''}`,
    `engine: ${result.config.mutant ? `mutant ${result.config.mutant} (sync.mutant below)` : 'the reference engine'}`,
    `trace hash: ${result.hash}`,
    `replay: ${(meta.replayCommand ?? 'sync-sim replay {file}').replace('{file}', file)}`,
    '',
    ...result.violations.flatMap((v) => formatViolation(v).split('\n')),
  ];
  return writeScenario(scenario, { comment: lines.join('\n') });
}

export interface ReplayOptions {
  /** Overrides the file's `sync.mutant`. */
  mutant?: string;
  extra?: ExtraCheck;
}

export interface ReplayResult {
  violations: Violation[];
  hash: string;
  timeline: string;
  /** Whether an `expect: { converged: true }` step ran the checks. */
  checked: boolean;
  /** The runner's verdict (a counterexample fails at its `expect: converged`). */
  ok: boolean;
  /** The runner's failure message, when it failed for another reason than violations. */
  failure?: string;
}

/** Loads a counterexample (or any scenario) and replays it through the scenario runner. */
export async function replayScenario(text: string, file: string, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const loaded = parseScenario(text, file);
  if (!loaded.ok) throw new Error(`${file} does not load:\n${formatErrors(loaded.errors)}`);
  const r = await runScenario(loaded.scenario, { ...(opts.mutant ? { mutant: opts.mutant } : {}), ...(opts.extra ? { extra: opts.extra } : {}) });
  const checked = r.trace.events.some((e) => e.lane === 'world' && e.kind === 'checked');
  return {
    violations: r.failure?.violations ?? [],
    hash: r.traceHash,
    timeline: r.trace.toText(),
    checked,
    ok: r.ok,
    ...(r.failure && !r.failure.violations ? { failure: r.failure.message } : {}),
  };
}
