/**
 * DESIGN §3 / §5.8: the same seed and the same commands give the same trace,
 * byte for byte, faults, crashes and race edits included (the check fuzz
 * runs on every failure before reporting it).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { caseArbitrary, runCase } from '../../src/sim/campaign.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';

afterAll(() => closeAllWorlds());

describe('deterministic', () => {
  it('four random runs (with faults and race edits), each run twice: identical traces', async () => {
    const cases = fc.sample(caseArbitrary({ races: true }), { seed: 99, numRuns: 4 });
    const hashes: string[] = [];
    for (const [config, commands] of cases) {
      const cmds = [...commands];
      const a = await runCase(config, cmds);
      const b = await runCase(config, cmds);
      expect(b.timeline).toBe(a.timeline);
      expect(b.hash).toBe(a.hash);
      hashes.push(a.hash);
    }
    expect(new Set(hashes).size).toBe(hashes.length);
  }, 60_000);
});
