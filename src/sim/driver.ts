/**
 * The one executor of scenario steps (DESIGN §7) against a World. The
 * scenario runner (`sync-sim run`, `replay`, the conformance suite) and the
 * fuzzer's model commands both go through it, so a run and the replay of its
 * counterexample file record the same trace, line for line, and end with the
 * same trace hash.
 *
 * Choices the scenario language leaves open, made here:
 * - `engine.restart`: one cycle runs at once and the engine process dies in
 *   it, then restarts from its state store. Where it dies is drawn from the
 *   seed: half the time after k requests (k over the last cycle's request
 *   count plus two, so any boundary of the cycle is about equally likely),
 *   half at its first field decision, right after its reads and before its
 *   writes. A crash "between any two requests".
 * - `expect: { converged: true }` settles the world first (settle.ts: faults
 *   and people stop, cycles run until quiet) and then checks every property
 *   of DESIGN §5 with the oracle, as DESIGN §5 says they are checked.
 * - `atRequest: n` beside a person's action: the action lands just before the
 *   engine's n-th request from there (the interleaving suite's race edits).
 * - Permission and rule changes, and the values an update replaces, are
 *   recorded in the trace (lane `user`) so the history and the oracle see them.
 * - Lenient mode (fuzzing): a person's action the system refuses is recorded
 *   as refused instead of failing the run, and an action on a ref that does
 *   not resolve yet (a person the sync has not created) is skipped without a
 *   trace line or a step number; the counterexample writer turns the first
 *   into `rejected: CODE` and drops the second, so the file replays strictly.
 */
import { mirroredMarketoFields } from '../scenario/catalogue.ts';
import { checkExpectation } from '../scenario/expectations.ts';
import { RefTable } from '../scenario/refs.ts';
import { SetupError } from '../scenario/setup.ts';
import { formatDuration, type Unlocated, type WritableScenario, type WritableStep } from '../scenario/write.ts';
import type { Expectation, SourceLoc } from '../scenario/schema.ts';
import type { FieldDataType } from '../../mocks/marketo/index.ts';
import type { CustomFieldSpec } from '../../mocks/salesforce/index.ts';
import type { Violation, WinnerConfig } from './oracle.ts';
import { settleWorld, type ExtraCheck, type SettleResult } from './settle.ts';
import { urlParts } from '../../mocks/url-parts.ts';
import { createWorld, UserActionRejected, type World, type WorldOptions } from './world.ts';

export interface StepOutcome {
  status: 'ok' | 'rejected' | 'skipped' | 'failed';
  code?: string;
  message?: string;
}

export interface DriverOptions {
  /** Record refusals and failed checks instead of throwing, skip unresolved refs (fuzzing). */
  lenient?: boolean;
  /** The engine variant; overrides the scenario's `sync.mutant`. */
  mutant?: string;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** A planted property, checked with the others by `expect: converged`. */
  extra?: ExtraCheck;
  /** Extra World options (tests). */
  world?: Partial<WorldOptions>;
}

/** A step that did not go as the scenario says (strict mode): what, expected and found, and where. */
export class StepError extends Error {
  constructor(
    readonly step: WritableStep,
    readonly number: number,
    readonly reason: string,
    readonly loc?: SourceLoc,
    readonly expected?: string,
    readonly found?: string,
    readonly violations?: Violation[],
  ) {
    super(`step ${number} (${step.kind}): ${reason}`);
    this.name = 'StepError';
  }
}

interface RaceEdit {
  remaining: number;
  step: WritableStep;
  number: number;
}

export class Driver {
  readonly world: World;
  readonly refs: RefTable;
  /** One outcome per step given to `step()`, skipped ones included. */
  readonly outcomes: StepOutcome[] = [];
  /** The last `expect: converged` settle and check. */
  lastCheck: SettleResult | undefined;
  readonly seed: number;
  private readonly races: RaceEdit[] = [];
  private restarts = 0;
  private crashAtDecision = false;
  /** Steps that ran (skipped ones do not count): the number a file written from the run gives each. */
  private executed = 0;
  private readonly lenient: boolean;
  private readonly extra: ExtraCheck | undefined;

