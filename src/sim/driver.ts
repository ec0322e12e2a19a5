/**
 * Runs scenario steps (DESIGN §7) against a World, one at a time: what the
 * fuzzer's model commands do, and what replays their counterexample files,
 * so a written counterexample runs exactly as the run that found it did.
 *
 * Choices the scenario language leaves open, made here (and so part of what
 * a counterexample file means when replayed by this driver):
 * - `engine.restart`: one cycle runs at once and the engine process dies in
 *   it, then restarts from its state store. Where it dies is drawn from the
 *   seed: half the time after k requests (k over the last cycle's request
 *   count plus two, so any boundary of the cycle is about equally likely),
 *   half at its first field decision, right after its reads and before its
 *   writes. A crash "between any two requests".
 * - Permission and rule changes are recorded in the trace (lane `user`) so the
 *   history and the oracle see them.
 * - In lenient mode (fuzzing) a person's action the system refuses is recorded
 *   as rejected instead of failing the run, and an action on a ref that does
 *   not resolve yet (a person the sync has not created) is skipped without
 *   trace; the counterexample writer turns the first into `rejected: CODE` and
 *   drops the second.
 * - Race edits (the interleaving suite): an edit armed with `raceAt` runs just
 *   before the engine's n-th request from then on reaches either emulator.
 */
import { mirroredMarketoFields } from '../scenario/catalogue.ts';
import { RefTable } from '../scenario/refs.ts';
import type { WritableScenario, WritableStep } from '../scenario/write.ts';
import type { FieldDataType } from '../../mocks/marketo/index.ts';
import type { CustomFieldSpec } from '../../mocks/salesforce/index.ts';
import { createWorld, UserActionRejected, type World, type WorldOptions } from './world.ts';

export interface StepOutcome {
  status: 'ok' | 'rejected' | 'skipped';
  code?: string;
  message?: string;
}

export interface DriverOptions {
  /** Record refusals instead of throwing (fuzzing). */
  lenient?: boolean;
  mutant?: string;
  /** Extra World options (tests). */
  world?: Partial<WorldOptions>;
}

/** A scenario step the driver was told to run when the engine sends its n-th request from now. */
interface RaceEdit {
  remaining: number;
  step: WritableStep;
}

export class StepError extends Error {
  constructor(
    readonly step: WritableStep,
    readonly index: number,
    message: string,
  ) {
    super(`step ${index + 1} (${step.kind}): ${message}`);
    this.name = 'StepError';
  }
}

export class Driver {
  readonly world: World;
  readonly refs: RefTable;
  readonly outcomes: StepOutcome[] = [];
  private readonly races: RaceEdit[] = [];
  private requests = 0;
  private restarts = 0;
  private crashAtDecision = false;
  private readonly lenient: boolean;

  constructor(
    readonly scenario: WritableScenario,
    opts: DriverOptions = {},
  ) {
    this.lenient = opts.lenient === true;
    const fieldWinners = scenario.sync.fieldWinners as Record<`${'Lead' | 'Contact'}.${string}`, 'marketo' | 'salesforce'>;
    this.world = createWorld({
      seed: scenario.seed,
      interval: scenario.sync.intervalMs,
      winner: { Lead: scenario.sync.winner.Lead, Contact: scenario.sync.winner.Contact, fields: fieldWinners },
      ...(opts.mutant ? { mutant: opts.mutant } : {}),
      ...opts.world,
      onEngineEvent: (e) => {
        if (this.crashAtDecision && e.type === 'field') {
          this.crashAtDecision = false;
          this.world.crashEngineAfter(0);
        }
        opts.world?.onEngineEvent?.(e);
      },
      onRequest: (r) => {
        this.requests++;
        this.fireRaces();
        opts.world?.onRequest?.(r);
      },
    });
    this.refs = new RefTable({ org: this.world.org, instance: this.world.instance });
  }

