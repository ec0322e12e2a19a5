import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { Org } from '../../../mocks/salesforce/org.ts';
import type { SaveResult } from '../../../mocks/salesforce/types.ts';

const MIN = 60_000;
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

const newLead = (extra: Record<string, unknown> = {}) =>
  idOf(org.create('Lead', { FirstName: 'Alice', LastName: 'Smith', Company: 'Acme', Email: 'alice@acme.test', ...extra }, u));

describe('delete and the recycle bin', () => {
  it('marks the record deleted, bumps SystemModstamp and hides it from get and scans', () => {
    const id = newLead();
    clock.advanceBy(MIN);
    expect(org.delete('Lead', id.slice(0, 15), org.syncUser.id)).toEqual({ success: true, id });
    expect(org.get('Lead', id)).toBeUndefined();
    const row = org.get('Lead', id, { includeDeleted: true })!;
    expect(row).toMatchObject({ IsDeleted: true, SystemModstamp: '2026-01-05T09:01:00.000+0000', LastModifiedById: org.syncUser.id });
    const ctx = org.queryContext(u);
    expect([...ctx.scan('Lead', { includeDeleted: false })]).toEqual([]);
    expect([...ctx.scan('Lead', { includeDeleted: true })].map((r) => r.Id)).toEqual([id]);
    expect(org.count('Lead')).toBe(0);
    expect(org.count('Lead', { includeDeleted: true })).toBe(1);
    expect(org.delete('Lead', id, u)).toEqual({ success: false, id, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] });
  });

  it('deleted() lists deletions in the window; updated() lists live changes', () => {
    const start = clock.now();
    const a = newLead();
    const b = newLead();
    clock.advanceBy(2 * MIN);
    org.delete('Lead', a, u);
    clock.advanceBy(2 * MIN);
    const d = org.deleted('Lead', start, clock.now());
    expect(d.deletedRecords).toEqual([{ id: a, deletedDate: '2026-01-05T09:02:00.000+0000' }]);
    expect(d.latestDateCovered).toBe('2026-01-05T09:04:00.000+0000');
    expect(d.earliestDateAvailable).toBe('2026-01-05T09:00:00.000+0000');
    const up = org.updated('Lead', start, clock.now());
    expect(up).toEqual({ ids: [b], latestDateCovered: '2026-01-05T09:04:00.000+0000' });
    // A window that ends before the deletion does not list it; seconds are ignored.
    expect(org.deleted('Lead', start, start + MIN + 59_000).deletedRecords).toEqual([]);
    expect(() => org.updated('Lead', clock.now(), clock.now())).toThrow(expect.objectContaining({ errorCode: 'INVALID_REPLICATION_DATE' }));
    expect(() => org.updated('Lead', clock.now() - 31 * 86_400_000, clock.now())).toThrow(/30 days/);
  });

  it('User and Group rows cannot be written through the sObject API', () => {
    expect(org.create('User', { LastName: 'x' }, u)).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_TYPE_FOR_OPERATION' }] });
    expect(org.delete('User', org.syncUser.id, u)).toMatchObject({ success: false });
    expect(org.get('User', org.syncUser.id)).toMatchObject({ Username: 'sync@example.com', Name: 'Sync User', IsActive: true });
  });
});

