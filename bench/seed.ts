/**
 * Seeding for the benchmarks: large data sets go straight into the org and
 * instance models (no HTTP), so setup time stays out of the figures.
 */
import { Rng } from '../src/sim/rng.ts';
import type { World } from '../src/sim/world.ts';

const TITLES = ['CEO', 'CFO', 'CTO', 'VP Sales', 'Engineer', 'Analyst'];
const CITIES = ['Boston', 'Austin', 'Denver', 'Lyon', 'Leeds'];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'];

/**
 * `n` Salesforce leads created by the org's admin (full save pipeline), one
 * per virtual second as a data load would spread them (leads that all share
 * one SystemModstamp would stay inside the engine's look-back window and be
 * read again every cycle); returns their ids.
 */
export function seedLeads(w: World, n: number, seed = 1): string[] {
  const rng = new Rng(seed);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    w.clock.advanceBy(1000);
    const r = w.org.create(
      'Lead',
      {
        FirstName: `First${i}`,
        LastName: `Last${i}`,
        Company: rng.pick(COMPANIES),
        Email: `lead${i}@bench.test`,
        Title: rng.pick(TITLES),
        City: rng.pick(CITIES),
      },
      w.org.adminUser.id,
    );
    if (!r.success) throw new Error(`seeding lead ${i}: ${r.errors[0]?.statusCode} ${r.errors[0]?.message}`);
    ids.push(r.id);
  }
  return ids;
}

/** Values the edit workload writes; drawn from small pools so both sides see realistic text. */
export const EDIT_TITLES = TITLES;
export const EDIT_CITIES = CITIES;
