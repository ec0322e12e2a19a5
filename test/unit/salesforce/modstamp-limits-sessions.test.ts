import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { ModstampIndex } from '../../../mocks/salesforce/modstamp-index.ts';
import { Org } from '../../../mocks/salesforce/org.ts';
import type { SaveResult } from '../../../mocks/salesforce/types.ts';

const idOf = (r: SaveResult) => {
  if (!r.success) throw new Error(JSON.stringify(r.errors));
  return r.id;
};

describe('SystemModstamp index', () => {
  it('scans only rows newer than the watermark, in SystemModstamp order', () => {
    const clock = new VirtualClock();
    const org = new Org({ clock });
    const u = org.adminUser.id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(idOf(org.create('Lead', { LastName: `L${i}`, Company: 'C' }, u)));
      clock.advanceBy(1000);
    }
    const watermark = org.get('Lead', ids[2]!)!.SystemModstamp as string;
    // An older record changes: it moves to the end of the order.
    org.update('Lead', ids[0]!, { Title: 'changed' }, u);
    clock.advanceBy(1000);
    org.delete('Lead', ids[3]!, u);
    const ctx = org.queryContext(u);
    const newer = (includeDeleted: boolean, op: '>' | '>=' = '>') =>
      [...ctx.scan('Lead', { includeDeleted, modstamp: { op, value: watermark } })].map((r) => r.Id);
    expect(newer(false)).toEqual([ids[4], ids[0]]);
    expect(newer(true)).toEqual([ids[4], ids[0], ids[3]]);
    expect(newer(false, '>=')).toEqual([ids[2], ids[4], ids[0]]);
    const stamps = [...ctx.scan('Lead', { includeDeleted: true, modstamp: { op: '>=', value: '' } })].map((r) => r.SystemModstamp as string);
    expect(stamps).toEqual([...stamps].sort());
    expect(stamps).toHaveLength(5);
  });

  it('also orders system changes (conversion) and keeps equal stamps in save order', () => {
    const clock = new VirtualClock();
    const org = new Org({ clock });
    const u = org.adminUser.id;
    const a = idOf(org.create('Lead', { LastName: 'A', Company: 'C' }, u));
    const b = idOf(org.create('Lead', { LastName: 'B', Company: 'C' }, u));
    clock.advanceBy(10);
    const mark = org.get('Lead', b)!.SystemModstamp as string;
    org.convertLead(a, u);
    const rows = [...org.queryContext(u).scan('Lead', { includeDeleted: false, modstamp: { op: '>', value: mark } })];
    expect(rows.map((r) => r.Id)).toEqual([a]);
    expect(rows[0]!.IsConverted).toBe(true);
    const all = [...org.queryContext(u).scan('Lead', { includeDeleted: false, modstamp: { op: '>=', value: mark } })];
    expect(all.map((r) => r.Id)).toEqual([b, a]);
  });

  it('copes with out-of-order stamps and compacts stale entries', () => {
    const index = new ModstampIndex();
    index.touch('x', '2026-01-01T00:00:02.000+0000');
    index.touch('y', '2026-01-01T00:00:01.000+0000'); // out of order: re-sorted lazily
    index.touch('z', '2026-01-01T00:00:03.000+0000');
    expect([...index.all()]).toEqual(['y', 'x', 'z']);
    for (let i = 0; i < 5000; i++) index.touch('x', `2026-01-01T00:01:00.${String(i % 1000).padStart(3, '0')}+0000`);
    expect(index.size).toBe(3);
    index.remove('z');
    expect([...index.after('>', '2026-01-01T00:00:01.000+0000')]).toEqual(['x']);
  });

  it('a modstamp poll over 100,000 records costs in proportion to the rows returned', () => {
    const index = new ModstampIndex();
    const base = Date.UTC(2026, 0, 5);
    const stamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
    for (let i = 0; i < 100_000; i++) index.touch(`id${i}`, stamp(base + i));
    // Touch a few old rows again: they move to the end.
    for (const i of [5, 50, 500]) index.touch(`id${i}`, stamp(base + 100_000 + i));
    let visited = 0;
    const out: string[] = [];
    for (const id of index.after('>', stamp(base + 99_997))) {
      visited++;
      out.push(id);
    }
    expect(out).toEqual(['id99998', 'id99999', 'id5', 'id50', 'id500']);
    expect(visited).toBe(5);
  });

  it('30,000 leads through the org: a poll returns only the changed one', () => {
    const clock = new VirtualClock();
    const org = new Org({ clock });
    const u = org.adminUser.id;
    let last = '';
    for (let i = 0; i < 30_000; i++) {
      if (i % 1000 === 0) clock.advanceBy(1000);
      last = idOf(org.create('Lead', { LastName: `L${i}`, Company: 'C' }, u));
    }
    clock.advanceBy(1000);
    const mark = org.get('Lead', last)!.SystemModstamp as string;
    org.update('Lead', last, { Title: 'x' }, u);
    const rows = [...org.queryContext(u).scan('Lead', { includeDeleted: false, modstamp: { op: '>', value: mark } })];
    expect(rows.map((r) => r.Id)).toEqual([last]);
    expect(org.count('Lead')).toBe(30_000);
  }, 60_000);
});

