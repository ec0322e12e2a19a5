import { describe, expect, it } from 'vitest';
import { errorEnvelope, marketoHarness } from './harness.ts';

const m = marketoHarness(() => ({ dailyQuota: 5 }));

const ping = () => m.get('/rest/v1/lead/1.json');

describe('Daily quota (607)', () => {
  it('refuses calls once the quota is spent and resets at 12:00 AM CST', async () => {
    for (let i = 0; i < 5; i++) expect((await ping()).body.success).toBe(true);
    expect((await ping()).body).toEqual(errorEnvelope('607', 'Daily quota reached'));
    // The default epoch is 09:00 UTC; the next CST midnight is 06:00 UTC the next day.
    m.clock.advanceBy(20 * 3_600_000); // 05:00 UTC next day: still the same CST day
    expect((await ping()).body.errors?.[0]?.code).toBe('607');
    m.clock.advanceBy(3_600_000); // 06:00 UTC
    expect((await ping()).body.success).toBe(true);
  });

  it('does not count calls answered 605 or refused with 607', async () => {
    for (let i = 0; i < 3; i++) await m.call('/rest/v1/leads.json', { method: 'PUT', body: {} });
    for (let i = 0; i < 5; i++) expect((await ping()).body.success).toBe(true);
    await ping();
    expect(m.instance.limits.usage()).toMatchObject({ today: 5, dailyQuota: 5 });
  });

  it('counts calls that end in other errors (e.g. 610, 1003)', async () => {
    await m.get('/rest/v1/nowhere.json');
    await m.get('/rest/v1/leads.json', { filterType: 'email', filterValues: 'a@x.test', fields: 'bogus' });
    expect(m.instance.limits.usage().today).toBe(2);
  });
});
