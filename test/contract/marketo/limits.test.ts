import { describe, expect, it } from 'vitest';
import { errorEnvelope, marketoHarness } from './harness.ts';

const m = marketoHarness();

const ping = () => m.get('/rest/v1/lead/1.json');

describe('Rate limit: 100 calls per 20 s, sliding (606)', () => {
  it('refuses the 101st call within 20 s and accepts again once the window slides', async () => {
    await ping(); // fetches the token (identity calls are not rate-limited)
    m.clock.advanceBy(20_000); // that call leaves the window
    for (let i = 0; i < 50; i++) expect((await ping()).body.success).toBe(true);
    m.clock.advanceBy(10_000);
    for (let i = 0; i < 50; i++) expect((await ping()).body.success).toBe(true);
    m.clock.advanceBy(5_000);
    const refused = await ping();
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual(errorEnvelope('606', "Max rate limit '100' exceeded with in '20' secs"));
    // 20 s after the first 50 they slide out; the second 50 are still in the window.
    m.clock.advanceBy(5_000);
    expect((await ping()).body.success).toBe(true);
    expect(m.instance.limits.usage().inWindow).toBe(51);
    expect(m.instance.requestLog.filter((e) => e.errorCodes.includes('606'))).toHaveLength(1);
  });
});

describe('Concurrency: 10 calls in flight (615)', () => {
  it('refuses an 11th concurrent call and serves the 10 held ones when released', async () => {
    await ping(); // fetch the token before holding
    const release = m.instance.holdRequests();
    const calls = Array.from({ length: 11 }, () => ping());
    const first = await Promise.race(calls);
    expect(first.body).toEqual(errorEnvelope('615', 'Concurrent access limit reached'));
    expect(m.instance.limits.inFlight).toBe(10);
    release();
    const all = await Promise.all(calls);
    expect(all.filter((r) => r.body.success === true)).toHaveLength(10);
    expect(all.filter((r) => r.body.errors?.[0]?.code === '615')).toHaveLength(1);
    expect(m.instance.limits.inFlight).toBe(0);
    expect((await ping()).body.success).toBe(true);
  });
});
