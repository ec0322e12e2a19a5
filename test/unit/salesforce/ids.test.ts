import { describe, expect, it } from 'vitest';
import { IdFactory, checksum, isSalesforceId, normalizeId, to18 } from '../../../mocks/salesforce/ids.ts';
import { Org } from '../../../mocks/salesforce/org.ts';

describe('Salesforce ids', () => {
  it('computes the checksum of the real examples in reference §2.5', () => {
    expect(to18('00558000001N0Ke')).toBe('00558000001N0KeAAK');
    expect(to18('003RO0000035WQg')).toBe('003RO0000035WQgYAM');
    expect(to18('001D000000K0fXO')).toBe('001D000000K0fXOIAZ');
    expect(checksum('001D000000K0fXO')).toBe('IAZ');
  });

  it('recognises 15- and 18-character ids and rejects bad checksums and shapes', () => {
    expect(isSalesforceId('003RO0000035WQg')).toBe(true);
    expect(isSalesforceId('003RO0000035WQgYAM')).toBe(true);
    expect(isSalesforceId('003RO0000035WQgyam')).toBe(true); // checksum compares case-insensitively
    expect(isSalesforceId('003RO0000035WQgAAA')).toBe(false);
    expect(isSalesforceId('003RO0000035WQ')).toBe(false);
    expect(isSalesforceId('003RO0000035WQg!AM')).toBe(false);
    expect(isSalesforceId(42)).toBe(false);
    expect(normalizeId('003RO0000035WQg')).toBe('003RO0000035WQgYAM');
    expect(normalizeId('nope')).toBeUndefined();
    expect(() => to18('short')).toThrow(/not a Salesforce id/);
  });

  it('issues deterministic 18-character ids with the key prefix from counters', () => {
    const a = new IdFactory();
    const b = new IdFactory();
    const first = [a.next('00Q'), a.next('00Q'), a.next('003')];
    expect([b.next('00Q'), b.next('00Q'), b.next('003')]).toEqual(first);
    expect(first[0]).toMatch(/^00Q[a-zA-Z0-9]{15}$/);
    expect(first[0]).not.toBe(first[1]);
    for (const id of first) expect(to18(id.slice(0, 15))).toBe(id);
  });

  it('uses the real key prefixes and maps ids back to objects, 15 or 18 characters', () => {
    const org = new Org();
    const u = org.syncUser.id;
    const lead = org.create('Lead', { LastName: 'L', Company: 'C' }, u);
    const contact = org.create('Contact', { LastName: 'C' }, u);
    const account = org.create('Account', { Name: 'A' }, u);
    if (!lead.success || !contact.success || !account.success) throw new Error('setup failed');
    expect(lead.id.slice(0, 3)).toBe('00Q');
    expect(contact.id.slice(0, 3)).toBe('003');
    expect(account.id.slice(0, 3)).toBe('001');
    expect(org.syncUser.id.slice(0, 3)).toBe('005');
    expect(org.orgId.slice(0, 3)).toBe('00D');
    expect(org.createQueue('Inbound').slice(0, 3)).toBe('00G');
    expect(org.objectOfId(lead.id)).toBe('Lead');
    expect(org.objectOfId(lead.id.slice(0, 15))).toBe('Lead');
    expect(org.objectOfId(org.syncUser.id)).toBe('User');
    expect(org.objectOfId('xyz')).toBeUndefined();
    expect(org.get('Lead', lead.id.slice(0, 15))?.Id).toBe(lead.id);
  });

  it('gives two orgs built the same way the same ids', () => {
    const ids = () => {
      const org = new Org();
      const r = org.create('Lead', { LastName: 'L', Company: 'C' }, org.adminUser.id);
      return [org.orgId, org.adminUser.id, org.syncUser.id, r.success ? r.id : ''];
    };
    expect(ids()).toEqual(ids());
  });
});
