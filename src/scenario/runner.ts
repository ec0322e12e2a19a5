/**
 * Runs one loaded scenario (DESIGN §7) against a fresh World: its seed, its
 * sync settings, its setup, then every step in order. The first step that
 * fails stops the run; the result says which step, where in the file, what
 * was expected and found, and when (virtual time), and carries the trace.
 *
 * The same runner serves `sync-sim run`, `replay` and the vitest
 * conformance suite.
 */
import type { WinnerPolicy } from '../engine/types.ts';
import { iso, RealClock } from '../sim/clock.ts';
import { markLogs, acceptedWritesSince, type Violation } from '../sim/properties.ts';
import type { Trace } from '../sim/trace.ts';
import { UserActionRejected, World } from '../sim/world.ts';
import { checkExpectation, type CheckContext } from './expectations.ts';
import { RefTable } from './refs.ts';
import { applySetup, SetupError } from './setup.ts';
import { formatDuration } from './write.ts';
import type { Scenario, SourceLoc, Step } from './schema.ts';

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
  /** Runs a deliberately broken engine variant (EngineOptions.mutant), to check that scenarios catch it. */
  mutant?: string;
}

/** A step that did not go as the file says. */
class StepFailed extends Error {
  constructor(
    message: string,
    readonly loc: SourceLoc,
    readonly expected?: string,
    readonly found?: string,
    readonly violations?: Violation[],
  ) {
    super(message);
  }
}

export async function runScenario(scenario: Scenario, opts: RunOptions = {}): Promise<ScenarioResult> {
  const stopwatch = new RealClock();
  const started = stopwatch.now();
  const seed = opts.seed ?? scenario.seed;
  let world: World | undefined;
  const winner: WinnerPolicy = { Lead: scenario.sync.winner.Lead, Contact: scenario.sync.winner.Contact };
  if (Object.keys(scenario.sync.fieldWinners).length > 0) winner.fields = { ...scenario.sync.fieldWinners } as WinnerPolicy['fields'];
  world = new World({
    seed,
    interval: scenario.sync.intervalMs,
    winner,
    ...(opts.mutant ? { mutant: opts.mutant } : {}),
    // A request sent while the engine is dead never reaches the fault plan (where requests are traced).
    onRequest: (r) => {
      if (world && deadEngine(world)) world.trace.record(r.system, 'request', `${r.method} ${r.path} (engine dead: refused)`);
    },
  });
  const w = world;
  if (opts.onEvent) {
    const record = w.trace.record.bind(w.trace);
    w.trace.record = (...args) => {
      const e = record(...args);
      opts.onEvent!(`${iso(e.at)}  ${e.lane.padEnd(10)} ${e.kind.padEnd(14)} ${e.text}`, e);
      return e;
    };
  }
  traceRequestsAndFaults(w);
  w.trace.record('world', 'scenario', `${scenario.name} (seed ${seed})`, { file: scenario.file });

  let failure: ScenarioFailure | undefined;
  let current: Step | null = null;
  try {
    let refs: RefTable;
    try {
      refs = applySetup(w, scenario);
    } catch (err) {
      if (err instanceof SetupError) throw new StepFailed(`setup: ${err.what}: ${err.reason}`, err.loc);
      throw err;
    }
    const runner = new StepRunner(w, refs);
    for (const step of scenario.steps) {
      current = step;
      await runner.run(step);
    }
  } catch (err) {
    const at = iso(w.clock.now());
    const step = current ? { number: current.number, kind: current.kind } : null;
    if (err instanceof StepFailed) {
      failure = {
        step,
        file: err.loc.file,
        line: err.loc.line,
        column: err.loc.column,
        message: err.message,
        ...(err.expected !== undefined ? { expected: err.expected } : {}),
        ...(err.found !== undefined ? { found: err.found } : {}),
        at,
        ...(err.violations ? { violations: err.violations } : {}),
      };
    } else {
      // A crash of the simulator or the engine: still a failure of this scenario, with the place it happened.
      const loc = current?.loc ?? { file: scenario.file, line: 1, column: 1 };
      failure = { step, file: loc.file, line: loc.line, column: loc.column, message: `the run crashed: ${(err as Error)?.stack ?? String(err)}`, at };
    }
    w.trace.record('world', 'fail', `${step ? `step ${step.number} (${step.kind})` : 'setup'} failed: ${failure.message}`);
  } finally {
    w.close();
  }
  if (!failure) w.trace.record('world', 'pass', 'all steps passed');
  return {
    name: scenario.name,
    file: scenario.file,
    seed,
    ok: !failure,
    ...(failure ? { failure } : {}),
    trace: w.trace,
    traceHash: w.trace.hash(),
    durationMs: stopwatch.now() - started,
  };
}

