/**
 * The scenario language (DESIGN §7): zod schemas for what a YAML file holds,
 * and the loaded form a runner executes.
 *
 * The schemas check shape and types piece by piece (the loader validates the
 * top level, each setup item, each step body and each expectation on its
 * own, so one file reports all of its problems). Checks that need context
 * — field names against the catalogue, refs defined before use, "did you
 * mean" — live in load.ts.
 */
import { z } from 'zod';
import { parseDuration } from '../sim/clock.ts';
import { FAULT_KINDS, type FaultKind } from '../../mocks/faults.ts';
import type { CustomFieldSpec } from '../../mocks/salesforce/types.ts';
import {
  MARKETO_CUSTOM_FIELD_TYPES,
  SALESFORCE_CUSTOM_FIELD_TYPES,
  SALESFORCE_OBJECTS,
  type SalesforceObject,
} from './catalogue.ts';

// ---------------------------------------------------------------- vocabulary

export const STEP_KINDS = [
  'wait',
  'salesforce.create',
  'salesforce.update',
  'salesforce.delete',
  'salesforce.convert',
  'salesforce.merge',
  'salesforce.permission',
  'salesforce.rule',
  'marketo.create',
  'marketo.update',
  'marketo.delete',
  'marketo.syncPersonToSfdc',
  'fault',
  'engine.restart',
  'expect',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Person actions that Salesforce or Marketo may refuse; only these take `rejected: CODE`. */
export const REJECTABLE_STEPS = [
  'salesforce.create',
  'salesforce.update',
  'salesforce.delete',
  'salesforce.convert',
  'salesforce.merge',
  'marketo.create',
  'marketo.update',
  'marketo.delete',
] as const satisfies readonly StepKind[];

// The fault kinds are the fault layer's own list, so the language cannot drift from what it can inject.
export { FAULT_KINDS, type FaultKind } from '../../mocks/faults.ts';

export const SYSTEMS = ['salesforce', 'marketo'] as const;
export type Side = (typeof SYSTEMS)[number];

export const ACCESS_LEVELS = ['edit', 'read', 'none'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

export const EXPECTATION_KINDS = ['salesforce', 'marketo', 'activity', 'linked', 'count', 'converged'] as const;
export type ExpectationKind = (typeof EXPECTATION_KINDS)[number];

/** Keys of `expect: count:`. */
export const COUNT_TARGETS = ['salesforce.Lead', 'salesforce.Contact', 'salesforce.Account', 'marketo.people'] as const;
export type CountTarget = (typeof COUNT_TARGETS)[number];

/** Defaults a loaded scenario fills in (DESIGN §1, §4, §7). */
export const DEFAULT_SEED = 1;
export const DEFAULT_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_WINNER: Readonly<{ Lead: Side; Contact: Side }> = { Lead: 'marketo', Contact: 'salesforce' };

// ---------------------------------------------------------------- building blocks

export type Scalar = string | number | boolean | null;

export const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected a single value (text, a number, true/false or null), not a list or a map',
});

export const refName = z
  .string({ error: 'expected a ref name (text, like `alice`)' })
  .regex(/^[A-Za-z_][\w.-]*$/, { error: 'a ref name starts with a letter and holds letters, digits, _ . or -' });

export const salesforceObject = z.enum(SALESFORCE_OBJECTS);

/** `5m`, `30s`, `2h`, `1d`, `1h30m` (parseDuration) → milliseconds. */
export const duration = z.unknown().transform((value, ctx): number => {
  const fix = 'write a number and a unit, like 30s, 5m, 2h or 1d';
  if (typeof value === 'number') {
    ctx.addIssue({ code: 'custom', message: `the duration \`${value}\` has no unit: ${fix}` });
    return z.NEVER;
  }
  if (typeof value !== 'string') {
    ctx.addIssue({ code: 'custom', message: `expected a duration: ${fix}` });
    return z.NEVER;
  }
  try {
    return parseDuration(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `bad duration \`${value}\`: ${fix}` });
    return z.NEVER;
  }
});

const wholeNumber = z.int({ error: 'expected a whole number' });

// ---------------------------------------------------------------- the file's top level

export const fileSchema = z.strictObject({
  name: z.string({ error: 'expected the scenario\'s name as text' }).min(1, { error: 'the name must not be empty' }),
  description: z.string().optional(),
  seed: wholeNumber.min(0).optional(),
  salesforce: z.unknown().optional(),
  marketo: z.unknown().optional(),
  sync: z.unknown().optional(),
  steps: z.array(z.unknown(), { error: 'expected `steps:` to be a list of steps (`- wait: 5m`)' }),
});

export const salesforceSectionSchema = z
  .strictObject({
    fields: z.array(z.unknown(), { error: 'expected a list of custom fields' }).nullish(),
    permissions: z.record(z.string(), z.unknown(), { error: 'expected a map like `Lead.Phone: read`' }).nullish(),
    rules: z.array(z.unknown(), { error: 'expected a list of validation rules' }).nullish(),
    records: z.array(z.unknown(), { error: 'expected a list of records' }).nullish(),
  })
  .nullish();