  /** Custom fields, permissions, rules, then records and people, as a scenario's setup reads. */
  setup(): void {
    const w = this.world;
    const s = this.scenario;
    for (const f of s.salesforce.fields) {
      const { loc: _loc, ...spec } = f as typeof f & { loc?: unknown };
      w.org.addField(spec as CustomFieldSpec);
    }
    for (const f of [...s.marketo.fields, ...mirroredMarketoFields(s.salesforce.fields, s.marketo.fields)]) {
      const displayName = 'displayName' in f && typeof f.displayName === 'string' ? f.displayName : undefined;
      w.instance.addField({ name: f.name, dataType: f.type as FieldDataType, ...(displayName ? { displayName } : {}) });
    }
    for (const p of s.salesforce.permissions) this.setPermission(p.object, p.field, p.access);
    for (const r of s.salesforce.rules) {
      const { loc: _loc, ...rule } = r as typeof r & { loc?: unknown };
      this.setRule(rule);
    }
    for (const r of s.salesforce.records) this.refs.defineSalesforce(r.ref, r.object, w.salesforceUser.create(r.object, r.fields));
    for (const p of s.marketo.people) this.refs.definePerson(p.ref, w.marketoUser.create(p.fields).id);
  }

  /** Runs every step of the scenario, in order. */
  async runAll(): Promise<StepOutcome[]> {
    this.setup();
    for (let i = 0; i < this.scenario.steps.length; i++) await this.step(this.scenario.steps[i]!, i);
    return this.outcomes;
  }

  /** Arms `step` to run just before the engine's `afterRequests`-th request from now (1 = the next one). */
  raceAt(afterRequests: number, step: WritableStep): void {
    this.races.push({ remaining: Math.max(1, afterRequests), step });
  }

  /** Drops race edits that have not fired (people stop editing). */
  cancelRaces(): void {
    this.races.length = 0;
  }

  /** Race edits still waiting (the engine sent fewer requests than they asked for). */
  get pendingRaces(): number {
    return this.races.length;
  }

  async step(step: WritableStep, index = this.outcomes.length): Promise<StepOutcome> {
    let outcome: StepOutcome;
    try {
      outcome = await this.apply(step);
    } catch (err) {
      if (err instanceof UserActionRejected) {
        outcome = { status: 'rejected', code: err.code, message: err.message };
      } else if (err instanceof StepError) {
        throw err;
      } else {
        throw new StepError(step, index, err instanceof Error ? err.message : String(err));
      }
    }
    if (outcome.status === 'rejected' && !this.lenient && step.rejected !== outcome.code) {
      throw new StepError(step, index, `refused with ${outcome.code}${step.rejected ? ` (expected ${step.rejected})` : ''}: ${outcome.message}`);
    }
    if (outcome.status === 'ok' && step.rejected !== undefined && !this.lenient) {
      throw new StepError(step, index, `expected a refusal with ${step.rejected}, but it was accepted`);
    }
    this.outcomes.push(outcome);
    return outcome;
  }