/**
 * Puts each fault that strikes a request into the trace, where it happens
 * (a thin adapter: the World's fault plan decides, the runner only listens).
 */
function traceRequestsAndFaults(w: World): void {
  const decide = w.faults.decide.bind(w.faults);
  w.faults.decide = (system, request, isWrite, isAuth) => {
    // Every request the engine sends passes here first, with its full URL: trace it in order with the engine's decisions.
    w.trace.record(system, 'request', describeRequest(request));
    const fault = decide(system, request, isWrite, isAuth);
    if (fault) w.trace.record('fault', 'fired', `${system} ${fault.kind} strikes ${request.method} ${new URL(request.url).pathname}`);
    return fault;
  };
}

/** `GET /services/data/v59.0/query q=SELECT …`: the path and the query parameters that say what was asked (no tokens). */
export function describeRequest(request: Request): string {
  const url = new URL(request.url);
  const params = [...url.searchParams]
    .filter(([k]) => k !== 'access_token' && k !== 'client_secret' && k !== 'password')
    .map(([k, v]) => `${k}=${v.length > 240 ? `${v.slice(0, 240)}…` : v}`);
  return `${request.method} ${url.pathname}${params.length ? ` ${params.join(' ')}` : ''}`;
}

/** Whether the World's crash switch is refusing the engine's requests (read without changing the World). */
function deadEngine(w: World): boolean {
  return (w as unknown as { crashed?: boolean }).crashed === true;
}

/** Executes steps against one world; keeps what later steps need (the ref table, the permission boundary). */
class StepRunner {
  private permissionsFromSeq = 0;
  private restarts = 0;

  constructor(
    private readonly world: World,
    private readonly refs: RefTable,
  ) {}

  async run(step: Step): Promise<void> {
    const w = this.world;
    w.trace.record('world', 'step', `step ${step.number}: ${describeStep(step)}`, { line: step.loc.line });
    switch (step.kind) {
      case 'wait':
        await w.advance(step.ms);
        return;
      case 'expect':
        for (const check of step.checks) {
          const ctx: CheckContext = { world: w, refs: this.refs, permissionsFromSeq: this.permissionsFromSeq, idleCycle: () => this.idleCycle() };
          const mismatch = await checkExpectation(ctx, check);
          if (mismatch) throw new StepFailed(mismatch.message, check.loc, mismatch.expected, mismatch.found, mismatch.violations);
          w.trace.record('world', 'expect', `ok: ${check.type}${'ref' in check ? ` ${check.ref}` : ''}`);
        }
        return;
      case 'fault':
        w.fault({ system: step.system, kind: step.fault, ...(step.forMs !== undefined ? { forMs: step.forMs } : {}), ...(step.times !== undefined ? { times: step.times } : {}) });
        return;
      case 'engine.restart':
        await this.restart();
        return;
      case 'marketo.syncPersonToSfdc': {
        const person = this.requirePerson(step, step.ref);
        // The flow action is the engine's work: its failures show in the activity log, never fail the step.
        const r = await w.syncPersonToSfdc(person.id);
        w.trace.record('world', 'flow', `Sync Person to SFDC ${step.ref}: ${r.outcome}${r.sfId ? ` ${r.sfId}` : ''}${r.error ? ` (${r.error.errorCode}: ${r.error.message})` : ''}`);
        return;
      }
      case 'salesforce.permission':
        w.org.setAccess(w.org.syncUser.id, `${step.object}.${step.field}`, step.access);
        w.trace.record('user', 'sf.permission', `sync user: ${step.object}.${step.field} ${step.access}`);
        // Requests before this one were judged against the old access.
        this.permissionsFromSeq = (w.org.requestLog.at(-1)?.seq ?? 0) + 1;
        return;
      case 'salesforce.rule':
        try {
          w.org.setRule(step.rule);
        } catch (err) {
          throw new StepFailed(`Salesforce refused the validation rule ${step.rule.object}.${step.rule.name}: ${(err as Error).message}`, step.loc);
        }
        w.trace.record('user', 'sf.rule', `validation rule ${step.rule.object}.${step.rule.name}${step.rule.active === false ? ' switched off' : `: ${step.rule.formula}`}`);
        return;
      default:
        await this.userAction(step);
    }
  }

