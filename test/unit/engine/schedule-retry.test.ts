import { describe, expect, it } from 'vitest';
import { ApiError, backoffDelay, DEFAULT_RETRY, QuotaExhausted, RetryAfter, withRetry } from '../../../src/engine/retry.ts';
import { Schedule } from '../../../src/engine/schedule.ts';
import { nextQuotaReset } from '../../../src/engine/marketo.ts';
import { VirtualClock } from '../../../src/sim/clock.ts';

describe('Schedule', () => {
  it('runs a cycle at once, then an interval after each cycle ends', async () => {
    const clock = new VirtualClock(0);
    const starts: number[] = [];
    const s = new Schedule(clock, 300_000, async () => {
      starts.push(clock.now());
      await clock.sleep(40_000); // a cycle that takes 40 s
    });
    expect(await s.runDue()).toHaveLength(1);
    expect(s.nextAt).toBe(340_000);
    clock.advanceTo(339_999);
    expect(await s.runDue()).toHaveLength(0);
    clock.advanceTo(340_000);
    await s.runDue();
    expect(starts).toEqual([0, 340_000]);
  });

  it('start() loops cycle → sleep(interval) on its clock until stop()', async () => {
    const clock = new VirtualClock(0);
    const sleeps: number[] = [];
    const sleepy = { now: () => clock.now(), sleep: async (ms: number) => { sleeps.push(ms); await clock.sleep(ms); } };
    let cycles = 0;
    let third!: () => void;
    const reachedThird = new Promise<void>((r) => (third = r));
    const s = new Schedule(sleepy, 300_000, async () => {
      cycles++;
      await clock.sleep(1_000);
      if (cycles === 3) third();
    });
    s.start();
    await reachedThird;
    await s.stop();
    expect(cycles).toBe(3);
    expect(sleeps).toEqual([300_000, 300_000]);
  });

  it('refuses a non-positive interval and a second concurrent cycle', async () => {
    const clock = new VirtualClock(0);
    expect(() => new Schedule(clock, 0, async () => undefined)).toThrow(/positive/);
    let release!: () => void;
    const s = new Schedule(clock, 1000, () => new Promise<void>((r) => (release = r)));
    const first = s.runNow();
    await expect(s.runNow()).rejects.toThrow(/already running/);
    release();
    await first;
  });
});

describe('retry', () => {
  it('capped exponential backoff', () => {
    const p = { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(p, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('retries transient errors on the clock, not on wall time, then succeeds', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    const delays: number[] = [];
    const out = await withRetry(clock, DEFAULT_RETRY, async () => {
      if (++calls < 3) throw new ApiError('salesforce', 'SERVER_UNAVAILABLE', 'down', true);
      return 'ok';
    }, (_n, d) => delays.push(d));
    expect(out).toBe('ok');
    expect(delays).toEqual([1000, 2000]);
    expect(clock.now()).toBe(3000);
  });

  it('does not retry permanent errors or a spent quota; honours a wait the server asked for', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    await expect(withRetry(clock, DEFAULT_RETRY, async () => {
      calls++;
      throw new ApiError('salesforce', 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'no', false);
    })).rejects.toThrow(/no/);
    expect(calls).toBe(1);
    await expect(withRetry(clock, DEFAULT_RETRY, async () => {
      throw new QuotaExhausted('marketo', '607', 'Daily quota reached', 1);
    })).rejects.toBeInstanceOf(QuotaExhausted);
    let n = 0;
    await withRetry(clock, DEFAULT_RETRY, async () => {
      if (++n === 1) throw new RetryAfter('marketo', '606', 'rate', 20_000);
    });
    expect(clock.now()).toBe(20_000);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    await expect(withRetry(clock, { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 }, async () => {
      calls++;
      throw new ApiError('marketo', '608', 'unavailable', true);
    })).rejects.toThrow(/unavailable/);
    expect(calls).toBe(3);
  });

  it("Marketo's quota resets at midnight US Central", () => {
    // 2026-01-05T09:00Z is 03:00 CST; the reset is 2026-01-06T06:00Z.
    expect(new Date(nextQuotaReset(Date.UTC(2026, 0, 5, 9))).toISOString()).toBe('2026-01-06T06:00:00.000Z');
    expect(new Date(nextQuotaReset(Date.UTC(2026, 0, 5, 5))).toISOString()).toBe('2026-01-05T06:00:00.000Z');
  });
});
