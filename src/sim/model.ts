/**
 * fast-check model-based commands for the simulator (issue 6 §2). Each
 * command is one or two scenario steps (DESIGN §7): the model only tracks
 * which refs exist and what they are, enough for preconditions; the real
 * system is a Driver over a World. The oracle, not the model, decides what
 * is right, after the run (fast-check's advice: keep the model far simpler
 * than the system).
 */
import fc from 'fast-check';
import type { WritableStep } from '../scenario/write.ts';
import type { Driver } from './driver.ts';
import { HOT_FIELDS, HOT_NEEDS_PHONE, PERMISSION_FIELDS, VALUE_POOLS, type HotField, type Member } from './workload.ts';

export interface RefState {
  ref: string;
  origin: 'salesforce' | 'marketo';
  object: 'Lead' | 'Contact';
  gone: boolean;
}

export interface FaultChoice {
  system: 'salesforce' | 'marketo';
  kind: 'unavailable' | 'timeout' | 'timeout-after-commit' | 'rate-limit' | 'session-expired' | 'lock';
}

/** Every fault kind a run may switch on (buggify's first level). Daily quotas are left out: they stall a run for a day. */
export const FAULT_CHOICES: readonly FaultChoice[] = (['salesforce', 'marketo'] as const).flatMap((system) =>
  (['unavailable', 'timeout', 'timeout-after-commit', 'rate-limit', 'session-expired', 'lock'] as const).map((kind) => ({ system, kind })),
);

export interface SimModel {
  refs: RefState[];
  spare: Member[];
  created: number;
  /** Fault kinds switched on for this run. */
  faults: readonly FaultChoice[];
  /** Every step sent to the driver, in order (race edits as steps with `atRequest`). */
  steps: WritableStep[];
}

export interface SimReal {
  driver: Driver;
}

interface Built {
  steps: WritableStep[];
  race?: { afterRequests: number; step: WritableStep };
  apply?: (m: SimModel) => void;
}

type Builder = (m: SimModel) => Built | undefined;

export class SimCommand implements fc.AsyncCommand<SimModel, SimReal> {
  private label: string | undefined;

  constructor(
    readonly name: string,
    private readonly build: Builder,
  ) {}

  check(m: Readonly<SimModel>): boolean {
    return this.build(m as SimModel) !== undefined;
  }

  async run(m: SimModel, r: SimReal): Promise<void> {
    const b = this.build(m)!;
    b.apply?.(m);
    const steps = b.race ? [{ ...b.race.step, atRequest: b.race.afterRequests }] : b.steps;
    this.label = steps.map(stepText).join('; ');
    for (const s of steps) {
      m.steps.push(s);
      await r.driver.step(s);
    }
  }

  toString(): string {
    return this.label ?? this.name;
  }
}

export function stepText(s: WritableStep): string {
  const { kind, ...rest } = s as WritableStep & Record<string, unknown>;
  return Object.keys(rest).length ? `${kind} ${JSON.stringify(rest)}` : kind;
}

// ---------------------------------------------------------------------------------------------- helpers

function live(m: SimModel, filter: (r: RefState) => boolean = () => true): RefState[] {
  return m.refs.filter((r) => !r.gone && filter(r));
}

function pickField(object: 'Lead' | 'Contact', i: number): readonly [HotField, string] {
  const list = HOT_FIELDS[object];
  return list[i % list.length] as readonly [HotField, string];
}

function pickValue(field: HotField, i: number): string | number | null {
  const pool = VALUE_POOLS[field];
  return pool[i % pool.length]!;
}

function sfUpdate(ref: RefState, field: string, value: unknown): WritableStep {
  return { kind: 'salesforce.update', ref: ref.ref, fields: { [field]: value as string } };
}

function mkUpdate(ref: RefState, field: string, value: unknown): WritableStep {
  return { kind: 'marketo.update', ref: ref.ref, fields: { [field]: value as string } };
}

const WAITS = [60_000, 5 * 60_000, 5 * 60_000, 10 * 60_000];

// ---------------------------------------------------------------------------------------------- the commands

const n = fc.nat(1000);

const update = fc.tuple(fc.boolean(), n, n, n).map(
  ([onSf, r, f, v]) =>
    new SimCommand(onSf ? 'salesforce.update' : 'marketo.update', (m) => {
      const refs = live(m);
      if (!refs.length) return undefined;
      const ref = refs[r % refs.length]!;
      const [sf, mk] = pickField(ref.object, f);
      const value = pickValue(sf, v);
      return { steps: [onSf ? sfUpdate(ref, sf, value) : mkUpdate(ref, mk, value)] };
    }),
);

/** The same field of the same record edited on both sides, in either order: the conflicts the winner rule is about. */
const conflict = fc.tuple(fc.boolean(), n, n, n, n).map(
  ([mkFirst, r, f, v1, v2]) =>
    new SimCommand('conflict', (m) => {
      const refs = live(m);
      if (!refs.length) return undefined;
      const ref = refs[r % refs.length]!;
      const [sf, mk] = pickField(ref.object, f);
      const a = sfUpdate(ref, sf, pickValue(sf, v1));
      const b = mkUpdate(ref, mk, pickValue(sf, v2 + 1));
      return { steps: mkFirst ? [b, a] : [a, b] };
    }),
);