describe('lead conversion', () => {
  it('creates an account, a contact and an opportunity with the mapped fields and marks the lead converted', () => {
    const id = newLead({ Title: 'CFO', Phone: '555-1', Street: '1 Main St', City: 'Springfield', Industry: 'Banking', LeadSource: 'Web', Website: 'acme.test', HasOptedOutOfEmail: true });
    clock.advanceBy(5 * MIN);
    const r = org.convertLead(id, u);
    expect(r).toMatchObject({ success: true, leadId: id, errors: [] });
    expect(r.accountId!.slice(0, 3)).toBe('001');
    expect(r.contactId!.slice(0, 3)).toBe('003');
    expect(r.opportunityId!.slice(0, 3)).toBe('006');
    expect(org.get('Account', r.accountId!)).toMatchObject({ Name: 'Acme', Phone: '555-1', BillingStreet: '1 Main St', BillingCity: 'Springfield', Industry: 'Banking', Website: 'acme.test', AccountSource: 'Web' });
    expect(org.get('Contact', r.contactId!)).toMatchObject({
      FirstName: 'Alice', LastName: 'Smith', Name: 'Alice Smith', Email: 'alice@acme.test', Title: 'CFO', Phone: '555-1',
      MailingStreet: '1 Main St', MailingCity: 'Springfield', LeadSource: 'Web', HasOptedOutOfEmail: true, AccountId: r.accountId, CreatedById: u,
    });
    expect(org.get('Opportunity', r.opportunityId!)).toMatchObject({ Name: 'Acme-', AccountId: r.accountId, StageName: 'Prospecting', CloseDate: '2026-03-31' });
    expect(org.get('Lead', id)).toMatchObject({
      IsConverted: true, ConvertedDate: '2026-01-05', ConvertedAccountId: r.accountId, ConvertedContactId: r.contactId,
      ConvertedOpportunityId: r.opportunityId, Status: 'Closed - Converted', SystemModstamp: '2026-01-05T09:05:00.000+0000',
    });
  });

  it('copies custom fields mapped with mapLeadField', () => {
    org.addField({ object: 'Lead', name: 'Score__c', type: 'double' });
    org.addField({ object: 'Contact', name: 'Score__c', type: 'double' });
    org.addField({ object: 'Contact', name: 'Flag__c', type: 'boolean' });
    org.mapLeadField('score__c', 'Contact.Score__c');
    expect(() => org.mapLeadField('Score__c', 'Contact.Flag__c')).toThrow(/cannot be mapped onto a boolean/);
    expect(() => org.mapLeadField('Email', 'Contact.Score__c')).toThrow(/only custom Lead fields/);
    const r = org.convertLead(newLead({ Score__c: 42 }), u, { doNotCreateOpportunity: true });
    expect(org.get('Contact', r.contactId!)!.Score__c).toBe(42);
  });

  it('makes the lead read-only afterwards and refuses a second conversion', () => {
    const id = newLead();
    expect(org.convertLead(id, u, { doNotCreateOpportunity: true })).toMatchObject({ success: true, opportunityId: null });
    expect(org.count('Opportunity')).toBe(0);
    const expected = [{ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD', message: 'cannot reference converted lead', fields: [] }];
    expect(org.update('Lead', id, { Title: 'CEO' }, u)).toEqual({ success: false, id, errors: expected });
    expect(org.update('Lead', id, { Title: 'CEO' }, org.syncUser.id)).toMatchObject({ success: false, errors: expected });
    expect(org.convertLead(id, u)).toMatchObject({ success: false, errors: expected });
    expect(org.count('Contact')).toBe(1);
  });

  it('merges into an existing account and contact, filling only empty fields', () => {
    const account = idOf(org.create('Account', { Name: 'Existing', Phone: '111' }, u));
    const contact = idOf(org.create('Contact', { LastName: 'Smith', AccountId: account, Title: 'VP' }, u));
    const id = newLead({ Title: 'CFO', Phone: '555', LeadSource: 'Web' });
    const r = org.convertLead(id, u, { accountId: account, contactId: contact.slice(0, 15), doNotCreateOpportunity: true });
    expect(r).toMatchObject({ success: true, accountId: account, contactId: contact });
    expect(org.get('Account', account)).toMatchObject({ Name: 'Existing', Phone: '111' });
    expect(org.get('Contact', contact)).toMatchObject({ Title: 'VP', Email: 'alice@acme.test', LeadSource: 'Web' });
    expect(org.count('Account')).toBe(1);
    expect(org.count('Contact')).toBe(1);
  });

  it('fails cleanly for deleted, unknown and bad input, and on validation rules, leaving nothing behind', () => {
    const deleted = newLead();
    org.delete('Lead', deleted, u);
    expect(org.convertLead(deleted, u).errors[0]!.statusCode).toBe('ENTITY_IS_DELETED');
    expect(org.convertLead('00Q8d000000zzzz', u).errors[0]!.statusCode).toBe('NOT_FOUND');
    expect(org.convertLead('junk', u).errors[0]!.statusCode).toBe('MALFORMED_ID');
    const id = newLead();
    expect(org.convertLead(id, u, { convertedStatus: 'Working - Contacted' }).errors[0]!.statusCode).toBe('INVALID_STATUS');
    org.setRule({ object: 'Contact', name: 'Need_Phone', formula: 'ISBLANK(Phone)', message: 'contacts need a phone' });
    expect(org.convertLead(id, u)).toMatchObject({ success: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'contacts need a phone' }] });
    expect(org.count('Account')).toBe(0);
    expect(org.count('Contact')).toBe(0);
    expect(org.get('Lead', id)!.IsConverted).toBe(false);
  });
});

