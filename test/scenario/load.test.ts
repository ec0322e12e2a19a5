import { describe, expect, it } from 'vitest';
import { DESIGN_EXAMPLE, loadOk, withSteps } from './helpers.ts';

describe('loading the DESIGN §7 example', () => {
  const s = loadOk(DESIGN_EXAMPLE, 'scenarios/example.yaml');

  it('reads the setup', () => {
    expect(s.name).toBe('Same field changed on both sides, Marketo wins for leads');
    expect(s.seed).toBe(7);
    expect(s.salesforce.fields).toEqual([
      { object: 'Lead', name: 'Score__c', type: 'double', loc: { file: 'scenarios/example.yaml', line: 5, column: 7 } },
    ]);
    expect(s.salesforce.permissions).toMatchObject([{ object: 'Lead', field: 'AnnualRevenue', access: 'none', loc: { line: 7 } }]);
    expect(s.salesforce.rules).toMatchObject([
      {
        object: 'Lead',
        name: 'Hot_Needs_Phone',
        formula: 'AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))',
        message: 'Hot leads need a phone number',
        field: 'Phone',
      },
    ]);
    expect(s.salesforce.records).toMatchObject([
      {
        ref: 'alice',
        object: 'Lead',
        fields: { FirstName: 'Alice', LastName: 'Smith', Company: 'Acme', Email: 'alice@acme.test' },
        loc: { line: 15 },
      },
    ]);
    expect(s.marketo.people).toMatchObject([
      { ref: 'bob', fields: { email: 'bob@globex.test', firstName: 'Bob', lastName: 'Jones', company: 'Globex' } },
    ]);
    expect(s.sync).toEqual({ intervalMs: 300_000, winner: { Lead: 'marketo', Contact: 'salesforce' }, fieldWinners: {} });
  });

  it('reads the steps with their number, kind and line', () => {
    expect(s.steps.map((st) => [st.number, st.kind, st.loc.line])).toEqual([
      [1, 'wait', 23],
      [2, 'salesforce.update', 24],
      [3, 'marketo.update', 25],
      [4, 'wait', 26],
      [5, 'expect', 27],
    ]);
    expect(s.steps[0]).toMatchObject({ kind: 'wait', ms: 300_000 });
    expect(s.steps[1]).toMatchObject({ kind: 'salesforce.update', ref: 'alice', fields: { Title: 'CFO' } });
    expect(s.steps[2]).toMatchObject({ kind: 'marketo.update', ref: 'alice', fields: { title: 'CEO' } });
    expect(s.steps[4]).toMatchObject({
      kind: 'expect',
      checks: [
        { type: 'salesforce', ref: 'alice', fields: { Title: 'CEO' }, loc: { line: 28 } },
        { type: 'marketo', ref: 'alice', fields: { title: 'CEO' }, loc: { line: 29 } },
      ],
    });
  });
});

