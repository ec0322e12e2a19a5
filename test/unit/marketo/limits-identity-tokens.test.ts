import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { ActivityLog } from '../../../mocks/marketo/activities.ts';
import { Identity } from '../../../mocks/marketo/identity.ts';
import { Limits } from '../../../mocks/marketo/limits.ts';
import type { Ticket } from '../../../mocks/marketo/limits.ts';
import { activityToken, base32, offsetToken, readActivityToken, readOffsetToken, unbase32 } from '../../../mocks/marketo/paging-tokens.ts';

describe('Limits', () => {
  const admitOk = (l: Limits): Ticket => {
    const a = l.admit();
    if (!a.ok) throw new Error(`refused ${a.code}`);
    return a.ticket;
  };

  it('slides a 100-call window of 20 s', () => {
    const clock = new VirtualClock();
    const l = new Limits(clock);
    for (let i = 0; i < 100; i++) l.finish(admitOk(l), true);
    expect(l.admit()).toEqual({ ok: false, code: '606', message: "Max rate limit '100' exceeded with in '20' secs" });
    clock.advanceBy(19_999);
    expect(l.admit().ok).toBe(false);
    clock.advanceBy(1);
    expect(l.admit().ok).toBe(true);
  });

  it('gives back the window place and the quota of an uncounted call', () => {
    const l = new Limits(new VirtualClock(), 3);
    l.finish(admitOk(l), false);
    l.finish(admitOk(l), true);
    expect(l.usage()).toEqual({ today: 1, dailyQuota: 3, inWindow: 1, inFlight: 0 });
    const t = admitOk(l);
    l.finish(t, true);
    l.finish(t, false); // a second finish is ignored
    expect(l.usage().today).toBe(2);
  });

  it('refuses an 11th call in flight with 615', () => {
    const l = new Limits(new VirtualClock());
    const tickets = Array.from({ length: 10 }, () => admitOk(l));
    expect(l.admit()).toEqual({ ok: false, code: '615', message: 'Concurrent access limit reached' });
    l.finish(tickets[0]!, true);
    expect(l.admit().ok).toBe(true);
  });

  it('resets the daily quota at 12:00 AM CST (06:00 UTC)', () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 5, 59));
    const l = new Limits(clock, 2);
    l.finish(admitOk(l), true);
    l.finish(admitOk(l), true);
    expect(l.admit()).toEqual({ ok: false, code: '607', message: 'Daily quota reached' });
    clock.advanceBy(60_000);
    expect(l.admit().ok).toBe(true);
  });
});

describe('Identity', () => {
  it('reuses a token until expiry, then issues a new one; old tokens read as expired', () => {
    const clock = new VirtualClock();
    const id = new Identity(clock, 'c', 's', 3600, 'api@x.test');
    const a = id.token('c', 's')!;
    expect(a.expires_in).toBe(3600);
    clock.advanceBy(1500);
    expect(id.token('c', 's')).toEqual({ ...a, expires_in: 3598 });
    expect(id.check(a.access_token)).toBe('valid');
    clock.advanceBy(3600_000);
    expect(id.check(a.access_token)).toBe('expired');
    const b = id.token('c', 's')!;
    expect(b.access_token).not.toBe(a.access_token);
    expect(id.check('nope')).toBe('unknown');
    expect(id.token('c', 'wrong')).toBeUndefined();
    id.expireAll();
    expect(id.check(b.access_token)).toBe('expired');
    expect(id.token('c', 's')!.access_token).not.toBe(b.access_token);
  });
});

describe('Paging tokens', () => {
  it('base32 follows RFC 4648 (no padding) and round-trips', () => {
    expect(base32('foobar')).toBe('MZXW6YTBOI');
    expect(unbase32('MZXW6YTBOI')).toBe('foobar');
    expect(unbase32('mzxw6ytboi')).toBe('foobar');
    expect(unbase32('not base32!')).toBeUndefined();
  });

  it('activity and offset tokens round-trip and refuse the other kind with 1003', () => {
    expect(readActivityToken(activityToken(123))).toBe(123);
    expect(readOffsetToken('leads', offsetToken('leads', 600))).toBe(600);
    expect(() => readOffsetToken('fields', offsetToken('leads', 600))).toThrow(expect.objectContaining({ code: '1003' }));
    expect(() => readActivityToken(offsetToken('leads', 1))).toThrow(/Invalid nextPageToken/);
    expect(() => readActivityToken('@@@')).toThrow(/Invalid nextPageToken/);
  });
});

describe('ActivityLog', () => {
  it('finds the first id logged at or after a time', () => {
    const clock = new VirtualClock();
    const log = new ActivityLog(() => clock.now());
    log.append({ leadId: 1, activityTypeId: 12 });
    clock.advanceBy(1000);
    log.append({ leadId: 1, activityTypeId: 13 });
    log.append({ leadId: 1, activityTypeId: 13 });
    expect(log.firstIdSince(clock.now() - 1000)).toBe(1);
    expect(log.firstIdSince(clock.now() - 999)).toBe(2);
    expect(log.firstIdSince(clock.now() + 1)).toBe(4);
  });

  it('takes custom types through draft → approved → approved with draft', () => {
    const clock = new VirtualClock();
    const log = new ActivityLog(() => clock.now());
    const spec = { apiName: 'x', name: 'X', triggerName: 't', filterName: 'f', primaryAttribute: { apiName: 'p', name: 'P', dataType: 'string' } };
    expect(log.createCustomType(spec)).toMatchObject({ id: 100000, status: 'draft' });
    expect(log.isKnownType(100000)).toBe(true);
    expect(log.types().some((t) => t.id === 100000)).toBe(false);
    expect(log.approveCustomType('x').status).toBe('approved');
    expect(() => log.approveCustomType('x')).toThrow(expect.objectContaining({ code: '709' }));
    expect(log.addCustomAttributes('x', [{ apiName: 'a', name: 'A' }]).status).toBe('approved with draft');
    expect(() => log.addCustomAttributes('x', [{ apiName: 'p', name: 'P2' }])).toThrow(expect.objectContaining({ code: '1017' }));
    expect(() => log.addCustomAttributes('nope', [{ apiName: 'a', name: 'A' }])).toThrow(expect.objectContaining({ code: '1013' }));
    expect(() => log.createCustomType({ ...spec, apiName: 'y' })).toThrow(/name 'X' already exists/);
    expect(() => log.createCustomType({ ...spec, apiName: 'z', name: 'Z', primaryAttribute: null })).toThrow(expect.objectContaining({ code: '701' }));
  });
});
