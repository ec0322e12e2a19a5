import { describe, expect, it } from 'vitest';
import { resolveFieldSet, STANDARD_FIELD_PAIRS } from '../../../src/engine/field-map.ts';

const mk = [
  { name: 'firstName', dataType: 'string' },
  { name: 'lastName', dataType: 'string' },
  { name: 'company', dataType: 'string' },
  { name: 'title', dataType: 'string' },
  { name: 'annualRevenue', dataType: 'currency' },
  { name: 'unsubscribed', dataType: 'boolean' },
  { name: 'Score__c', dataType: 'float' },
  { name: 'Text_Score__c', dataType: 'string' },
  { name: 'Locked__c', dataType: 'string', readOnly: true },
];

describe('the field set', () => {
  it('is the issue-4 table of twenty standard pairs', () => {
    expect(STANDARD_FIELD_PAIRS).toHaveLength(20);
    expect(Object.fromEntries(STANDARD_FIELD_PAIRS)).toMatchObject({ Status: 'leadStatus', Street: 'address', HasOptedOutOfEmail: 'unsubscribed' });
  });

  it('keeps pairs and same-named custom fields present on both sides, as the sync user sees them', () => {
    const sf = [
      { name: 'FirstName', type: 'string' },
      { name: 'LastName', type: 'string' },
      { name: 'Title', type: 'string', updateable: false },
      { name: 'AnnualRevenue', type: 'currency' },
      { name: 'HasOptedOutOfEmail', type: 'boolean' },
      { name: 'Description', type: 'textarea' },
      { name: 'Score__c', type: 'double', custom: true },
      { name: 'Text_Score__c', type: 'double', custom: true },
      { name: 'Only_Sf__c', type: 'string', custom: true },
      { name: 'Locked__c', type: 'string', custom: true },
    ];
    const set = resolveFieldSet('Lead', sf, mk);
    expect(set.map((f) => `${f.sf}:${f.mkto}`)).toEqual([
      'FirstName:firstName',
      'LastName:lastName',
      'Title:title',
      'AnnualRevenue:annualRevenue',
      'HasOptedOutOfEmail:unsubscribed',
      'Score__c:Score__c',
      'Locked__c:Locked__c',
    ]);
    // Company is absent from this describe (hidden from the sync user): not synced.
    expect(set.find((f) => f.sf === 'Company')).toBeUndefined();
    expect(set.find((f) => f.sf === 'Title')).toMatchObject({ updateable: false });
    expect(set.find((f) => f.sf === 'Locked__c')).toMatchObject({ mktoWritable: false });
    // A number never pairs with text (Text_Score__c).
    expect(set.find((f) => f.sf === 'Text_Score__c')).toBeUndefined();
  });
});
