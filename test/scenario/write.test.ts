import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.ts';
import { FAULT_KINDS, type Expectation, type Scalar } from '../../src/scenario/schema.ts';
import { formatDuration, writeScenario, writeSteps, type WritableScenario, type WritableStep } from '../../src/scenario/write.ts';
import { parseDuration } from '../../src/sim/clock.ts';
import { DESIGN_EXAMPLE, loadOk, withoutLocations, withSteps } from './helpers.ts';

const roundTrip = (text: string) => {
  const first = loadOk(text);
  const written = writeScenario(first);
  const second = loadOk(written, 'written.yaml');
  return { first, written, second };
};

describe('write → load gives the same scenario', () => {
  it('the DESIGN §7 example', () => {
    const { first, written, second } = roundTrip(DESIGN_EXAMPLE);
    expect(withoutLocations(second)).toEqual(withoutLocations(first));
    // Written the way people write it: one flow map per step.
    expect(written).toContain('  - salesforce.update: { ref: alice, Title: CFO }\n');
    expect(written).toContain('  - wait: 5m\n');
    expect(written).toContain('    - { ref: alice, object: Lead, FirstName: Alice, LastName: Smith, Company: Acme, Email: alice@acme.test }\n');
  });

  it('every step kind, rejections, non-default sync settings and values YAML would misread', () => {
    const text = `name: "Everything: at once"
description: a file with one of each
seed: 42
salesforce:
  fields:
    - { object: Contact, name: Tier__c, type: picklist, picklistValues: [Gold, Silver], restricted: true }
  permissions:
    Contact.Phone: read
  rules:
    - object: Lead
      name: Hot_Needs_Phone
      formula: AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))
      message: "Hot leads: need a phone"
      field: Phone
  records:
    - { ref: alice, object: Lead, LastName: Smith, Company: Acme, PostalCode: "02134", Title: "true", Description: "null" }
    - { ref: acme, object: Account, Name: Acme }
marketo:
  fields:
    - { name: favouriteColour, type: string, readOnly: true }
  people:
    - { ref: bob, email: bob@globex.test, favouriteColour: "#blue", numberOfEmployees: 12 }
sync:
  interval: 1h30m
  winner: { Contact: marketo, Lead.Title: salesforce }
steps:
  - salesforce.create: { ref: carol, object: Contact, LastName: Ng, Tier__c: Gold }
    rejected: FIELD_CUSTOM_VALIDATION_EXCEPTION
  - salesforce.update: { ref: alice, Title: " padded ", Phone: null }
  - salesforce.convert: { ref: alice }
  - salesforce.merge: { into: alice, from: carol }
  - salesforce.delete: { ref: alice }
  - salesforce.permission: { field: Lead.Email, access: none }
  - salesforce.rule: { object: Lead, name: Hot_Needs_Phone, formula: "false", message: off, active: false }
  - marketo.create: { ref: dan, email: dan@x.test }
  - marketo.update: { ref: dan, title: "5m" }
    rejected: "1006"
  - marketo.syncPersonToSfdc: { ref: dan }
  - marketo.delete: { ref: dan }
  - fault: { system: salesforce, kind: timeout-after-commit, for: 90s, times: 2 }
  - fault: { system: marketo, kind: quota }
  - engine.restart
  - wait: 1d2h
  - expect:
      salesforce:
        - { ref: alice, object: Lead, IsConverted: true }
        - { ref: carol, Tier__c: null }
      marketo: { ref: bob, favouriteColour: "#blue" }
      activity: { ref: dan, type: 12, count: 1 }
      linked: { ref: alice, sfdcType: null }
      count: { salesforce.Lead: 0, marketo.people: 2 }
      converged: true
`;
    const { first, second } = roundTrip(text);
    expect(withoutLocations(second)).toEqual(withoutLocations(first));
    expect(first.salesforce.records[0]!.fields).toMatchObject({ PostalCode: '02134', Title: 'true', Description: 'null' });
    expect(first.steps.find((s) => s.kind === 'marketo.update')).toMatchObject({ rejected: '1006', fields: { title: '5m' } });
  });

  it('writes a bare step list, which loads as the steps of a file', () => {
    const s = loadOk(withSteps('  - wait: 10m\n  - salesforce.update: { ref: alice, Title: CFO }\n  - engine.restart\n'));
    const list = writeSteps(s.steps);
    expect(list).toBe('- wait: 10m\n- salesforce.update: { ref: alice, Title: CFO }\n- engine.restart\n');
    const again = loadOk(withSteps(list.replace(/^/gm, '  ')));
    expect(withoutLocations(again.steps)).toEqual(withoutLocations(s.steps));
  });

  it('gathers checks of one type under one key, since YAML keys are unique', () => {
    const steps: WritableStep[] = [
      {
        kind: 'expect',
        checks: [
          { type: 'salesforce', ref: 'alice', fields: { Title: 'A' } },
          { type: 'converged' },
          { type: 'salesforce', ref: 'alice', fields: { Phone: null } },
        ],
      },
    ];
    const list = writeSteps(steps);
    expect(list).toBe('- expect:\n    salesforce:\n      - { ref: alice, Title: A }\n      - { ref: alice, Phone: null }\n    converged: true\n');
    const again = loadOk(withSteps(list.replace(/^/gm, '  ')));
    expect(again.steps[0]).toMatchObject({ checks: [{ type: 'salesforce' }, { type: 'salesforce' }, { type: 'converged' }] });
  });

  it('puts a comment at the top (the fuzzer writes the seed there)', () => {
    const s = loadOk('name: x\nsteps: []\n');
    const text = writeScenario(s, { comment: 'found by sync-sim fuzz, seed 42\nproperty: converged' });
    expect(text.startsWith('# found by sync-sim fuzz, seed 42\n# property: converged\n')).toBe(true);
    expect(loadOk(text).name).toBe('x');
  });
});

