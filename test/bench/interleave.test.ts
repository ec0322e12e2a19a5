/**
 * The growth figure's two sizes in turns (bench/interleave.ts): real child
 * processes of bench/child.ts, on worlds small enough to build in a moment.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { interleavedGrowth } from '../../bench/interleave.ts';

const CHILD = fileURLToPath(new URL('../../bench/child.ts', import.meta.url));

describe('interleavedGrowth', () => {
  it('times the same number of busy cycles at each size, each in its own process with the flags given', async () => {
    const [a, b] = await interleavedGrowth(CHILD, [20, 40], 3, ['--single-threaded']);
    for (const [r, n] of [[a!, 20], [b!, 40]] as const) {
      expect(r.records).toBe(n);
      expect(r.reps).toBe(3);
      expect(r.singleThreaded).toBe(true);
      expect(r.growthCpuMs).toBeGreaterThan(0);
      expect(r.growthMs).toBeGreaterThan(0);
      // A busy cycle reads and writes on both sides.
      expect(r.growthCalls).toBeGreaterThanOrEqual(4);
      expect(r.gcShare).toBeGreaterThanOrEqual(0);
    }
  }, 120_000);

  it('a size whose process fails rejects with its name instead of waiting forever', async () => {
    await expect(interleavedGrowth(CHILD, [0], 2, [])).rejects.toThrow(/bench group 'growth 0' exited with 1/);
  }, 120_000);
});