  constructor(
    readonly scenario: WritableScenario,
    opts: DriverOptions = {},
  ) {
    this.lenient = opts.lenient === true;
    this.extra = opts.extra;
    this.seed = opts.seed ?? scenario.seed;
    const mutant = opts.mutant ?? scenario.sync.mutant;
    const fieldWinners = scenario.sync.fieldWinners as Record<`${'Lead' | 'Contact'}.${string}`, 'marketo' | 'salesforce'>;
    this.world = createWorld({
      seed: this.seed,
      interval: scenario.sync.intervalMs,
      winner: { Lead: scenario.sync.winner.Lead, Contact: scenario.sync.winner.Contact, ...(Object.keys(fieldWinners).length ? { fields: fieldWinners } : {}) },
      ...(mutant ? { mutant } : {}),
      ...opts.world,
      onEngineEvent: (e) => {
        if (this.crashAtDecision && e.type === 'field') {
          this.crashAtDecision = false;
          this.world.crashEngineAfter(0);
        }
        opts.world?.onEngineEvent?.(e);
      },
      onRequest: (r) => {
        this.fireRaces();
        // A request sent while the engine is dead never reaches the fault plan (where requests are traced).
        if (deadEngine(this.world)) this.world.trace.record(r.system, 'request', `${r.method} ${r.path} (engine dead: refused)`);
        opts.world?.onRequest?.(r);
      },
    });
    traceRequestsAndFaults(this.world);
    this.refs = new RefTable({ org: this.world.org, instance: this.world.instance });
    this.world.trace.record('world', 'scenario', `a new world (seed ${this.seed})${mutant ? `, engine mutant ${mutant}` : ''}`);
  }

