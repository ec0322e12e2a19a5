import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { Org } from '../../../mocks/salesforce/org.ts';
import type { SaveResult } from '../../../mocks/salesforce/types.ts';

const LEAD = { LastName: 'Smith', Company: 'Acme' };
const codes = (r: SaveResult) => (r.success ? [] : r.errors.map((e) => e.statusCode));
const idOf = (r: SaveResult) => {
  if (!r.success) throw new Error(JSON.stringify(r.errors));
  return r.id;
};

let org: Org;
let clock: VirtualClock;
let u: string;
beforeEach(() => {
  clock = new VirtualClock();
  org = new Org({ clock });
  u = org.adminUser.id;
});

describe('validation rules', () => {
  it('blocks a save when the formula is true, with the message and the error field', () => {
    org.setRule({ object: 'Lead', name: 'Hot_Needs_Phone', formula: 'AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))', message: 'Hot leads need a phone number', field: 'phone' });
    expect(org.create('Lead', { ...LEAD, Rating: 'Hot' }, u)).toEqual({
      success: false,
      errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Hot leads need a phone number', fields: ['Phone'] }],
    });
    expect(org.create('Lead', { ...LEAD, Rating: 'Hot', Phone: '555' }, u).success).toBe(true);
    expect(org.create('Lead', { ...LEAD, Rating: 'Cold' }, u).success).toBe(true);
  });

  it('reports every failing rule, top-of-page rules with no fields', () => {
    org.setRule({ object: 'Lead', name: 'Need_Email', formula: 'ISBLANK(Email)', message: 'Email please' });
    org.setRule({ object: 'Lead', name: 'Need_Title', formula: 'LEN(Title) = 0', message: 'Title please', field: 'Title' });
    const r = org.create('Lead', LEAD, u);
    expect(r).toEqual({
      success: false,
      errors: [
        { statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Email please', fields: [] },
        { statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Title please', fields: ['Title'] },
      ],
    });
  });

  it('ISNEW() is true on insert only', () => {
    org.setRule({ object: 'Lead', name: 'No_New_Hot', formula: 'ISNEW() && ISPICKVAL(Rating, "Hot")', message: 'no hot inserts' });
    expect(codes(org.create('Lead', { ...LEAD, Rating: 'Hot' }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    const id = idOf(org.create('Lead', LEAD, u));
    expect(org.update('Lead', id, { Rating: 'Hot' }, u).success).toBe(true);
  });

  it('ISCHANGED(f) is false on insert and true when a value changes, blank to value included', () => {
    org.setRule({ object: 'Lead', name: 'Email_Locked', formula: 'ISCHANGED(Email)', message: 'Email cannot change', field: 'Email' });
    const id = idOf(org.create('Lead', { ...LEAD, Email: 'a@x.test' }, u));
    expect(org.update('Lead', id, { Email: 'a@x.test', Title: 'CEO' }, u).success).toBe(true);
    expect(codes(org.update('Lead', id, { Email: 'b@x.test' }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    const blank = idOf(org.create('Lead', LEAD, u));
    expect(codes(org.update('Lead', blank, { Email: 'c@x.test' }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    expect(org.get('Lead', id)!.Email).toBe('a@x.test');
  });

  it('ISCHANGED on numbers: 0 to blank is a change', () => {
    org.setRule({ object: 'Lead', name: 'Rev_Locked', formula: 'ISCHANGED(AnnualRevenue)', message: 'locked' });
    const id = idOf(org.create('Lead', { ...LEAD, AnnualRevenue: 0 }, u));
    expect(codes(org.update('Lead', id, { AnnualRevenue: null }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
  });

  it('PRIORVALUE(f) is the value before the save, and the current value on insert', () => {
    org.setRule({ object: 'Lead', name: 'No_Downgrade', formula: 'ISPICKVAL(PRIORVALUE(Rating), "Hot") && ISPICKVAL(Rating, "Cold")', message: 'no downgrade' });
    org.setRule({ object: 'Lead', name: 'Prior_On_Insert', formula: 'ISNEW() && PRIORVALUE(Title) <> Title', message: 'prior differs on insert' });
    const id = idOf(org.create('Lead', { ...LEAD, Rating: 'Hot', Title: 'CEO' }, u));
    expect(codes(org.update('Lead', id, { Rating: 'Cold' }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    expect(org.update('Lead', id, { Rating: 'Warm' }, u).success).toBe(true);
    expect(org.update('Lead', id, { Rating: 'Cold' }, u).success).toBe(true);
  });

  it('TODAY() comes from the org clock, not the wall clock', () => {
    org.setRule({ object: 'Contact', name: 'No_Future_Birthdays', formula: 'Birthdate > TODAY()', message: 'born in the future', field: 'Birthdate' });
    expect(codes(org.create('Contact', { LastName: 'C', Birthdate: '2026-01-06' }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    clock.advanceBy(86_400_000);
    expect(org.create('Contact', { LastName: 'C', Birthdate: '2026-01-06' }, u).success).toBe(true);
  });

  it('can be replaced by name and switched off', () => {
    org.setRule({ object: 'Lead', name: 'Title_Rule', formula: 'ISBLANK(Title)', message: 'v1' });
    org.setRule({ object: 'Lead', name: 'title_rule', formula: 'Title = "Intern"', message: 'v2', field: 'Title' });
    expect(org.rules('Lead')).toHaveLength(1);
    expect(org.rules('Lead')[0]).toMatchObject({ message: 'v2', active: true, field: 'Title' });
    expect(org.create('Lead', LEAD, u).success).toBe(true);
    expect(org.create('Lead', { ...LEAD, Title: 'Intern' }, u)).toMatchObject({ success: false, errors: [{ message: 'v2' }] });
    org.setRule({ object: 'Lead', name: 'Title_Rule', formula: 'Title = "Intern"', message: 'v2', active: false });
    expect(org.rules('Lead')[0]!.active).toBe(false);
    expect(org.create('Lead', { ...LEAD, Title: 'Intern' }, u).success).toBe(true);
  });

  it('does not fire on text inside string literals that looks like a function', () => {
    org.setRule({ object: 'Lead', name: 'Literal', formula: 'Title = "ISNEW()"', message: 'literal' });
    expect(org.create('Lead', LEAD, u).success).toBe(true);
    expect(codes(org.create('Lead', { ...LEAD, Title: 'ISNEW()' }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
  });

  it('treats blank text as empty and blank picklists as blank', () => {
    org.setRule({ object: 'Lead', name: 'Short_Title', formula: 'LEN(Title) < 2 && ISBLANK(TEXT(LeadSource))', message: 'blank' });
    expect(codes(org.create('Lead', LEAD, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    expect(org.create('Lead', { ...LEAD, LeadSource: 'Web' }, u).success).toBe(true);
  });

  it('uses field names case-insensitively and custom fields', () => {
    org.addField({ object: 'Lead', name: 'Score__c', type: 'double' });
    org.setRule({ object: 'Lead', name: 'Score_Range', formula: 'score__c > 100', message: 'too high', field: 'Score__c' });
    expect(codes(org.create('Lead', { ...LEAD, Score__c: 101 }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    expect(org.create('Lead', { ...LEAD, Score__c: 100 }, u).success).toBe(true);
  });

  it('$User and $Permission let a rule spare the integration user, as real orgs do', () => {
    org.setRule({ object: 'Lead', name: 'Phone_Unless_Sync', formula: 'AND($User.Username <> "sync@example.com", ISBLANK(Phone))', message: 'phone please' });
    org.setRule({ object: 'Lead', name: 'Title_Unless_Bypass', formula: 'AND(NOT($Permission.Bypass_Rules), ISBLANK(Title))', message: 'title please' });
    const sync = org.syncUser.id;
    expect(org.create('Lead', LEAD, u)).toMatchObject({ success: false, errors: [{ message: 'phone please' }, { message: 'title please' }] });
    expect(org.create('Lead', LEAD, sync)).toMatchObject({ success: false, errors: [{ message: 'title please' }] });
    org.setCustomPermission(sync, 'bypass_rules', true);
    expect(org.create('Lead', LEAD, sync).success).toBe(true);
    org.setCustomPermission(sync, 'Bypass_Rules', false);
    expect(org.create('Lead', LEAD, sync).success).toBe(false);
    expect(() => org.setRule({ object: 'Lead', name: 'Org', formula: '$Organization.Name = "x"', message: 'm' })).toThrow(/\$Organization\.Name is not supported/);
    expect(() => org.setRule({ object: 'Lead', name: 'Usr', formula: '$User.Nope = "x"', message: 'm' })).toThrow(/\$User\.Nope is not supported/);
  });

  it('rejects a bad rule with an error naming it', () => {
    expect(() => org.setRule({ object: 'Lead', name: 'Broken', formula: 'AND(', message: 'm' })).toThrow(/validation rule Lead\.Broken: the formula does not parse/);
    expect(() => org.setRule({ object: 'Lead', name: 'Unknown', formula: 'Nope__c > 1', message: 'm' })).toThrow(/Lead\.Unknown: Field Nope__c does not exist/);
    expect(() => org.setRule({ object: 'Lead', name: 'Prior', formula: 'ISCHANGED(Nope)', message: 'm' })).toThrow(/Lead\.Prior: Field Nope does not exist/);
    expect(() => org.setRule({ object: 'Lead', name: 'Text', formula: 'Title', message: 'm' })).toThrow(/Lead\.Text: Formula result is data type \(text\)/);
    expect(() => org.setRule({ object: 'Lead', name: 'Pick', formula: 'Rating = "Hot"', message: 'm' })).toThrow(/Lead\.Pick: Incorrect parameter type/);
    expect(() => org.setRule({ object: 'Lead', name: 'Field', formula: 'true', message: 'm', field: 'Nope' })).toThrow(/error field 'Nope'/);
    expect(() => org.setRule({ object: 'Nope', name: 'X', formula: 'true', message: 'm' })).toThrow(/no object named Nope/);
    expect(org.rules('Lead')).toEqual([]);
  });

  it('a formula failing at run time does not block the save and is recorded', () => {
    // Valid as a definition (DATEVALUE of blank text only fails for some values).
    org.setRule({ object: 'Lead', name: 'Date_In_Title', formula: 'DATEVALUE(Title) > TODAY()', message: 'future title date' });
    expect(codes(org.create('Lead', { ...LEAD, Title: '2030-01-01' }, u))).toEqual(['FIELD_CUSTOM_VALIDATION_EXCEPTION']);
    expect(org.ruleRuntimeErrors).toEqual([]);
    expect(org.create('Lead', { ...LEAD, Title: 'CEO' }, u).success).toBe(true);
    expect(org.ruleRuntimeErrors).toEqual([
      expect.objectContaining({ object: 'Lead', rule: 'Date_In_Title', recordId: null, message: expect.stringContaining('DATEVALUE') }),
    ]);
  });
});
