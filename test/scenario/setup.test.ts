import { describe, expect, it } from 'vitest';
import { createMarketo } from '../../mocks/marketo/index.ts';
import { createSalesforce } from '../../mocks/salesforce/index.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { applySetup, SetupError } from '../../src/scenario/setup.ts';
import { loadOk } from './helpers.ts';

function emulators() {
  const clock = new VirtualClock();
  return { org: createSalesforce({ clock }).org, instance: createMarketo({ clock }).instance };
}

const FILE = `name: setup
salesforce:
  fields:
    - { object: Lead, name: Score__c, type: double }
  permissions:
    Lead.Phone: read
    Lead.AnnualRevenue: none
  rules:
    - { object: Lead, name: Hot_Needs_Phone, formula: 'AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))', message: Hot leads need a phone number, field: Phone }
  records:
    - { ref: alice, object: Lead, FirstName: Alice, LastName: Smith, Company: Acme, Score__c: 12 }
marketo:
  people:
    - { ref: bob, email: bob@globex.test, firstName: Bob }
steps:
  - wait: 5m
`;

describe('applySetup', () => {
  it('adds fields (mirrored onto Marketo), permissions, rules, records and people, and returns their refs', () => {
    const t = emulators();
    const refs = applySetup(t, loadOk(FILE));
    expect(t.org.objectDef('Lead')!.fields.has('score__c')).toBe(true);
    expect(t.instance.fields().some((f) => f.name === 'Score__c' && f.dataType === 'float')).toBe(true);
    expect(t.org.access(t.org.syncUser.id, 'Lead', 'Phone')).toBe('read');
    expect(t.org.access(t.org.syncUser.id, 'Lead', 'AnnualRevenue')).toBe('none');
    expect(t.org.rules('Lead').map((r) => r.name)).toEqual(['Hot_Needs_Phone']);
    const alice = refs.salesforce('alice')!;
    expect(alice.object).toBe('Lead');
    expect(t.org.get('Lead', alice.id)!.Score__c).toBe(12);
    expect(t.org.get('Lead', alice.id)!.CreatedById).toBe(t.org.adminUser.id);
    expect(refs.person('bob')!.firstName).toBe('Bob');
    expect(refs.person('alice')).toBeUndefined();
  });

  it('names the place of a record Salesforce refuses', () => {
    const t = emulators();
    const scenario = loadOk(`name: bad record
salesforce:
  records:
    - { ref: alice, object: Lead, FirstName: Alice }
steps: []
`, 'bad.yaml');
    try {
      applySetup(t, scenario);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SetupError);
      expect((err as Error).message).toMatch(/^bad\.yaml:4:7: record `alice` \(Lead\): Salesforce refused it: REQUIRED_FIELD_MISSING/);
    }
  });
});
