import { describe, expect, it } from 'vitest';
import { DEFAULT_EPOCH, VirtualClock, iso, parseDuration } from '../../src/sim/clock.ts';
import { Rng, hash32 } from '../../src/sim/rng.ts';

describe('VirtualClock', () => {
  it('starts at the default epoch and moves only when told', async () => {
    const clock = new VirtualClock();
    expect(iso(clock.now())).toBe('2026-01-05T09:00:00.000Z');
    clock.advanceBy(parseDuration('5m'));
    expect(clock.now()).toBe(DEFAULT_EPOCH + 300_000);
    await clock.sleep(1500);
    expect(clock.now()).toBe(DEFAULT_EPOCH + 301_500);
    clock.advanceTo(DEFAULT_EPOCH); // never backwards
    expect(clock.now()).toBe(DEFAULT_EPOCH + 301_500);
  });

  it('tells listeners about each move', () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    const off = clock.onAdvance((t) => seen.push(t));
    clock.advanceBy(10);
    clock.advanceBy(0);
    off();
    clock.advanceBy(5);
    expect(seen).toEqual([10]);
  });
});

describe('parseDuration', () => {
  it('reads units and combinations', () => {
    expect(parseDuration('300ms')).toBe(300);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1d')).toBe(86_400_000);
  });
  it('rejects what it cannot read, naming the value', () => {
    expect(() => parseDuration('5 minutes')).toThrow(/bad duration "5 minutes"/);
    expect(() => parseDuration('')).toThrow(/bad duration/);
    expect(() => parseDuration('5')).toThrow(/bad duration/);
  });
});

describe('Rng', () => {
  it('gives the same sequence for the same seed and a different one for another', () => {
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 8 }, () => r.int(0, 1_000_000));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('keeps forked streams independent of draws on the parent', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    b.int(0, 10);
    b.int(0, 10);
    expect(a.fork('faults').int(0, 1e9)).toBe(b.fork('faults').int(0, 1e9));
    expect(a.fork('faults').int(0, 1e9)).not.toBe(a.fork('workload').int(0, 1e9));
  });

  it('stays in range and seeds faker deterministically', () => {
    const r = new Rng(3);
    for (let i = 0; i < 1000; i++) {
      const v = r.int(-2, 2);
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThanOrEqual(2);
    }
    expect(new Rng(5).faker().person.lastName()).toBe(new Rng(5).faker().person.lastName());
    expect(hash32('a')).not.toBe(hash32('b'));
  });
});