describe('defaults and normal forms', () => {
  it('fills seed 1, a 5 minute interval and the documented winners', () => {
    const s = loadOk('name: minimal\nsteps: []\n');
    expect(s.seed).toBe(1);
    expect(s.sync).toEqual({ intervalMs: 300_000, winner: { Lead: 'marketo', Contact: 'salesforce' }, fieldWinners: {} });
    expect(s.salesforce).toEqual({ fields: [], permissions: [], rules: [], records: [] });
    expect(s.marketo).toEqual({ fields: [], people: [] });
  });

  it('takes per-object and per-field winners, field names made canonical', () => {
    const s = loadOk('name: w\nsync:\n  interval: 1h30m\n  winner: { Lead: salesforce, lead.title: marketo, Contact.Phone: marketo }\nsteps: []\n'.replace('lead.title', 'Lead.title'));
    expect(s.sync).toEqual({
      intervalMs: 5_400_000,
      winner: { Lead: 'salesforce', Contact: 'salesforce' },
      fieldWinners: { 'Lead.Title': 'marketo', 'Contact.Phone': 'marketo' },
    });
  });

  it('spells Salesforce fields as the catalogue does (Salesforce ignores case)', () => {
    const s = loadOk(withSteps('  - salesforce.update: { ref: alice, title: CFO, PHONE: "555" }\n'));
    expect(s.steps[0]).toMatchObject({ fields: { Title: 'CFO', Phone: '555' } });
  });

  it('spells Marketo fields as the catalogue does (the Marketo emulator ignores case too)', () => {
    const s = loadOk(withSteps('  - marketo.update: { ref: bob, Title: CEO, FIRSTNAME: Bob }\n'));
    expect(s.steps[0]).toMatchObject({ fields: { title: 'CEO', firstName: 'Bob' } });
  });

  it('keeps text fields as written: a postal code keeps its leading zero', () => {
    const s = loadOk(withSteps('  - salesforce.update: { ref: alice, PostalCode: 02134, NumberOfEmployees: 12 }\n  - marketo.update: { ref: bob, postalCode: 02134 }\n'));
    expect(s.steps[0]).toMatchObject({ fields: { PostalCode: '02134', NumberOfEmployees: 12 } });
    expect(s.steps[1]).toMatchObject({ fields: { postalCode: '02134' } });
  });

  it('accepts every step of DESIGN §7', () => {
    const s = loadOk(
      withSteps(
        [
          '  - salesforce.create: { ref: carol, object: Lead, LastName: Ng, Company: Initech }',
          '  - salesforce.update: { ref: carol, Title: VP }',
          '  - salesforce.convert: { ref: carol }',
          '  - salesforce.merge: { into: alice, from: carol }',
          '  - salesforce.delete: { ref: alice }',
          '  - salesforce.permission: { field: Lead.Phone, access: read }',
          '  - salesforce.rule: { object: Lead, name: Needs_Email, formula: ISBLANK(Email), message: Email please, active: false }',
          '  - marketo.create: { ref: dan, email: dan@x.test, firstName: Dan }',
          '  - marketo.update: { ref: dan, title: CTO }',
          '  - marketo.syncPersonToSfdc: { ref: dan }',
          '  - marketo.delete: { ref: dan }',
          '  - fault: { system: marketo, kind: rate-limit, for: 10m }',
          '  - fault: { system: salesforce, kind: timeout-after-commit, times: 3 }',
          '  - fault: { system: salesforce, kind: lock }',
          '  - engine.restart',
          '  - wait: 1d',
          '  - expect:',
          '      salesforce: { ref: carol, Title: VP }',
          '      marketo: { ref: dan, title: null }',
          '      activity: { ref: bob, type: SFDC Sync Failure, contains: REQUIRED_FIELD_MISSING, count: 1 }',
          '      linked: { ref: carol, sfdcType: Contact }',
          '      count: { salesforce.Lead: 2, marketo.people: 2 }',
          '      converged: true',
          '',
        ].join('\n'),
      ),
    );
    expect(s.steps.map((st) => st.kind)).toEqual([
      'salesforce.create', 'salesforce.update', 'salesforce.convert', 'salesforce.merge', 'salesforce.delete',
      'salesforce.permission', 'salesforce.rule', 'marketo.create', 'marketo.update', 'marketo.syncPersonToSfdc',
      'marketo.delete', 'fault', 'fault', 'fault', 'engine.restart', 'wait', 'expect',
    ]);
    expect(s.steps[5]).toMatchObject({ object: 'Lead', field: 'Phone', access: 'read' });
    expect(s.steps[6]).toMatchObject({ rule: { object: 'Lead', name: 'Needs_Email', active: false } });
    expect(s.steps[11]).toMatchObject({ system: 'marketo', fault: 'rate-limit', forMs: 600_000 });
    expect(s.steps[11]).not.toHaveProperty('times');
    expect(s.steps[12]).toMatchObject({ fault: 'timeout-after-commit', times: 3 });
    // Neither `for` nor `times`: the next request only.
    expect(s.steps[13]).toMatchObject({ fault: 'lock', times: 1 });
    expect(s.steps[15]).toMatchObject({ kind: 'wait', ms: 86_400_000 });
    const expectStep = s.steps[16]!;
    expect(expectStep.kind === 'expect' && expectStep.checks).toEqual([
      expect.objectContaining({ type: 'salesforce', ref: 'carol', fields: { Title: 'VP' } }),
      expect.objectContaining({ type: 'marketo', ref: 'dan', fields: { title: null } }),
      expect.objectContaining({ type: 'activity', ref: 'bob', activityType: 'SFDC Sync Failure', contains: 'REQUIRED_FIELD_MISSING', count: 1 }),
      expect.objectContaining({ type: 'linked', ref: 'carol', sfdcType: 'Contact' }),
      expect.objectContaining({ type: 'count', target: 'salesforce.Lead', expected: 2 }),
      expect.objectContaining({ type: 'count', target: 'marketo.people', expected: 2 }),
      expect.objectContaining({ type: 'converged' }),
    ]);
  });

  it('takes `rejected: CODE` beside the action or inside it, Marketo codes as text', () => {
    const s = loadOk(
      withSteps(
        [
          '  - salesforce.create: { ref: carol, object: Lead, LastName: Ng }',
          '    rejected: REQUIRED_FIELD_MISSING',
          '  - salesforce.update: { ref: alice, Email: not-an-email, rejected: INVALID_EMAIL_ADDRESS }',
          '  - marketo.update: { ref: bob, email: x }',
          '    rejected: 1003',
          '',
        ].join('\n'),
      ),
    );
    expect(s.steps[0]).toMatchObject({ kind: 'salesforce.create', rejected: 'REQUIRED_FIELD_MISSING' });
    expect(s.steps[1]).toMatchObject({ rejected: 'INVALID_EMAIL_ADDRESS', fields: { Email: 'not-an-email' } });
    expect(s.steps[1]).not.toHaveProperty('fields.rejected');
    expect(s.steps[2]).toMatchObject({ rejected: '1003' });
  });

  it('allows a list of checks of one kind in one expect', () => {
    const s = loadOk(withSteps('  - expect:\n      marketo:\n        - { ref: alice, title: CEO }\n        - { ref: bob, title: null }\n'));
    const step = s.steps[0]!;
    expect(step.kind === 'expect' && step.checks.map((c) => [c.type, 'ref' in c && c.ref, c.loc.line])).toEqual([
      ['marketo', 'alice', 11],
      ['marketo', 'bob', 12],
    ]);
  });

  it('follows a ref through conversion: after convert, salesforce fields are checked on Contact', () => {
    const s = loadOk(withSteps('  - salesforce.convert: { ref: alice }\n  - salesforce.update: { ref: alice, Department: Sales }\n  - expect: { salesforce: { ref: alice, object: Lead, IsConverted: true } }\n'));
    expect(s.steps[1]).toMatchObject({ fields: { Department: 'Sales' } });
    expect(s.steps[2]).toMatchObject({ checks: [{ type: 'salesforce', object: 'Lead', fields: { IsConverted: true } }] });
  });

  it('lets custom fields be used on Salesforce and, synced, on Marketo people', () => {
    const s = loadOk(`name: custom
salesforce:
  fields:
    - { object: Lead, name: Score__c, type: double }
  records:
    - { ref: alice, object: Lead, LastName: Smith, Company: Acme, score__c: 1 }
marketo:
  fields:
    - { name: favouriteColour, type: string }
  people:
    - { ref: bob, email: bob@globex.test }
steps:
  - salesforce.update: { ref: alice, Score__c: 3 }
  - marketo.update: { ref: bob, Score__c: 4, favouriteColour: blue }
`);
    expect(s.salesforce.records[0]!.fields).toMatchObject({ Score__c: 1 });
    expect(s.steps[0]).toMatchObject({ fields: { Score__c: 3 } });
    expect(s.steps[1]).toMatchObject({ fields: { Score__c: 4, favouriteColour: 'blue' } });
    expect(s.marketo.fields).toMatchObject([{ name: 'favouriteColour', type: 'string' }]);
  });
});