describe('daily API limit', () => {
  it('counts requests, refuses once spent and frees them 24 hours later (rolling window)', () => {
    const clock = new VirtualClock();
    const org = new Org({ clock, dailyApiLimit: 3 });
    expect(org.limits().DailyApiRequests).toEqual({ Max: 3, Remaining: 3 });
    expect(org.countApiRequest()).toBe(true);
    clock.advanceBy(3_600_000);
    expect(org.countApiRequest()).toBe(true);
    expect(org.countApiRequest()).toBe(true);
    expect(org.countApiRequest()).toBe(false);
    expect(org.apiUsage()).toEqual({ used: 3, max: 3 });
    expect(org.limits().DailyApiRequests).toEqual({ Max: 3, Remaining: 0 });
    clock.advanceBy(23 * 3_600_000); // the first request is now 24 h old
    expect(org.apiUsage().used).toBe(2);
    expect(org.countApiRequest()).toBe(true);
    expect(org.countApiRequest()).toBe(false);
    clock.advanceBy(3_600_000);
    expect(org.apiUsage().used).toBe(1);
  });

  it('reports the other real limit keys', () => {
    const limits = new Org().limits();
    expect(limits.DailyApiRequests).toEqual({ Max: 100_000, Remaining: 100_000 });
    for (const k of ['DataStorageMB', 'FileStorageMB', 'DailyBulkApiBatches', 'DailyAsyncApexExecutions']) expect(limits[k]).toBeDefined();
  });
});

describe('sessions', () => {
  it('opens deterministic Salesforce-looking tokens that expire after inactivity', () => {
    const clock = new VirtualClock();
    const org = new Org({ clock, sessionTtlMs: 10 * 60_000 });
    const token = org.openSession(org.syncUser.id);
    expect(token).toMatch(/^00D[A-Za-z0-9]{12}!AQ[A-Za-z0-9._]{96}$/);
    expect(new Org({ clock: new VirtualClock() }).openSession(new Org().syncUser.id)).toBe(token);
    expect(org.openSession(org.syncUser.id)).not.toBe(token);
    clock.advanceBy(9 * 60_000);
    expect(org.sessionUser(token)?.username).toBe('sync@example.com'); // touches it
    clock.advanceBy(9 * 60_000);
    expect(org.sessionUser(token)?.id).toBe(org.syncUser.id);
    clock.advanceBy(10 * 60_000);
    expect(org.sessionUser(token)).toBeUndefined();
    expect(org.sessionUser('00Dbogus!AQxyz')).toBeUndefined();
  });

  it('expireSessions ends every session', () => {
    const org = new Org();
    const a = org.openSession(org.syncUser.id);
    const b = org.openSession(org.adminUser.id);
    org.expireSessions();
    expect(org.sessionUser(a)).toBeUndefined();
    expect(org.sessionUser(b)).toBeUndefined();
    expect(org.sessionUser(org.openSession(org.adminUser.id))?.username).toBe('admin@example.com');
  });
});

describe('users and the request log', () => {
  it('has the default users and creates more', () => {
    const org = new Org();
    expect(org.userByUsername('SYNC@example.com')).toMatchObject({ username: 'sync@example.com', password: 'sync-password' });
    expect(org.userByUsername('admin@example.com')).toMatchObject({ password: 'admin-password', defaultAccess: 'edit' });
    const bob = org.createUser({ username: 'bob@example.com', password: 'pw', name: 'Bob Jones' });
    expect(org.user(bob.id.slice(0, 15))).toBe(bob);
    expect(org.get('User', bob.id)).toMatchObject({ FirstName: 'Bob', LastName: 'Jones', Name: 'Bob Jones' });
    expect(() => org.createUser({ username: 'bob@example.com', password: 'x', name: 'B' })).toThrow(expect.objectContaining({ errorCode: 'DUPLICATE_USERNAME' }));
    expect(() => org.create('Lead', { LastName: 'x', Company: 'y' }, '005000000000000')).toThrow(/no user/);
  });

  it('numbers and timestamps log entries', () => {
    const clock = new VirtualClock();
    const org = new Org({ clock });
    const e = org.logRequest({ user: org.syncUser.id, method: 'GET', path: '/services/data/v59.0/limits', operation: 'limits', fieldsRead: [], fieldsWritten: [], status: 200, errorCodes: [] });
    clock.advanceBy(1000);
    org.logRequest({ user: null, method: 'POST', path: '/services/oauth2/token', operation: 'login', fieldsRead: [], fieldsWritten: [], status: 400, errorCodes: ['invalid_grant'] });
    expect(e).toMatchObject({ seq: 1, at: '2026-01-05T09:00:00.000+0000', operation: 'limits' });
    expect(org.requestLog.map((r) => [r.seq, r.at])).toEqual([[1, '2026-01-05T09:00:00.000+0000'], [2, '2026-01-05T09:00:01.000+0000']]);
  });
});
