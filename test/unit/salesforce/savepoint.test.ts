import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { Org } from '../../../mocks/salesforce/org.ts';
import type { SaveResult } from '../../../mocks/salesforce/types.ts';

const idOf = (r: SaveResult) => {
  if (!r.success) throw new Error(JSON.stringify(r.errors));
  return r.id;
};

describe('savepoints (allOrNone)', () => {
  it('rollback undoes creates, updates, deletes and conversions made since, index and deletion log included', () => {
    const clock = new VirtualClock();
    const org = new Org({ clock });
    const u = org.adminUser.id;
    const kept = idOf(org.create('Lead', { LastName: 'K', Company: 'C', Title: 'before' }, u));
    const doomed = idOf(org.create('Lead', { LastName: 'D', Company: 'C' }, u));
    const toConvert = idOf(org.create('Lead', { LastName: 'V', Company: 'C' }, u));
    const before = org.get('Lead', kept);
    clock.advanceBy(60_000);
    const start = clock.now();

    const sp = org.savepoint();
    const created = idOf(org.create('Lead', { LastName: 'N', Company: 'C' }, u));
    org.update('Lead', kept, { Title: 'after' }, u);
    org.delete('Lead', doomed, u);
    expect(org.convertLead(toConvert, u).success).toBe(true);
    sp.rollback();

    expect(org.get('Lead', created, { includeDeleted: true })).toBeUndefined();
    expect(org.get('Lead', kept)).toEqual(before);
    expect(org.get('Lead', doomed)?.IsDeleted).toBe(false);
    expect(org.get('Lead', toConvert)?.IsConverted).toBe(false);
    expect(org.count('Account')).toBe(0);
    expect(org.count('Contact')).toBe(0);
    clock.advanceBy(60_000);
    expect(org.deleted('Lead', start, clock.now()).deletedRecords).toEqual([]);
    const ctx = org.queryContext(u);
    const newer = [...ctx.scan('Lead', { includeDeleted: true, modstamp: { op: '>=', value: before!.SystemModstamp as string } })];
    expect(newer.map((r) => r.Id)).toEqual([kept, doomed, toConvert]);
    expect(() => sp.release()).toThrow(/already/);
  });

  it('release keeps the changes; an inner released savepoint rolls back with its outer one', () => {
    const org = new Org();
    const u = org.adminUser.id;
    const sp = org.savepoint();
    const a = idOf(org.create('Account', { Name: 'A' }, u));
    sp.release();
    expect(org.get('Account', a)).toBeDefined();

    const outer = org.savepoint();
    const inner = org.savepoint();
    const b = idOf(org.create('Account', { Name: 'B' }, u));
    inner.release();
    outer.rollback();
    expect(org.get('Account', b)).toBeUndefined();
    expect(org.get('Account', a)).toBeDefined();
  });
});

describe('savepoints and external ids', () => {
  it('a rolled-back insert no longer matches its external id', () => {
    const org = new Org();
    const u = org.adminUser.id;
    org.addField({ object: 'Lead', name: 'Ext__c', type: 'string', length: 20, externalId: true });
    const sp = org.savepoint();
    const first = org.upsert('Lead', 'Ext__c', 'X1', { LastName: 'A', Company: 'C' }, u);
    expect(first).toMatchObject({ success: true, created: true });
    sp.rollback();
    expect(org.upsert('Lead', 'Ext__c', 'X1', { LastName: 'A', Company: 'C' }, u)).toMatchObject({ success: true, created: true });
    expect(org.count('Lead')).toBe(1);
  });
});

describe('savepoints and schema changes', () => {
  it('a row restored by rollback keeps fields added meanwhile', () => {
    const org = new Org();
    const u = org.adminUser.id;
    const r = org.create('Lead', { LastName: 'A', Company: 'C' }, u);
    if (!r.success) throw new Error('setup');
    const sp = org.savepoint();
    org.update('Lead', r.id, { Title: 'x' }, u);
    org.addField({ object: 'Lead', name: 'Vip__c', type: 'boolean' });
    sp.rollback();
    expect(org.get('Lead', r.id)).toMatchObject({ Title: null, Vip__c: false });
  });
});

describe('closeSession', () => {
  it('ends one session and leaves the others', () => {
    const org = new Org();
    const a = org.openSession(org.syncUser.id);
    const b = org.openSession(org.syncUser.id);
    org.closeSession(a);
    expect(org.sessionUser(a)).toBeUndefined();
    expect(org.sessionUser(b)?.id).toBe(org.syncUser.id);
  });
});
