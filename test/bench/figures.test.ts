/** The bench's judging and table (bench/figures.ts): what passes, what fails, what quick mode enforces. */
import { describe, expect, it } from 'vitest';
import { editsInCycle, formatTable, growthSummary, judge, median, minimumBackfillCalls, type Measured } from '../../bench/figures.ts';

const timing: Measured = { name: 'day wall', value: 7, unit: 's', target: { op: '<=', value: 5 }, enforce: 'full-only' };
const calls: Measured = { name: 'idle calls', value: 5, unit: 'calls', target: { op: '<=', value: 4 } };
const growth: Measured = { name: 'growth', value: 1.7, unit: '×', target: { op: '<=', value: 1.5 }, quickTarget: { op: '<=', value: 2 } };
const info: Measured = { name: 'cycles/s', value: 40, unit: 'cycles/s' };

describe('judge', () => {
  it('a full run fails on every missed target and passes figures without one', () => {
    const { figures, failed } = judge([timing, calls, growth, info], false);
    expect(failed.map((f) => f.name)).toEqual(['day wall', 'idle calls', 'growth']);
    expect(figures.find((f) => f.name === 'cycles/s')).toMatchObject({ met: true, target: '' });
    expect(figures[0]).toEqual({ name: 'day wall', value: 7, unit: 's', target: '≤ 5', met: false });
  });

  it('quick mode enforces counts and the growth margin, not timings', () => {
    const { figures, failed } = judge([timing, calls, growth], true);
    expect(failed.map((f) => f.name)).toEqual(['idle calls']);
    expect(figures.find((f) => f.name === 'growth')).toMatchObject({ target: '≤ 2', met: true });
    expect(figures.find((f) => f.name === 'day wall')).toMatchObject({ met: false });
  });

  it('≥ targets and non-finite values', () => {
    const rate: Measured = { name: 'rate', value: 5000, unit: '/s', target: { op: '>=', value: 5000 } };
    expect(judge([rate], false).failed).toEqual([]);
    expect(judge([{ ...rate, value: 4999 }], false).failed).toHaveLength(1);
    expect(judge([{ ...rate, value: NaN }], false).failed).toHaveLength(1);
  });
});

describe('table and helpers', () => {
  it('prints one row per figure with its target and verdict', () => {
    const { figures } = judge([timing, calls, info], true);
    const text = formatTable(figures, new Set(['day wall']));
    const lines = text.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toMatch(/^day wall\s+7\s+s\s+≤ 5\s+missed \(not enforced in --quick\)$/);
    expect(lines[3]).toMatch(/^idle calls\s+5\s+calls\s+≤ 4\s+MISSED$/);
    expect(lines[4]).toMatch(/^cycles\/s\s+40\s+cycles\/s\s+—$/);
  });

  it('the minimum backfill calls are ceil(N/2000) pages plus ceil(N/300) writes', () => {
    expect(minimumBackfillCalls(100_000)).toEqual({ queryPages: 50, marketoWrites: 334, total: 384 });
    expect(minimumBackfillCalls(1)).toEqual({ queryPages: 1, marketoWrites: 1, total: 2 });
  });

  it('edits spread evenly over an hour of cycles, summing to the hourly rate', () => {
    const per = Array.from({ length: 12 }, (_, c) => editsInCycle(100, 12, c));
    expect(per.reduce((a, b) => a + b, 0)).toBe(100);
    expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('growthSummary', () => {
  it('takes the median CPU and wall of the reps, the mean CPU, and the GC pauses as a share of their wall time', () => {
    const reps = [
      { ms: 50, cpuMs: 40, calls: 5 },
      { ms: 60, cpuMs: 300, calls: 5 }, // one compile or major GC: moves the mean, not the median
      { ms: 40, cpuMs: 35, calls: 6 },
      { ms: 50, cpuMs: 45, calls: 5 },
    ];
    expect(growthSummary(reps, { ms: 20, minor: 3, major: 1 })).toEqual({
      reps: 4,
      growthMs: 50,
      growthCpuMs: 42.5,
      growthCpuMeanMs: 105,
      growthCalls: 5,
      gcShare: 0.1,
      gcMinor: 3,
      gcMajor: 1,
    });
  });

  it('no reps reads NaN (and so misses its target) rather than 0', () => {
    const s = growthSummary([], { ms: 0, minor: 0, major: 0 });
    expect(s.growthCpuMs).toBeNaN();
    expect(s.gcShare).toBeNaN();
  });
});