describe('merge', () => {
  it('deletes the losers with MasterRecordId and applies masterFields to the master', () => {
    const master = newLead({ Title: 'CEO' });
    const l1 = newLead({ Email: 'a1@x.test' });
    const l2 = newLead({ Email: 'a2@x.test' });
    clock.advanceBy(MIN);
    const r = org.merge('Lead', master, [l1.slice(0, 15), l2], u, { Email: 'a2@x.test' });
    expect(r).toEqual({ success: true, id: master, mergedRecordIds: [l1, l2], updatedRelatedIds: [], errors: [] });
    expect(org.get('Lead', master)).toMatchObject({ Email: 'a2@x.test', Title: 'CEO', SystemModstamp: '2026-01-05T09:01:00.000+0000' });
    for (const loser of [l1, l2]) {
      expect(org.get('Lead', loser)).toBeUndefined();
      expect(org.get('Lead', loser, { includeDeleted: true })).toMatchObject({ IsDeleted: true, MasterRecordId: master });
    }
    // Deletions of the current minute are covered once the minute is over.
    expect(org.deleted('Lead', clock.now() - 2 * MIN, clock.now()).deletedRecords).toEqual([]);
    clock.advanceBy(MIN);
    expect(org.deleted('Lead', clock.now() - 2 * MIN, clock.now()).deletedRecords.map((d) => d.id)).toEqual([l1, l2]);
  });

  it('re-parents contacts when accounts merge', () => {
    const a = idOf(org.create('Account', { Name: 'A' }, u));
    const b = idOf(org.create('Account', { Name: 'B' }, u));
    const c = idOf(org.create('Contact', { LastName: 'C', AccountId: b }, u));
    expect(org.merge('Account', a, [b], u)).toMatchObject({ success: true, updatedRelatedIds: [c] });
    expect(org.get('Contact', c)!.AccountId).toBe(a);
  });

  it('refuses bad merges', () => {
    const m = newLead();
    const others = [newLead(), newLead(), newLead()];
    expect(org.merge('Lead', m, others, u).errors[0]!.statusCode).toBe('LIMIT_EXCEEDED');
    expect(org.merge('Lead', m, [], u).errors[0]!.statusCode).toBe('REQUIRED_FIELD_MISSING');
    expect(org.merge('Lead', m, [m], u).errors[0]!.statusCode).toBe('INVALID_ID_FIELD');
    expect(org.merge('Opportunity', m, [others[0]!], u).errors[0]!.statusCode).toBe('INVALID_TYPE');
    const contact = idOf(org.create('Contact', { LastName: 'C' }, u));
    expect(org.merge('Lead', m, [contact], u).errors[0]!.statusCode).toBe('MALFORMED_ID');
    expect(org.merge('Lead', m, [others[0]!], u, { Email: 'bad' }).errors[0]!.statusCode).toBe('INVALID_EMAIL_ADDRESS');
    expect(org.count('Lead')).toBe(4);
  });
});
