/**
 * The seeded random source of a world (DESIGN §3). Built on pure-rand's
 * xoroshiro128+ so sequences are stable across Node versions. Independent
 * streams (workload, faults, scheduling) come from `fork(name)`, which hashes
 * the name into the seed, so drawing more from one stream never shifts
 * another.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { Faker, en } from '@faker-js/faker';

type Generator = ReturnType<typeof xoroshiro128plus>;

export class Rng {
  private readonly gen: Generator;

  constructor(readonly seed: number) {
    this.gen = xoroshiro128plus(seed | 0);
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (max < min) throw new RangeError(`empty range [${min}, ${max}]`);
    return uniformInt(this.gen, min, max);
  }

  /** Float in [0, 1). */
  float(): number {
    return (this.gen.next() >>> 0) / 0x1_0000_0000;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** An independent stream named `name`, derived from this stream's seed only. */
  fork(name: string): Rng {
    return new Rng(hash32(`${this.seed}/${name}`));
  }

  /** A faker instance seeded from this stream. */
  faker(): Faker {
    const faker = new Faker({ locale: [en] });
    faker.seed(this.int(0, 0x7fff_ffff));
    return faker;
  }
}

/** FNV-1a, 32 bits: a stable string → seed hash. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
