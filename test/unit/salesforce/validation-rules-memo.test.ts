/**
 * Validation-rule answers are memoised process-wide on the formula and the
 * values bound to it (validation-rules.ts): the memo must never answer for
 * a different value, field type, org or clock.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { Org } from '../../../mocks/salesforce/org.ts';
import type { SaveResult } from '../../../mocks/salesforce/types.ts';

const LEAD = { LastName: 'Smith', Company: 'Acme' };
const HOT = { object: 'Lead', name: 'Hot_Needs_Phone', formula: 'AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))', message: 'Hot leads need a phone number', field: 'Phone' };
const codes = (r: SaveResult) => (r.success ? [] : r.errors.map((e) => e.statusCode));

describe('validation rule memo', () => {
  it('answers each value on its own, however often the same values come back, in two orgs', () => {
    for (let round = 0; round < 2; round++) {
      const org = new Org({ clock: new VirtualClock() });
      org.setRule(HOT);
      const u = org.adminUser.id;
      for (let i = 0; i < 3; i++) {
        expect(codes(org.create('Lead', { ...LEAD, Rating: 'Hot' }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
        expect(codes(org.create('Lead', { ...LEAD, Rating: 'Hot', Phone: '+1 555 0100' }, u))).toEqual([]);
        expect(codes(org.create('Lead', { ...LEAD, Rating: 'Warm' }, u))).toEqual([]);
        expect(codes(org.create('Lead', { ...LEAD, Rating: 'Hot', Phone: null }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
      }
    }
  });

  it('type-checks one formula against each org own field types', () => {
    const numeric = new Org({ clock: new VirtualClock() });
    numeric.addField({ object: 'Lead', name: 'Score__c', type: 'double' });
    const text = new Org({ clock: new VirtualClock() });
    text.addField({ object: 'Lead', name: 'Score__c', type: 'string' });
    const rule = { object: 'Lead', name: 'Score_Cap', formula: 'Score__c > 5', message: 'too high' };
    numeric.setRule(rule);
    expect(() => text.setRule(rule)).toThrow(/validation rule Lead\.Score_Cap/);
    expect(codes(numeric.create('Lead', { ...LEAD, Score__c: 6 }, numeric.adminUser.id))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    expect(codes(numeric.create('Lead', { ...LEAD, Score__c: 5 }, numeric.adminUser.id))).toEqual([]);
  });

  it('TODAY() follows the org clock: the same record passes, then fails a day later', () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9));
    const org = new Org({ clock });
    org.setRule({ object: 'Lead', name: 'Freeze', formula: 'TODAY() > DATE(2026, 1, 5)', message: 'frozen' });
    expect(codes(org.create('Lead', LEAD, org.adminUser.id))).toEqual([]);
    clock.advanceBy(24 * 3_600_000);
    expect(codes(org.create('Lead', LEAD, org.adminUser.id))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
  });

  it('a formula that does not parse is refused every time, with the same message', () => {
    const org = new Org({ clock: new VirtualClock() });
    const broken = { object: 'Lead', name: 'Broken', formula: 'AND(ISBLANK(Phone)', message: 'm' };
    let first = '';
    try {
      org.setRule(broken);
    } catch (e) {
      first = (e as Error).message;
    }
    expect(first).toMatch(/validation rule Lead\.Broken: the formula does not parse/);
    expect(() => org.setRule(broken)).toThrow(first);
  });
});