  /** Custom fields, permissions, rules, then records and people, as a scenario's setup reads. Throws SetupError. */
  setup(): void {
    const w = this.world;
    const s = this.scenario;
    const at = (loc: unknown): SourceLoc => (isLoc(loc) ? loc : { file: s.file ?? '(generated)', line: 1, column: 1 });
    const attempt = (loc: unknown, what: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        throw new SetupError(at(loc), what, setupReason(err));
      }
    };
    for (const f of s.salesforce.fields) {
      const { loc, ...spec } = f as typeof f & { loc?: unknown };
      attempt(loc, `custom field ${f.object}.${f.name}`, () => w.org.addField(spec as CustomFieldSpec));
    }
    for (const f of [...s.marketo.fields, ...mirroredMarketoFields(s.salesforce.fields, s.marketo.fields)]) {
      const displayName = 'displayName' in f && typeof f.displayName === 'string' ? f.displayName : undefined;
      const loc = 'loc' in f ? f.loc : s.salesforce.fields.find((d) => d.name.toLowerCase() === f.name.toLowerCase())?.loc;
      attempt(loc, `Marketo field ${f.name}`, () => w.instance.addField({ name: f.name, dataType: f.type as FieldDataType, ...(displayName ? { displayName } : {}) }));
    }
    for (const p of s.salesforce.permissions) attempt(p.loc, `permission ${p.object}.${p.field}`, () => this.setPermission(p.object, p.field, p.access));
    for (const r of s.salesforce.rules) {
      const { loc, ...rule } = r as typeof r & { loc?: unknown };
      attempt(loc, `validation rule ${r.object}.${r.name}`, () => this.setRule(rule));
    }
    for (const r of s.salesforce.records) {
      attempt(r.loc, `record \`${r.ref}\` (${r.object})`, () => this.refs.defineSalesforce(r.ref, r.object, w.salesforceUser.create(r.object, r.fields)));
    }
    for (const p of s.marketo.people) attempt(p.loc, `person \`${p.ref}\``, () => this.refs.definePerson(p.ref, w.marketoUser.create(p.fields).id));
  }

  /** Runs every step of the scenario, in order. */
  async runAll(): Promise<StepOutcome[]> {
    this.setup();
    for (const step of this.scenario.steps) await this.step(step);
    return this.outcomes;
  }

  /** Drops race edits that have not landed (people stop editing). */
  cancelRaces(): void {
    this.races.length = 0;
  }

  /** Race edits still waiting (the engine sent fewer requests than they asked for). */
  get pendingRaces(): number {
    return this.races.length;
  }

  /** Faults and people stop, the world settles, every property is checked (what `expect: converged` does). */
  async settle(): Promise<SettleResult> {
    this.cancelRaces();
    const s = this.scenario.sync;
    const winners: WinnerConfig = { Lead: s.winner.Lead, Contact: s.winner.Contact, fields: s.fieldWinners };
    this.lastCheck = await settleWorld(this.world, winners, this.extra);
    return this.lastCheck;
  }

  /** The run's closing line: `pass`, unless a step failed (its `fail` line is already in the trace). */
  finish(): void {
    if (!this.outcomes.some((o) => o.status === 'failed')) this.world.trace.record('world', 'pass', 'all steps passed');
  }

  async step(step: WritableStep): Promise<StepOutcome> {
    const unresolved = this.unresolvedRef(step);
    if (unresolved !== undefined && this.lenient && step.atRequest === undefined) return this.done({ status: 'skipped', message: `ref ${unresolved} not resolvable` });
    const number = ++this.executed;
    this.world.trace.record('world', 'step', `step ${number}: ${describeStep(step)}`);
    if (step.atRequest !== undefined) {
      this.races.push({ remaining: step.atRequest, step, number });
      return this.done({ status: 'ok' });
    }
    try {
      if (unresolved !== undefined) throw this.fail(step, number, unresolvedReason(step, unresolved), 'a record on that side', 'none');
      return this.done(await this.apply(step, number));
    } catch (err) {
      if (err instanceof StepError) throw err;
      // Any other error is the simulator's or the engine's own: a failure of this step, with its place.
      throw this.fail(step, number, `the run crashed: ${(err as Error)?.stack ?? String(err)}`);
    }
  }

  private done(outcome: StepOutcome): StepOutcome {
    this.outcomes.push(outcome);
    return outcome;
  }

  /** Records the failure in the trace and returns the error to throw. */
  private fail(step: WritableStep, number: number, reason: string, expected?: string, found?: string, violations?: Violation[], loc?: unknown): StepError {
    this.world.trace.record('world', 'fail', `step ${number} (${step.kind}) failed: ${reason}`);
    return new StepError(step, number, reason, isLoc(loc) ? loc : isLoc(step.loc) ? step.loc : undefined, expected, found, violations);
  }

  private async apply(step: WritableStep, number: number): Promise<StepOutcome> {
    const w = this.world;
    switch (step.kind) {
      case 'wait':
        await w.advance(step.ms);
        return { status: 'ok' };
      case 'expect':
        return this.expect(step, number, step.checks);
      case 'marketo.syncPersonToSfdc': {
        // The flow action is the engine's work: its failures show in the activity log, never fail the step.
        const r = await w.syncPersonToSfdc(this.refs.person(step.ref)!.id);
        w.trace.record('world', 'flow', `Sync Person to SFDC ${step.ref}: ${r.outcome}${r.sfId ? ` ${r.sfId}` : ''}${r.error ? ` (${r.error.errorCode}: ${r.error.message})` : ''}`);
        return { status: 'ok' };
      }
      case 'fault':
        w.fault({ system: step.system, kind: step.fault, ...(step.forMs !== undefined ? { forMs: step.forMs } : {}), ...(step.times !== undefined ? { times: step.times } : {}) });
        return { status: 'ok' };
      case 'engine.restart':
        await this.restart();
        return { status: 'ok' };
      case 'salesforce.permission':
        this.setPermission(step.object, step.field, step.access);
        return { status: 'ok' };
      case 'salesforce.rule':
        try {
          this.setRule(step.rule);
        } catch (err) {
          throw this.fail(step, number, `Salesforce refused the validation rule ${step.rule.object}.${step.rule.name}: ${(err as Error).message}`);
        }
        return { status: 'ok' };
      default:
        return this.userAction(step, number);
    }
  }

  /** A person's action: a refusal fails the step unless it says `rejected: CODE` (or the driver is lenient). */
  private userAction(step: WritableStep, number: number): StepOutcome {
    let refused: UserActionRejected | undefined;
    try {
      this.act(step);
    } catch (err) {
      if (!(err instanceof UserActionRejected)) throw err;
      refused = err;
    }
    if (refused) {
      this.world.trace.record('world', 'rejected', `${step.kind} refused: ${refused.code}`);
      const outcome: StepOutcome = { status: 'rejected', code: refused.code, message: refused.message };
      if (this.lenient || step.rejected === refused.code) return outcome;
      if (step.rejected !== undefined) {
        throw this.fail(step, number, `${step.kind} was rejected with ${refused.code}, not ${step.rejected}`, `rejected: ${step.rejected}`, `${refused.code}: ${refused.message}`);
      }
      const system = refused.system === 'salesforce' ? 'Salesforce' : 'Marketo';
      throw this.fail(step, number, `${system} refused ${step.kind}: ${refused.code}: ${refused.message} (add \`rejected: ${refused.code}\` if that is what this step checks)`, 'accepted', `${refused.code}: ${refused.message}`);
    }
    if (step.rejected !== undefined && !this.lenient) {
      throw this.fail(step, number, `${step.kind} was accepted, but the step says it is rejected with ${step.rejected}`, `rejected: ${step.rejected}`, 'accepted');
    }
    return { status: 'ok' };
  }

  private async expect(step: WritableStep, number: number, checks: readonly Unlocated<Expectation>[]): Promise<StepOutcome> {
    const w = this.world;
    // A generated check has no place in a file; checkExpectation reads `loc` only to report it.
    for (const check of checks as Expectation[]) {
      const mismatch = await checkExpectation({ world: w, refs: this.refs, converged: () => this.convergedCheck() }, check);
      if (mismatch) {
        const err = this.fail(step, number, mismatch.message, mismatch.expected, mismatch.found, mismatch.violations, check.loc);
        if (!this.lenient) throw err;
        return { status: 'failed', message: mismatch.message };
      }
      w.trace.record('world', 'expect', `ok: ${check.type}${'ref' in check ? ` ${check.ref}` : ''}`);
    }
    return { status: 'ok' };
  }

  private async convergedCheck(): Promise<Violation[]> {
    return (await this.settle()).violations;
  }

  /**
   * `engine.restart`: the engine dies in a cycle run at once, then restarts
   * from its state store. Half the time after k requests, half at the
   * boundary between its reads and its writes: a crash there is what tests
   * "a watermark advances only past records fully processed" (DESIGN §4).
   */
  private async restart(): Promise<void> {
    const w = this.world;
    const span = crashSpan(w);
    const k = w.rng.fork(`restart-${++this.restarts}`).int(1, 2 * span);
    if (k > span) {
      w.trace.record('world', 'crash-plan', 'the engine will die at its first field decision, between its reads and its writes');
      this.crashAtDecision = true;
    } else {
      w.trace.record('world', 'crash-plan', `the engine will die after ${k} more request(s)`);
      w.crashEngineAfter(k);
    }
    await w.runCycle();
    this.crashAtDecision = false;
    w.restartEngine();
  }

  private fireRaces(): void {
    for (let i = 0; i < this.races.length; ) {
      const r = this.races[i]!;
      if (--r.remaining > 0) {
        i++;
        continue;
      }
      this.races.splice(i, 1);
      this.world.trace.record('world', 'race', `step ${r.number} lands now, while the engine's request is in flight`);
      try {
        // Synchronous person's actions only: the engine's request waits for it, as a real edit would land first.
        if (this.unresolvedRef(r.step) === undefined) this.act(r.step);
      } catch {
        // A refused race edit is part of the world's behaviour; the trace shows none for it.
      }
    }
  }

  private setPermission(object: string, field: string, access: 'edit' | 'read' | 'none'): void {
    this.world.org.setAccess(this.world.org.syncUser.id, `${object}.${field}`, access);
    // The request log position orders the change against the engine's requests of the same virtual millisecond.
    this.world.trace.record('user', 'sf.permission', `${object}.${field}: ${access}`, { object, field, access, requestLog: this.world.org.requestLog.length });
  }

  private setRule(rule: { object: string; name: string; formula: string; message: string; field?: string; active?: boolean }): void {
    const spec = Object.fromEntries(Object.entries(rule).filter(([k, v]) => v !== undefined && k !== 'loc')) as typeof rule;
    this.world.org.setRule(spec);
    this.world.trace.record('user', 'sf.rule', `${rule.object}.${rule.name}${rule.active === false ? ' off' : ''}`, { object: rule.object, name: rule.name, active: rule.active !== false });
  }

  /** The ref a step names that does not resolve on its side now, if any. */
  private unresolvedRef(step: WritableStep): string | undefined {
    const sf = (ref: string) => (this.refs.has(ref) && this.refs.salesforce(ref) ? undefined : ref);
    const mk = (ref: string) => (this.refs.has(ref) && this.refs.person(ref) ? undefined : ref);
    switch (step.kind) {
      case 'salesforce.update':
      case 'salesforce.delete':
      case 'salesforce.convert':
        return sf(step.ref);
      case 'salesforce.merge':
        return sf(step.into) ?? sf(step.from);
      case 'marketo.update':
      case 'marketo.delete':
      case 'marketo.syncPersonToSfdc':
        return mk(step.ref);
      default:
        return undefined;
    }
  }

  /** A person's action, at once. Throws UserActionRejected when the system refuses it. */
  private act(step: WritableStep): void {
    const w = this.world;
    const sf = w.salesforceUser;
    const mk = w.marketoUser;
    switch (step.kind) {
      case 'salesforce.create': {
        this.refs.defineSalesforce(step.ref, step.object, sf.create(step.object, step.fields));
        return;
      }
      case 'salesforce.update': {
        const r = this.refs.salesforce(step.ref)!;
        const row = w.org.get(r.object, r.id, { includeDeleted: true }) as Record<string, unknown> | undefined;
        this.recordPrior(`${r.object} ${r.id}`, step.fields, (f) => row?.[f]);
        sf.update(r.object, r.id, step.fields);
        return;
      }
      case 'salesforce.delete': {
        const r = this.refs.salesforce(step.ref)!;
        sf.delete(r.object, r.id);
        return;
      }
      case 'salesforce.convert': {
        const r = this.refs.salesforce(step.ref)!;
        if (r.object !== 'Lead') throw new UserActionRejected('salesforce', 'INVALID_TYPE', `\`${step.ref}\` is a ${r.object} (${r.id}); only a lead can be converted`);
        const result = sf.convert(r.id);
        if (result.contactId) this.refs.defineSalesforce(step.ref, 'Contact', result.contactId);
        return;
      }
      case 'salesforce.merge': {
        const into = this.refs.salesforce(step.into)!;
        const from = this.refs.salesforce(step.from)!;
        if (into.object !== from.object) throw new UserActionRejected('salesforce', 'INVALID_TYPE', `\`${step.into}\` is a ${into.object} and \`${step.from}\` a ${from.object}: only records of one object merge`);
        sf.merge(into.object, into.id, [from.id]);
        return;
      }
      case 'marketo.create': {
        this.refs.definePerson(step.ref, mk.create(step.fields).id);
        return;
      }
      case 'marketo.update': {
        const p = this.refs.person(step.ref)!;
        this.recordPrior(`person ${p.id}`, step.fields, (f) => {
          const key = Object.keys(p).find((k) => k.toLowerCase() === f.toLowerCase());
          return key ? (p as unknown as Record<string, unknown>)[key] : null;
        });
        mk.update(p.id, step.fields);
        return;
      }
      case 'marketo.delete': {
        mk.delete(this.refs.person(step.ref)!.id);
        return;
      }
      default:
        throw new Error(`${step.kind} is not a person's action`);
    }
  }

  /**
   * The values an update is about to replace, in the trace just before it:
   * the oracle needs them to tell a change from a write of the same value
   * (which neither system reports as a change).
   */
  private recordPrior(target: string, fields: Record<string, unknown>, read: (field: string) => unknown): void {
    const prior = Object.fromEntries(Object.keys(fields).map((f) => [f, read(f) ?? null]));
    this.world.trace.record('user', 'prior', `${target} before the edit`, { fields: prior });
  }
}