export const marketoSectionSchema = z
  .strictObject({
    people: z.array(z.unknown(), { error: 'expected a list of people' }).nullish(),
    fields: z.array(z.unknown(), { error: 'expected a list of custom fields' }).nullish(),
  })
  .nullish();

export const syncSectionSchema = z
  .strictObject({
    interval: duration.optional(),
    /** `Lead: marketo`, `Contact: salesforce`, or per field `Lead.Title: salesforce`. */
    winner: z.record(z.string(), z.enum(SYSTEMS)).nullish(),
    /** A deliberately broken engine variant (src/sim/mutants.ts): what a mutant's counterexample replays against. */
    mutant: z.string({ error: 'expected a mutant name (`sync-sim fuzz --mutant list` prints them)' }).optional(),
  })
  .nullish();

// ---------------------------------------------------------------- setup items

export const customFieldSchema = z.strictObject({
  object: salesforceObject,
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, { error: 'a custom field name ends in __c, like `Score__c`' }),
  type: z.enum(SALESFORCE_CUSTOM_FIELD_TYPES),
  label: z.string().optional(),
  length: wholeNumber.positive().optional(),
  precision: wholeNumber.positive().optional(),
  scale: wholeNumber.min(0).optional(),
  picklistValues: z.array(z.string()).optional(),
  restricted: z.boolean().optional(),
  required: z.boolean().optional(),
  externalId: z.boolean().optional(),
  unique: z.boolean().optional(),
  defaultValue: scalar.optional(),
});

export const marketoFieldSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { error: 'a Marketo field name is letters, digits and _' }),
  type: z.enum(MARKETO_CUSTOM_FIELD_TYPES),
  displayName: z.string().optional(),
  length: wholeNumber.positive().optional(),
  readOnly: z.boolean().optional(),
});

export const accessSchema = z.enum(ACCESS_LEVELS);

export const ruleSchema = z.strictObject({
  object: salesforceObject,
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, { error: 'a rule name is letters, digits and _, like `Hot_Needs_Phone`' }),
  formula: z.string().min(1),
  message: z.string().min(1),
  field: z.string().optional(),
  active: z.boolean().optional(),
});

/** `{ ref, object, …fields }` in `salesforce.records` and `salesforce.create`. */
export const salesforceRecordSchema = z.object({ ref: refName, object: salesforceObject }).catchall(scalar);
/** `{ ref, …fields }` in `marketo.people` and `marketo.create`. */
export const personSchema = z.object({ ref: refName }).catchall(scalar);

// ---------------------------------------------------------------- step bodies

const refOnly = z.strictObject({ ref: refName });

/** The schema of each step's value (`- kind: value`). */
export const stepBodySchemas = {
  wait: duration,
  'salesforce.create': salesforceRecordSchema,
  'salesforce.update': z.object({ ref: refName }).catchall(scalar),
  'salesforce.delete': refOnly,
  'salesforce.convert': refOnly,
  'salesforce.merge': z.strictObject({ into: refName, from: refName }),
  'salesforce.permission': z.strictObject({
    field: z.string().regex(/^\w+\.\w+$/, { error: 'expected `Object.Field`, like `Lead.Phone`' }),
    access: accessSchema,
  }),
  'salesforce.rule': ruleSchema,
  'marketo.create': personSchema,
  'marketo.update': personSchema,
  'marketo.delete': refOnly,
  'marketo.syncPersonToSfdc': refOnly,
  fault: z.strictObject({
    system: z.enum(SYSTEMS),
    kind: z.enum(FAULT_KINDS),
    for: duration.optional(),
    times: wholeNumber.positive().optional(),
  }),
  'engine.restart': z.union([z.null(), z.strictObject({})], { error: '`engine.restart` takes no value' }),
  expect: z.record(z.string(), z.unknown(), { error: 'expected a map of checks, like `{ converged: true }`' }),
} satisfies Record<StepKind, z.ZodType>;

/** The schema of each check inside `expect:` (one item; a list of them is allowed too, except for count and converged). */
export const expectationSchemas = {
  salesforce: z.object({ ref: refName, object: salesforceObject.optional() }).catchall(scalar),
  marketo: personSchema,
  activity: z.strictObject({
    ref: refName,
    type: z.union([z.string().min(1), wholeNumber.positive()], { error: 'expected an activity type name or id' }),
    contains: z.string().optional(),
    count: wholeNumber.min(0).optional(),
  }),
  linked: z.strictObject({
    ref: refName,
    sfdcType: z.enum(['Lead', 'Contact']).nullable(),
  }),
  count: z.record(z.string(), wholeNumber.min(0)),
  converged: z.literal(true, { error: '`converged` only takes `true`' }),
} satisfies Record<ExpectationKind, z.ZodType>;