  private fireRaces(): void {
    for (let i = 0; i < this.races.length; ) {
      const r = this.races[i]!;
      if (--r.remaining > 0) {
        i++;
        continue;
      }
      this.races.splice(i, 1);
      try {
        // Synchronous user edits only: the engine's request waits for it, as a real edit would land first.
        void this.applySync(r.step);
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
    const spec = Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as typeof rule;
    this.world.org.setRule(spec);
    this.world.trace.record('user', 'sf.rule', `${rule.object}.${rule.name}${rule.active === false ? ' off' : ''}`, { object: rule.object, name: rule.name, active: rule.active !== false });
  }

  private async apply(step: WritableStep): Promise<StepOutcome> {
    const w = this.world;
    switch (step.kind) {
      case 'wait':
        await w.advance(step.ms);
        return { status: 'ok' };
      case 'marketo.syncPersonToSfdc': {
        const p = this.refs.person(step.ref);
        if (!p) return this.unresolved(step.ref);
        await w.syncPersonToSfdc(p.id);
        return { status: 'ok' };
      }
      case 'fault':
        w.fault({ system: step.system, kind: step.fault, ...(step.forMs !== undefined ? { forMs: step.forMs } : {}), ...(step.times !== undefined ? { times: step.times } : {}) });
        return { status: 'ok' };
      case 'engine.restart': {
        // Half the time between any two requests of the cycle, half at the boundary between its reads and its
        // writes: a crash there is what tests "a watermark advances only past records fully processed" (DESIGN §4).
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
        return { status: 'ok' };
      }
      case 'expect':
        throw new Error('expect steps are checked by the caller (the oracle), not run by the driver');
      default:
        return this.applySync(step);
    }
  }

  /** The steps that act at once, without waiting for the engine. */
  private applySync(step: WritableStep): StepOutcome {
    const w = this.world;
    const sf = w.salesforceUser;
    const mk = w.marketoUser;
    switch (step.kind) {
      case 'salesforce.create': {
        const id = sf.create(step.object, step.fields);
        this.refs.defineSalesforce(step.ref, step.object, id);
        return { status: 'ok' };
      }
      case 'salesforce.update': {
        const r = this.refs.salesforce(step.ref);
        if (!r) return this.unresolved(step.ref);
        const row = w.org.get(r.object, r.id, { includeDeleted: true }) as Record<string, unknown> | undefined;
        this.recordPrior(`${r.object} ${r.id}`, step.fields, (f) => row?.[f]);
        sf.update(r.object, r.id, step.fields);
        return { status: 'ok' };
      }
      case 'salesforce.delete': {
        const r = this.refs.salesforce(step.ref);
        if (!r) return this.unresolved(step.ref);
        sf.delete(r.object, r.id);
        return { status: 'ok' };
      }
      case 'salesforce.convert': {
        const r = this.refs.salesforce(step.ref);
        if (!r) return this.unresolved(step.ref);
        if (r.object !== 'Lead') throw new UserActionRejected('salesforce', 'INVALID_TYPE', `${step.ref} is a ${r.object}, not a lead`);
        sf.convert(r.id);
        return { status: 'ok' };
      }
      case 'salesforce.merge': {
        const into = this.refs.salesforce(step.into);
        const from = this.refs.salesforce(step.from);
        if (!into) return this.unresolved(step.into);
        if (!from) return this.unresolved(step.from);
        if (into.object !== from.object) throw new UserActionRejected('salesforce', 'INVALID_TYPE', `cannot merge a ${from.object} into a ${into.object}`);
        sf.merge(into.object, into.id, [from.id]);
        return { status: 'ok' };
      }
      case 'salesforce.permission':
        this.setPermission(step.object, step.field, step.access);
        return { status: 'ok' };
      case 'salesforce.rule':
        this.setRule(step.rule);
        return { status: 'ok' };
      case 'marketo.create': {
        const p = mk.create(step.fields);
        this.refs.definePerson(step.ref, p.id);
        return { status: 'ok' };
      }
      case 'marketo.update': {
        const p = this.refs.person(step.ref);
        if (!p) return this.unresolved(step.ref);
        this.recordPrior(`person ${p.id}`, step.fields, (f) => {
          const key = Object.keys(p).find((k) => k.toLowerCase() === f.toLowerCase());
          return key ? (p as unknown as Record<string, unknown>)[key] : null;
        });
        mk.update(p.id, step.fields);
        return { status: 'ok' };
      }
      case 'marketo.delete': {
        const p = this.refs.person(step.ref);
        if (!p) return this.unresolved(step.ref);
        mk.delete(p.id);
        return { status: 'ok' };
      }
      default:
        throw new Error(`step ${step.kind} cannot run during an engine request`);
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

  private unresolved(ref: string): StepOutcome {
    if (!this.lenient) throw new Error(`ref \`${ref}\` does not name a record on that side yet (not synced, or deleted)`);
    return { status: 'skipped', message: `ref ${ref} not resolvable` };
  }
}

/**
 * How many requests the crash point is drawn over: the last finished
 * cycle's request count, plus two for the read and the write a cycle with
 * work sends beyond a quiet one. Every boundary between two requests of the
 * crashing cycle is about equally likely.
 */
export function crashSpan(w: World): number {
  for (let i = w.engineEvents.length - 1; i >= 0; i--) {
    const e = w.engineEvents[i]!;
    if (e.type === 'cycle-end') return Math.max(3, e.sfCalls + e.mktoCalls + 2);
  }
  return 12;
}