  /** A person's action: refused ones fail the step unless it says `rejected: CODE`. */
  private async userAction(step: Step): Promise<void> {
    let refused: UserActionRejected | undefined;
    try {
      this.act(step);
    } catch (err) {
      if (!(err instanceof UserActionRejected)) throw err;
      refused = err;
    }
    if (step.rejected !== undefined) {
      if (!refused) throw new StepFailed(`${step.kind} was accepted, but the step says it is rejected with ${step.rejected}`, step.loc, `rejected: ${step.rejected}`, 'accepted');
      if (refused.code !== step.rejected) {
        throw new StepFailed(`${step.kind} was rejected with ${refused.code}, not ${step.rejected}`, step.loc, `rejected: ${step.rejected}`, `${refused.code}: ${refused.message}`);
      }
      this.world.trace.record('world', 'rejected', `${step.kind} rejected as expected: ${refused.code}`);
      return;
    }
    if (refused) {
      throw new StepFailed(
        `${refused.system === 'salesforce' ? 'Salesforce' : 'Marketo'} refused ${step.kind}: ${refused.code}: ${refused.message} (add \`rejected: ${refused.code}\` if that is what this step checks)`,
        step.loc,
        'accepted',
        `${refused.code}: ${refused.message}`,
      );
    }
  }

  private act(step: Step): void {
    const w = this.world;
    const sf = w.salesforceUser;
    switch (step.kind) {
      case 'salesforce.create': {
        const id = sf.create(step.object, step.fields);
        this.refs.defineSalesforce(step.ref, step.object, id);
        return;
      }
      case 'salesforce.update': {
        const r = this.requireSalesforce(step, step.ref);
        sf.update(r.object, r.id, step.fields);
        return;
      }
      case 'salesforce.delete': {
        const r = this.requireSalesforce(step, step.ref);
        sf.delete(r.object, r.id);
        return;
      }
      case 'salesforce.convert': {
        const r = this.requireSalesforce(step, step.ref);
        if (r.object !== 'Lead') throw new StepFailed(`\`${step.ref}\` is a ${r.object} (${r.id}); only a lead can be converted`, step.loc);
        const result = sf.convert(r.id);
        if (result.contactId) this.refs.defineSalesforce(step.ref, 'Contact', result.contactId);
        return;
      }
      case 'salesforce.merge': {
        const into = this.requireSalesforce(step, step.into);
        const from = this.requireSalesforce(step, step.from);
        if (into.object !== from.object) {
          throw new StepFailed(`\`${step.into}\` is a ${into.object} and \`${step.from}\` a ${from.object}: only records of one object merge`, step.loc);
        }
        sf.merge(into.object, into.id, [from.id]);
        return;
      }
      case 'marketo.create': {
        const p = w.marketoUser.create(step.fields);
        this.refs.definePerson(step.ref, p.id);
        return;
      }
      case 'marketo.update': {
        const p = this.requirePerson(step, step.ref);
        w.marketoUser.update(p.id, step.fields);
        return;
      }
      case 'marketo.delete': {
        const p = this.requirePerson(step, step.ref);
        w.marketoUser.delete(p.id);
        return;
      }
      default:
        throw new Error(`not a user action: ${step.kind}`);
    }
  }

  private requireSalesforce(step: Step, ref: string): { object: string; id: string } {
    const r = this.refs.salesforce(ref);
    if (!r) {
      throw new StepFailed(`\`${ref}\` has no Salesforce record yet (a Marketo person reaches Salesforce only through Sync Person to SFDC)`, step.loc, 'a Salesforce record', 'none');
    }
    return r;
  }

  private requirePerson(step: Step, ref: string) {
    const p = this.refs.person(ref);
    if (!p) {
      throw new StepFailed(`\`${ref}\` has no Marketo person yet (a Salesforce record reaches Marketo at the next sync cycle)`, step.loc, 'a Marketo person', 'none');
    }
    return p;
  }

  /**
   * `engine.restart`: the engine process dies between two requests of a
   * cycle and a new one starts from the state store. Where it dies is drawn
   * from the seed, so a replay dies at the same request.
   */
  private async restart(): Promise<void> {
    const w = this.world;
    const after = w.rng.fork(`restart-${++this.restarts}`).int(1, 12);
    w.trace.record('world', 'crash-plan', `the engine will die after ${after} more request(s)`);
    w.crashEngineAfter(after);
    await w.runCycle();
    w.restartEngine();
  }

  /** One cycle right now, returning the accepted writes it made. */
  private async idleCycle(): Promise<string[]> {
    const w = this.world;
    const mark = markLogs(w);
    w.trace.record('world', 'idle-check', 'one more cycle: a converged world must write nothing');
    await w.runCycle();
    return acceptedWritesSince(w, mark);
  }
}

function describeStep(step: Step): string {
  if (step.kind === 'wait') return `wait ${formatDuration(step.ms)}`;
  if (step.kind === 'expect') {
    return `expect ${step.checks.map((c) => (c.type === 'count' ? `count ${c.target} = ${c.expected}` : 'ref' in c ? `${c.type} ${c.ref}` : c.type)).join(', ')}`;
  }
  const { number: _n, loc: _l, kind, ...rest } = step as Step & Record<string, unknown>;
  const body = JSON.stringify(rest);
  return `${kind}${body === '{}' ? '' : ` ${body}`}`;
}
