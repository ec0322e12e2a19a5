import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/sim/rng.ts';
import { drawMembers, population } from '../../src/sim/workload.ts';

/** The population as drawn with a Faker of its own (what the shared, reseeded one must reproduce). */
function freshPopulation(seed: number, size: number) {
  return drawMembers(new Rng(seed).fork('workload').faker(), size);
}

describe('population', () => {
  it('is the same people for a seed, whatever was drawn before, as with a Faker of its own', () => {
    const seeds = [1, 7, 12345, 0x7fff_ffff, 42, 1];
    for (const seed of seeds) expect(population(seed, 23)).toEqual(freshPopulation(seed, 23));
    // A longer draw first must not shift the next one.
    population(99, 200);
    expect(population(7, 5)).toEqual(freshPopulation(7, 5));
  });

  it('differs from seed to seed', () => {
    expect(population(1, 5)).not.toEqual(population(2, 5));
  });
});