describe('formatDuration', () => {
  it('writes the shortest form', () => {
    expect([0, 1000, 300_000, 5_400_000, 86_400_000, 93_784_005].map(formatDuration)).toEqual([
      '0s', '1s', '5m', '1h30m', '1d', '1d2h3m4s5ms',
    ]);
  });

  test.prop([fc.integer({ min: 0, max: 30 * 86_400_000 })])('parseDuration reads it back', (ms) => {
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

// ---------------------------------------------------------------- property: any generated scenario round-trips

const COMMON_SF_FIELDS = ['FirstName', 'LastName', 'Title', 'Email', 'Phone', 'Description', 'LeadSource'] as const;
const MKTO_FIELDS = ['email', 'firstName', 'lastName', 'title', 'phone', 'company', 'unsubscribed'] as const;

const text: fc.Arbitrary<Scalar> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('02134', 'true', 'null', '5m', 'a: b', '#x', ' lead', '', '-', '? x', 'yes', '1e3', "it's", '"q"', 'ünï'),
  fc.constant(null),
);
const fields = (names: readonly string[]) =>
  fc.dictionary(fc.constantFrom(...names), text, { maxKeys: 4 }) as fc.Arbitrary<Record<string, Scalar>>;

const SF_REFS = ['alice', 'carol'];
const MK_REFS = ['bob', 'erin'];
const ALL_REFS = [...SF_REFS, ...MK_REFS];
const anyRef = fc.constantFrom(...ALL_REFS);

const check: fc.Arbitrary<Expectation['type']> = fc.constantFrom('salesforce', 'marketo', 'activity', 'linked', 'count', 'converged');
const expectStep = fc
  .uniqueArray(check, { minLength: 1, maxLength: 6 })
  .chain((types) =>
    fc.tuple(
      ...types.map((type): fc.Arbitrary<Array<Record<string, unknown>>> => {
        switch (type) {
          case 'salesforce':
            return fc.array(fc.record({ type: fc.constant(type), ref: anyRef, fields: fields(COMMON_SF_FIELDS) }), { minLength: 1, maxLength: 2 });
          case 'marketo':
            return fc.array(fc.record({ type: fc.constant(type), ref: anyRef, fields: fields(MKTO_FIELDS) }), { minLength: 1, maxLength: 2 });
          case 'activity':
            return fc.array(
              fc.record(
                {
                  type: fc.constant(type),
                  ref: anyRef,
                  activityType: fc.oneof(fc.constantFrom('SFDC Sync Failure', 'Change Data Value'), fc.integer({ min: 1, max: 200 })),
                  contains: fc.string({ maxLength: 8 }),
                  count: fc.nat(3),
                },
                { requiredKeys: ['type', 'ref', 'activityType'] },
              ),
              { minLength: 1, maxLength: 2 },
            );
          case 'linked':
            return fc.array(fc.record({ type: fc.constant(type), ref: anyRef, sfdcType: fc.constantFrom('Lead', 'Contact', null) }), { minLength: 1, maxLength: 2 });
          case 'count':
            return fc
              .uniqueArray(fc.constantFrom('salesforce.Lead', 'salesforce.Contact', 'salesforce.Account', 'marketo.people'), { minLength: 1 })
              .chain((targets) => fc.tuple(...targets.map((target) => fc.record({ type: fc.constant(type), target: fc.constant(target), expected: fc.nat(5) }))));
          default:
            return fc.constant([{ type }]);
        }
      }),
    ),
  )
  .map((groups) => ({ kind: 'expect', checks: groups.flat() }) as unknown as WritableStep);

const step: fc.Arbitrary<WritableStep> = fc.oneof(
  fc.record({ kind: fc.constant('wait'), ms: fc.integer({ min: 0, max: 3 * 86_400_000 }) }),
  fc.record({ kind: fc.constant('salesforce.update'), ref: anyRef, fields: fields(COMMON_SF_FIELDS) }),
  fc.record({ kind: fc.constant('marketo.update'), ref: anyRef, fields: fields(MKTO_FIELDS) }),
  fc.record({ kind: fc.constantFrom('salesforce.delete', 'salesforce.convert', 'marketo.delete', 'marketo.syncPersonToSfdc'), ref: anyRef }),
  fc.tuple(anyRef, anyRef).filter(([a, b]) => a !== b).map(([into, from]) => ({ kind: 'salesforce.merge', into, from })),
  fc.record({ kind: fc.constant('salesforce.permission'), object: fc.constantFrom('Lead', 'Contact'), field: fc.constantFrom('Phone', 'Title', 'Email'), access: fc.constantFrom('edit', 'read', 'none') }),
  fc.record(
    { kind: fc.constant('fault'), system: fc.constantFrom('salesforce', 'marketo'), fault: fc.constantFrom(...FAULT_KINDS), forMs: fc.integer({ min: 1, max: 86_400_000 }), times: fc.integer({ min: 1, max: 9 }) },
    { requiredKeys: ['kind', 'system', 'fault', 'times'] },
  ),
  fc.constant({ kind: 'engine.restart' }),
  expectStep,
) as fc.Arbitrary<WritableStep>;

const withRejection = fc.tuple(step, fc.option(fc.constantFrom('REQUIRED_FIELD_MISSING', 'UNABLE_TO_LOCK_ROW', '1006'), { nil: undefined })).map(
  ([s, rejected]) => (rejected !== undefined && ['salesforce.update', 'salesforce.delete', 'marketo.update'].includes(s.kind) ? { ...s, rejected } : s),
);

const scenario: fc.Arbitrary<WritableScenario> = fc.record({
  name: fc.string({ minLength: 1, maxLength: 20 }),
  seed: fc.nat(1000),
  salesforce: fc.record({
    fields: fc.constant([]),
    permissions: fc.constant([]),
    rules: fc.constant([]),
    records: fc.tuple(fields(COMMON_SF_FIELDS), fields(COMMON_SF_FIELDS)).map(([a, c]) => [
      { ref: 'alice', object: 'Lead' as const, fields: a },
      { ref: 'carol', object: 'Contact' as const, fields: c },
    ]),
  }),
  marketo: fc.record({
    fields: fc.constant([]),
    people: fc.tuple(fields(MKTO_FIELDS), fields(MKTO_FIELDS)).map(([b, e]) => [
      { ref: 'bob', fields: b },
      { ref: 'erin', fields: e },
    ]),
  }),
  sync: fc.record({
    intervalMs: fc.integer({ min: 1000, max: 86_400_000 }),
    winner: fc.record({ Lead: fc.constantFrom('salesforce', 'marketo'), Contact: fc.constantFrom('salesforce', 'marketo') }),
    fieldWinners: fc.dictionary(fc.constantFrom('Lead.Title', 'Contact.Phone', 'Lead.Email'), fc.constantFrom('salesforce', 'marketo')) as fc.Arbitrary<Record<string, 'salesforce' | 'marketo'>>,
  }),
  steps: fc.array(withRejection, { maxLength: 12 }),
}) as fc.Arbitrary<WritableScenario>;

test.prop([scenario], { numRuns: 100 })('any scenario the fuzzer could write loads back unchanged', (s) => {
  const written = writeScenario(s);
  const result = parseScenario(written, 'generated.yaml');
  if (!result.ok) throw new Error(`${result.errors.map((e) => e.message).join('\n')}\n---\n${written}`);
  expect(withoutLocations(result.scenario)).toEqual(withoutLocations(s));
  expect(result.scenario.steps.map((st) => st.number)).toEqual(s.steps.map((_, i) => i + 1));
});