/**
 * How many requests the crash point is drawn over: the last finished
 * cycle's request count, plus two for the read and the write a cycle with
 * work sends beyond a quiet one.
 */
export function crashSpan(w: World): number {
  for (let i = w.engineEvents.length - 1; i >= 0; i--) {
    const e = w.engineEvents[i]!;
    if (e.type === 'cycle-end') return Math.max(3, e.sfCalls + e.mktoCalls + 2);
  }
  return 12;
}

function unresolvedReason(step: WritableStep, ref: string): string {
  if (step.kind.startsWith('marketo.')) return `\`${ref}\` has no Marketo person yet (a Salesforce record reaches Marketo at the next sync cycle)`;
  return `\`${ref}\` has no Salesforce record yet (a Marketo person reaches Salesforce only through Sync Person to SFDC)`;
}

function setupReason(err: unknown): string {
  if (err instanceof UserActionRejected) {
    const detail = err.message.replace(/^.*?refused the user's action: /, '');
    return `${err.system === 'salesforce' ? 'Salesforce' : 'Marketo'} refused it: ${detail}`;
  }
  const e = err as { code?: string; errorCode?: string; message?: string };
  const code = e.code ?? e.errorCode;
  return code && !String(e.message).startsWith(code) ? `${code}: ${e.message}` : String(e.message ?? err);
}

function isLoc(loc: unknown): loc is SourceLoc {
  return typeof loc === 'object' && loc !== null && typeof (loc as SourceLoc).line === 'number' && typeof (loc as SourceLoc).file === 'string';
}

/**
 * Puts every request the engine sends into the trace, and each fault that
 * strikes one, where it happens (a thin adapter: the World's fault plan
 * decides, the driver only listens).
 */
function traceRequestsAndFaults(w: World): void {
  const decide = w.faults.decide.bind(w.faults);
  w.faults.decide = (system, request, isWrite, isAuth) => {
    w.trace.record(system, 'request', describeRequest(request));
    const fault = decide(system, request, isWrite, isAuth);
    if (fault) w.trace.record('fault', 'fired', `${system} ${fault.kind} strikes ${request.method} ${new URL(request.url).pathname}`);
    return fault;
  };
}

/** `GET /services/data/v59.0/query q=SELECT …`: the path and the query parameters that say what was asked (no tokens). */
export function describeRequest(request: Request): string {
  const { pathname, query } = urlParts(request.url);
  if (query === '') return `${request.method} ${pathname}`;
  const params = [...new URLSearchParams(query)]
    .filter(([k]) => k !== 'access_token' && k !== 'client_secret' && k !== 'password')
    .map(([k, v]) => `${k}=${v.length > 240 ? `${v.slice(0, 240)}…` : v}`);
  return `${request.method} ${pathname}${params.length ? ` ${params.join(' ')}` : ''}`;
}

/** Whether the World's crash switch is refusing the engine's requests (read without changing the World). */
function deadEngine(w: World): boolean {
  return (w as unknown as { crashed?: boolean }).crashed === true;
}

/** One line per step for the trace: the kind and what it names (never where it was written, so a file's layout does not change the hash). */
export function describeStep(step: WritableStep): string {
  if (step.kind === 'wait') return `wait ${formatDuration(step.ms)}`;
  if (step.kind === 'expect') {
    return `expect ${step.checks.map((c) => (c.type === 'count' ? `count ${c.target} = ${c.expected}` : 'ref' in c ? `${c.type} ${c.ref}` : c.type)).join(', ')}`;
  }
  // `rejected` stays out: a fuzz run learns it only when the step runs, and its file's replay must hash the same.
  const { number: _n, loc: _l, kind, rejected: _r, atRequest, ...rest } = step as WritableStep & Record<string, unknown>;
  const body = JSON.stringify(rest);
  return `${kind}${body === '{}' ? '' : ` ${body}`}${atRequest !== undefined ? ` at the engine's request +${String(atRequest)}` : ''}`;
}