const wait = fc.nat(WAITS.length - 1).map((i) => new SimCommand('wait', () => ({ steps: [{ kind: 'wait', ms: WAITS[i]! }] })));

const create = fc.boolean().map(
  (inSf) =>
    new SimCommand(inSf ? 'salesforce.create' : 'marketo.create', (m) => {
      const member = m.spare[m.created];
      if (!member) return undefined;
      const ref = `n${m.created + 1}`;
      const step: WritableStep = inSf
        ? { kind: 'salesforce.create', ref, object: 'Lead', fields: { FirstName: member.firstName, LastName: member.lastName, Company: member.company, Email: member.email } }
        : { kind: 'marketo.create', ref, fields: { firstName: member.firstName, lastName: member.lastName, company: member.company, email: member.email } };
      return {
        steps: [step],
        apply: (mm) => {
          mm.created++;
          mm.refs.push({ ref, origin: inSf ? 'salesforce' : 'marketo', object: 'Lead', gone: false });
        },
      };
    }),
);

const flow = n.map(
  (r) =>
    new SimCommand('marketo.syncPersonToSfdc', (m) => {
      const refs = live(m);
      if (!refs.length) return undefined;
      // Marketo-born people first: the flow action is how they reach Salesforce.
      const mkBorn = refs.filter((x) => x.origin === 'marketo');
      const pool = mkBorn.length && r % 3 !== 0 ? mkBorn : refs;
      return { steps: [{ kind: 'marketo.syncPersonToSfdc', ref: pool[r % pool.length]!.ref }] };
    }),
);

const remove = fc.tuple(fc.boolean(), n).map(
  ([inSf, r]) =>
    new SimCommand(inSf ? 'salesforce.delete' : 'marketo.delete', (m) => {
      const refs = live(m);
      if (refs.length < 2) return undefined;
      const ref = refs[r % refs.length]!;
      return { steps: [{ kind: inSf ? 'salesforce.delete' : 'marketo.delete', ref: ref.ref }], apply: (mm) => void (mm.refs.find((x) => x.ref === ref.ref)!.gone = true) };
    }),
);

const convert = n.map(
  (r) =>
    new SimCommand('salesforce.convert', (m) => {
      const leads = live(m, (x) => x.object === 'Lead');
      if (!leads.length) return undefined;
      const ref = leads[r % leads.length]!;
      return { steps: [{ kind: 'salesforce.convert', ref: ref.ref }], apply: (mm) => void (mm.refs.find((x) => x.ref === ref.ref)!.object = 'Contact') };
    }),
);

const merge = fc.tuple(n, n).map(
  ([a, b]) =>
    new SimCommand('salesforce.merge', (m) => {
      const leads = live(m, (x) => x.object === 'Lead');
      if (leads.length < 2) return undefined;
      const into = leads[a % leads.length]!;
      const rest = leads.filter((x) => x !== into);
      const from = rest[b % rest.length]!;
      return { steps: [{ kind: 'salesforce.merge', into: into.ref, from: from.ref }], apply: (mm) => void (mm.refs.find((x) => x.ref === from.ref)!.gone = true) };
    }),
);

const permission = fc.tuple(fc.nat(PERMISSION_FIELDS.length - 1), fc.constantFrom('none', 'read', 'edit') as fc.Arbitrary<'none' | 'read' | 'edit'>).map(
  ([f, access]) =>
    new SimCommand('salesforce.permission', () => {
      const [object, field] = PERMISSION_FIELDS[f]!.split('.') as ['Lead' | 'Contact', string];
      return { steps: [{ kind: 'salesforce.permission', object, field, access }] };
    }),
);

const rule = fc.boolean().map((active) => new SimCommand('salesforce.rule', () => ({ steps: [{ kind: 'salesforce.rule', rule: { ...HOT_NEEDS_PHONE, active } }] })));

/** A hot lead without a phone, from Marketo: what the rule refuses. */
const hotWithoutPhone = n.map(
  (r) =>
    new SimCommand('hot-without-phone', (m) => {
      const refs = live(m, (x) => x.object === 'Lead');
      if (!refs.length) return undefined;
      const ref = refs[r % refs.length]!;
      return { steps: [{ kind: 'marketo.update', ref: ref.ref, fields: { rating: 'Hot', phone: null } }] };
    }),
);

/** A rejection that later clears: a hot lead without a phone is refused, then the rule is switched off. */
const rejectedThenCleared = n.map(
  (r) =>
    new SimCommand('rejected-then-cleared', (m) => {
      const refs = live(m, (x) => x.object === 'Lead');
      if (!refs.length) return undefined;
      const ref = refs[r % refs.length]!;
      return {
        steps: [
          { kind: 'salesforce.rule', rule: { ...HOT_NEEDS_PHONE, active: true } },
          { kind: 'marketo.update', ref: ref.ref, fields: { rating: 'Hot', phone: null } },
          { kind: 'wait', ms: 5 * 60_000 },
          { kind: 'salesforce.rule', rule: { ...HOT_NEEDS_PHONE, active: false } },
        ],
      };
    }),
);

