/**
 * Runs one loaded scenario (DESIGN §7) against a fresh World: its seed, its
 * sync settings, its setup, then every step in order. The first step that
 * fails stops the run; the result says which step, where in the file, what
 * was expected and found, and when (virtual time), and carries the trace.
 *
 * The same runner serves `sync-sim run`, `replay` and the vitest
 * conformance suite. Steps run through the simulator's one executor
 * (src/sim/driver.ts), the same one a fuzz run drives, so a fuzz
 * counterexample file replays here to the same trace and hash.
 */
import { iso, RealClock } from '../sim/clock.ts';
import { Driver, StepError } from '../sim/driver.ts';
import type { Violation } from '../sim/oracle.ts';
import type { ExtraCheck } from '../sim/settle.ts';
import { formatLine, type Trace } from '../sim/trace.ts';
import { SetupError } from './setup.ts';
import type { Scenario } from './schema.ts';

export interface ScenarioFailure {
  /** The step that failed (number as printed, kind); null for the setup sections. */
  step: { number: number; kind: string } | null;
  file: string;
  line: number;
  column: number;
  message: string;
  expected?: string;
  found?: string;
  /** Virtual time of the failure (ISO). */
  at: string;
  /** Named property violations, for `expect: converged`. */
  violations?: Violation[];
}

export interface ScenarioResult {
  name: string;
  file: string;
  seed: number;
  ok: boolean;
  failure?: ScenarioFailure;
  trace: Trace;
  traceHash: string;
  /** Wall time the run took (reporting only; never part of the trace). */
  durationMs: number;
}

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Every trace line as it is recorded (for live output). */
  onEvent?: (line: string, event: Trace['events'][number]) => void;
  /** Runs a deliberately broken engine variant (overrides the file's `sync.mutant`). */
  mutant?: string;
  /** A planted property `expect: converged` checks with the others (tests of the shrink-and-replay path). */
  extra?: ExtraCheck;
}

export async function runScenario(scenario: Scenario, opts: RunOptions = {}): Promise<ScenarioResult> {
  const stopwatch = new RealClock();
  const started = stopwatch.now();
  const driver = new Driver(scenario, {
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.mutant ? { mutant: opts.mutant } : {}),
    ...(opts.extra ? { extra: opts.extra } : {}),
  });
  const w = driver.world;
  if (opts.onEvent) {
    // The driver's first line is already recorded: pass it on, then follow the trace as it grows.
    for (const e of w.trace.events) opts.onEvent(formatLine(e), e);
    const record = w.trace.record.bind(w.trace);
    w.trace.record = (...args) => {
      const e = record(...args);
      opts.onEvent!(formatLine(e), e);
      return e;
    };
  }

  let failure: ScenarioFailure | undefined;
  try {
    try {
      driver.setup();
    } catch (err) {
      if (!(err instanceof SetupError)) throw err;
      const message = `setup: ${err.what}: ${err.reason}`;
      w.trace.record('world', 'fail', `setup failed: ${message}`);
      failure = { step: null, file: err.loc.file, line: err.loc.line, column: err.loc.column, message, at: iso(w.clock.now()) };
    }
    if (!failure) {
      for (const step of scenario.steps) {
        try {
          await driver.step(step);
        } catch (err) {
          if (!(err instanceof StepError)) throw err;
          const loc = err.loc ?? step.loc;
          failure = {
            step: { number: step.number, kind: step.kind },
            file: loc.file,
            line: loc.line,
            column: loc.column,
            message: err.reason,
            ...(err.expected !== undefined ? { expected: err.expected } : {}),
            ...(err.found !== undefined ? { found: err.found } : {}),
            at: iso(w.clock.now()),
            ...(err.violations ? { violations: err.violations } : {}),
          };
          break;
        }
      }
    }
    if (!failure) driver.finish();
  } finally {
    w.close();
  }
  return {
    name: scenario.name,
    file: scenario.file,
    seed: driver.seed,
    ok: !failure,
    ...(failure ? { failure } : {}),
    trace: w.trace,
    traceHash: w.trace.hash(),
    durationMs: stopwatch.now() - started,
  };
}