// ---------------------------------------------------------------- the loaded form

/** Where something was written: 1-based line and column. */
export interface SourceLoc {
  file: string;
  line: number;
  column: number;
}

export type Fields = Record<string, Scalar>;

/** The org's own custom-field spec, as a scenario declares it (with its place in the file). */
export interface CustomFieldDecl extends Omit<CustomFieldSpec, 'object' | 'type' | 'defaultValue'> {
  object: SalesforceObject;
  type: (typeof SALESFORCE_CUSTOM_FIELD_TYPES)[number];
  defaultValue?: Scalar;
  loc: SourceLoc;
}

export interface MarketoFieldDecl {
  name: string;
  type: (typeof MARKETO_CUSTOM_FIELD_TYPES)[number];
  displayName?: string;
  length?: number;
  readOnly?: boolean;
  loc: SourceLoc;
}

export interface PermissionDecl {
  object: SalesforceObject;
  /** Canonical field name. */
  field: string;
  access: Access;
  loc: SourceLoc;
}

/** Shaped like mocks/salesforce ValidationRuleSpec, plus where it was written. */
export interface RuleDecl {
  object: SalesforceObject;
  name: string;
  formula: string;
  message: string;
  field?: string;
  active?: boolean;
  loc: SourceLoc;
}

export interface SalesforceRecordDecl {
  ref: string;
  object: SalesforceObject;
  /** Canonical field names (catalogue spelling). */
  fields: Fields;
  loc: SourceLoc;
}

export interface PersonDecl {
  ref: string;
  fields: Fields;
  loc: SourceLoc;
}

export interface SyncSettings {
  intervalMs: number;
  winner: { Lead: Side; Contact: Side };
  /** Per-field overrides keyed `Lead.Title` (canonical field name). */
  fieldWinners: Record<string, Side>;
  /** The engine variant to run (a mutant's name); the reference engine when absent. */
  mutant?: string;
}

interface StepBase {
  /** 1-based position in `steps:`, as printed ("step 4"). */
  number: number;
  loc: SourceLoc;
  /** The error code the system must refuse this step with; only on REJECTABLE_STEPS. */
  rejected?: string;
  /**
   * `atRequest: n`: the person's action does not run now; it lands just before
   * the engine's n-th request from this point (1 = the next one), while a
   * cycle is in flight. Only on REJECTABLE_STEPS. An action still waiting when
   * `expect: { converged: true }` settles the world never happens.
   */
  atRequest?: number;
}

export type Step = StepBase &
  (
    | { kind: 'wait'; ms: number }
    | { kind: 'salesforce.create'; ref: string; object: SalesforceObject; fields: Fields }
    | { kind: 'salesforce.update'; ref: string; fields: Fields }
    | { kind: 'salesforce.delete'; ref: string }
    | { kind: 'salesforce.convert'; ref: string }
    | { kind: 'salesforce.merge'; into: string; from: string }
    | { kind: 'salesforce.permission'; object: SalesforceObject; field: string; access: Access }
    | { kind: 'salesforce.rule'; rule: Omit<RuleDecl, 'loc'> }
    | { kind: 'marketo.create'; ref: string; fields: Fields }
    | { kind: 'marketo.update'; ref: string; fields: Fields }
    | { kind: 'marketo.delete'; ref: string }
    | { kind: 'marketo.syncPersonToSfdc'; ref: string }
    | { kind: 'fault'; system: Side; fault: FaultKind; forMs?: number; times?: number }
    | { kind: 'engine.restart' }
    | { kind: 'expect'; checks: Expectation[] }
  );

/** A step of one kind, e.g. `StepOf<'wait'>`. */
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

export type Expectation = { loc: SourceLoc } & (
  | {
      type: 'salesforce';
      ref: string;
      /** Read this record of the pair instead of the one the ref follows now (e.g. the converted Lead). */
      object?: SalesforceObject;
      /** Canonical names; `null` means empty. */
      fields: Fields;
    }
  | { type: 'marketo'; ref: string; fields: Fields }
  | {
      type: 'activity';
      ref: string;
      /** Activity type name (`SFDC Sync Failure`, `Change Data Value`) or id. */
      activityType: string | number;
      /** Text the activity's attributes must contain. */
      contains?: string;
      /** Exactly this many matching activities (default: at least one). */
      count?: number;
    }
  | { type: 'linked'; ref: string; sfdcType: 'Lead' | 'Contact' | null }
  | { type: 'count'; target: CountTarget; expected: number }
  | { type: 'converged' }
);

export interface Scenario {
  file: string;
  name: string;
  description?: string;
  seed: number;
  salesforce: {
    fields: CustomFieldDecl[];
    permissions: PermissionDecl[];
    rules: RuleDecl[];
    records: SalesforceRecordDecl[];
  };
  marketo: {
    fields: MarketoFieldDecl[];
    people: PersonDecl[];
  };
  sync: SyncSettings;
  steps: Step[];
}