const fault = fc.tuple(n, fc.constantFrom(1, 2, 3, 6)).map(
  ([k, times]) =>
    new SimCommand('fault', (m) => {
      if (!m.faults.length) return undefined;
      const f = m.faults[k % m.faults.length]!;
      return { steps: [{ kind: 'fault', system: f.system, fault: f.kind, times }] };
    }),
);

/**
 * Faults where they bite: switched on right before the engine has work that
 * meets them (an edit to carry over, a flow action's create), as buggify
 * fires inside the code paths that matter rather than anywhere.
 */
const faultedEdit = fc.tuple(n, fc.constantFrom(1, 2, 3), fc.boolean(), n, n, n).map(
  ([k, times, onSf, r, f, v]) =>
    new SimCommand('fault+edit+wait', (m) => {
      const refs = live(m);
      if (!m.faults.length || !refs.length) return undefined;
      const fault = m.faults[k % m.faults.length]!;
      const ref = refs[r % refs.length]!;
      const [sf, mk] = pickField(ref.object, f);
      const value = pickValue(sf, v);
      return {
        steps: [
          onSf ? sfUpdate(ref, sf, value) : mkUpdate(ref, mk, value),
          { kind: 'fault', system: fault.system, fault: fault.kind, times },
          { kind: 'wait', ms: 5 * 60_000 },
        ],
      };
    }),
);

const faultedFlow = fc.tuple(n, fc.constantFrom(1, 2), n).map(
  ([k, times, r]) =>
    new SimCommand('fault+flow', (m) => {
      const refs = live(m, (x) => x.origin === 'marketo');
      // The create goes to Salesforce: its faults are the ones that matter here.
      const faults = m.faults.filter((f) => f.system === 'salesforce');
      if (!faults.length || !refs.length) return undefined;
      const fault = faults[k % faults.length]!;
      return { steps: [{ kind: 'fault', system: fault.system, fault: fault.kind, times }, { kind: 'marketo.syncPersonToSfdc', ref: refs[r % refs.length]!.ref }] };
    }),
);

/** An edit, then the engine dies in the cycle that carries it (and restarts from its store). */
const editThenCrash = fc.tuple(fc.boolean(), n, n, n).map(
  ([onSf, r, f, v]) =>
    new SimCommand('edit+restart', (m) => {
      const refs = live(m);
      if (!refs.length) return undefined;
      const ref = refs[r % refs.length]!;
      const [sf, mk] = pickField(ref.object, f);
      const value = pickValue(sf, v);
      // One side only: an edit on the other side would make the next cycle read the pair anyway and hide a lost change.
      return { steps: [onSf ? sfUpdate(ref, sf, value) : mkUpdate(ref, mk, value), { kind: 'engine.restart' }] };
    }),
);

const restart = fc.constant(null).map(() => new SimCommand('engine.restart', () => ({ steps: [{ kind: 'engine.restart' }] })));

/** An edit that lands just before the engine's n-th request of the next wait: the read/write race. */
const race = fc.tuple(fc.boolean(), n, n, n, fc.integer({ min: 1, max: 30 })).map(
  ([onSf, r, f, v, at]) =>
    new SimCommand('race', (m) => {
      const refs = live(m);
      if (!refs.length) return undefined;
      const ref = refs[r % refs.length]!;
      const [sf, mk] = pickField(ref.object, f);
      const value = pickValue(sf, v);
      return { steps: [], race: { afterRequests: at, step: onSf ? sfUpdate(ref, sf, value) : mkUpdate(ref, mk, value) } };
    }),
);

export interface CommandMix {
  /** Include race edits (the interleaving suite). */
  races?: boolean;
}

/** The weighted mix of commands. */
export function commandArbitrary(mix: CommandMix = {}): fc.Arbitrary<SimCommand> {
  const arbs: Array<fc.WeightedArbitrary<SimCommand>> = [
    { arbitrary: update, weight: 6 },
    { arbitrary: conflict, weight: 5 },
    { arbitrary: wait, weight: 7 },
    { arbitrary: create, weight: 1 },
    { arbitrary: flow, weight: 2 },
    { arbitrary: remove, weight: 1 },
    { arbitrary: convert, weight: 1 },
    { arbitrary: merge, weight: 2 },
    { arbitrary: permission, weight: 2 },
    { arbitrary: rule, weight: 1 },
    { arbitrary: hotWithoutPhone, weight: 2 },
    { arbitrary: rejectedThenCleared, weight: 1 },
    { arbitrary: fault, weight: 4 },
    { arbitrary: restart, weight: 1 },
    { arbitrary: faultedEdit, weight: 3 },
    { arbitrary: faultedFlow, weight: 2 },
    { arbitrary: editThenCrash, weight: 4 },
  ];
  if (mix.races) arbs.push({ arbitrary: race, weight: 6 });
  return fc.oneof(...arbs);
}
