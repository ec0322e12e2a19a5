import { describe, expect, it } from 'vitest';
import { FAULT_KINDS as EMULATOR_FAULT_KINDS } from '../../mocks/faults.ts';
import { FieldCatalogue, mirroredMarketoFields } from '../../src/scenario/catalogue.ts';
import { FAULT_KINDS } from '../../src/scenario/schema.ts';
import { closest, levenshtein } from '../../src/scenario/suggest.ts';
import { loadErrors, loadOk } from './helpers.ts';

// The standard field pairs a sync maps (issue 4 §2): a scenario must be able to name both sides.
const PAIRS = [
  ['FirstName', 'firstName'], ['LastName', 'lastName'], ['Email', 'email'], ['Company', 'company'], ['Title', 'title'],
  ['Phone', 'phone'], ['MobilePhone', 'mobilePhone'], ['LeadSource', 'leadSource'], ['Status', 'leadStatus'],
  ['Industry', 'industry'], ['Rating', 'rating'], ['AnnualRevenue', 'annualRevenue'],
  ['NumberOfEmployees', 'numberOfEmployees'], ['Street', 'address'], ['City', 'city'], ['State', 'state'],
  ['PostalCode', 'postalCode'], ['Country', 'country'], ['Website', 'website'], ['HasOptedOutOfEmail', 'unsubscribed'],
] as const;

describe('the field catalogue', () => {
  const catalogue = new FieldCatalogue();

  it('knows both sides of every synced standard field', () => {
    for (const [sf, mk] of PAIRS) {
      expect(catalogue.salesforceField('Lead', sf)?.name, sf).toBe(sf);
      expect(catalogue.marketoField(mk)?.name, mk).toBe(mk);
    }
    for (const f of ['sfdcType', 'sfdcLeadId', 'sfdcContactId', 'sfdcAccountId', 'sfdcIsDeleted']) {
      expect(catalogue.marketoField(f)?.name).toBe(f);
    }
    for (const f of ['IsConverted', 'ConvertedContactId', 'Name', 'SystemModstamp']) expect(catalogue.salesforceField('Lead', f)).toBeDefined();
    for (const f of ['AccountId', 'Department', 'MailingCity']) expect(catalogue.salesforceField('Contact', f)).toBeDefined();
    expect(catalogue.salesforceField('Contact', 'Company')).toBeUndefined();
  });

  it('adds custom fields, Lead and Contact ones mirrored onto people', () => {
    const c = new FieldCatalogue();
    c.addSalesforceField('Lead', 'Score__c', 'double');
    c.addSalesforceField('Account', 'Tier__c', 'string');
    expect(c.salesforceField('Lead', 'score__C')).toEqual({ name: 'Score__c', type: 'number' });
    expect(c.marketoField('Score__c')?.name).toBe('Score__c');
    expect(c.marketoField('Tier__c')).toBeUndefined();
  });

  it('lists the Marketo fields a world must add for Salesforce custom fields', () => {
    expect(
      mirroredMarketoFields(
        [
          { object: 'Lead', name: 'Score__c', type: 'double' },
          { object: 'Contact', name: 'Score__c', type: 'double' },
          { object: 'Contact', name: 'Notes__c', type: 'textarea' },
          { object: 'Account', name: 'Tier__c', type: 'picklist' },
          { object: 'Lead', name: 'Own__c', type: 'string' },
        ],
        [{ name: 'own__c' }],
      ),
    ).toEqual([
      { name: 'Score__c', type: 'float' },
      { name: 'Notes__c', type: 'text' },
    ]);
  });

  it('lets a scenario declare a mirrored field on the Marketo side too, but not a standard one', () => {
    loadOk('name: x\nsalesforce:\n  fields:\n    - { object: Lead, name: Score__c, type: double }\nmarketo:\n  fields:\n    - { name: Score__c, type: float }\nsteps: []\n');
    const [e] = loadErrors('name: x\nmarketo:\n  fields:\n    - { name: Email, type: email }\nsteps: []\n');
    expect(e).toMatchObject({ code: 'duplicate', line: 4 });
    expect(e!.message).toBe('field `Email` already exists on Marketo people');
  });
});

describe('the language matches the simulator', () => {
  it('has the fault kinds the fault plan injects', () => {
    expect([...FAULT_KINDS]).toEqual([...EMULATOR_FAULT_KINDS]);
  });
});

describe('suggestions', () => {
  it('measures edit distance', () => {
    expect(levenshtein('Titel', 'Title')).toBe(2);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
  });

  it('offers the nearest name, ignoring case, and nothing when nothing is near', () => {
    expect(closest('Titel', ['Title', 'Phone', 'Email'])).toBe('Title');
    expect(closest('TITLE', ['Title', 'Phone'])).toBe('Title');
    expect(closest('salesforce.updte', ['salesforce.update', 'salesforce.delete'])).toBe('salesforce.update');
    expect(closest('Banana', ['Title', 'Phone'])).toBeUndefined();
  });
});
