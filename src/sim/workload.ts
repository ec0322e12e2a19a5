/**
 * The workload of a fuzz run (issue 6 §1 "Correlated data"): one shared
 * population, drawn with faker from the world's `workload` stream, put on
 * both sides, and edits that keep landing on the same few records and the
 * same few fields on both sides between two cycles. Independent random edits
 * almost never conflict; these do (Dropbox's CanopyCheck derives its trees
 * from one tree for the same reason).
 *
 * Streams: `workload` (this file: people and values), `faults` (the fault
 * plan's per-call draws) and `scheduling` (where a crash lands) are forked
 * from the seed by name, so shrinking the commands never reshuffles the
 * schedule.
 */
import type { WritableScenario } from '../scenario/write.ts';
import { Faker, en } from '@faker-js/faker';
import { Rng } from './rng.ts';

export interface Member {
  firstName: string;
  lastName: string;
  company: string;
  email: string;
  title: string;
  city: string;
}

/** The fields edits pick from, Salesforce name → Marketo name, per object. Few on purpose: edits collide. */
export const HOT_FIELDS = {
  Lead: [
    ['Title', 'title'],
    ['Phone', 'phone'],
    ['City', 'city'],
    ['Company', 'company'],
    ['Rating', 'rating'],
    ['Score__c', 'Score__c'],
  ],
  Contact: [
    ['Title', 'title'],
    ['Phone', 'phone'],
    ['City', 'city'],
  ],
} as const satisfies Record<'Lead' | 'Contact', ReadonlyArray<readonly [string, string]>>;

export type HotField = (typeof HOT_FIELDS)['Lead'][number][0];

/** Small pools: the same values come back, blanks included (a blank Phone trips the validation rule). */
export const VALUE_POOLS: Record<HotField, ReadonlyArray<string | number | null>> = {
  Title: ['CEO', 'CFO', 'CTO', 'VP Sales', 'Engineer'],
  Phone: ['+1 555 0100', '+1 555 0142', '+1 555 0199', null],
  City: ['Boston', 'Austin', 'Denver', 'Lyon'],
  Company: ['Acme', 'Globex', 'Initech'],
  Rating: ['Hot', 'Warm', 'Cold'],
  Score__c: [1, 2, 3, 5],
};

/** The rule the workload switches on and off: Salesforce refuses hot leads without a phone. */
export const HOT_NEEDS_PHONE = {
  object: 'Lead' as const,
  name: 'Hot_Needs_Phone',
  formula: 'AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))',
  message: 'Hot leads need a phone number',
  field: 'Phone',
};

/** Fields whose access the workload may change. */
export const PERMISSION_FIELDS = ['Lead.Phone', 'Lead.City', 'Contact.Phone'] as const;

/**
 * One Faker for every population, reseeded each time: seeding resets all of its randomness, and building one
 * (its modules and locale tables) cost about a fifth of a population of 23.
 */
let workloadFaker: Faker | undefined;

export function population(seed: number, size: number): Member[] {
  const faker = (workloadFaker ??= new Faker({ locale: [en] }));
  // The seed Rng.faker() would give the stream's own Faker.
  faker.seed(new Rng(seed).fork('workload').int(0, 0x7fff_ffff));
  return drawMembers(faker, size);
}

/** `size` people drawn from `faker`, in order (the emails numbered so that they never collide). */
export function drawMembers(faker: Faker, size: number): Member[] {
  const out: Member[] = [];
  for (let i = 0; i < size; i++) {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const company = faker.company.name().slice(0, 40);
    out.push({
      firstName,
      lastName,
      company,
      email: `${firstName}.${lastName}.${i}@example.test`.toLowerCase().replace(/[^a-z0-9.@]/g, ''),
      title: faker.person.jobTitle().slice(0, 40),
      city: faker.location.city().slice(0, 40),
    });
  }
  return out;
}

export interface WorkloadShape {
  /** People that start as Salesforce leads (they reach Marketo by the cycle). */
  salesforce: number;
  /** People that start in Marketo only (they reach Salesforce by the flow action). */
  marketo: number;
  /** The validation rule is on from the start. */
  ruleOn: boolean;
  /** Spare members for creates during the run. */
  spare: number;
  /** Per-field winner override (DESIGN §1.8: configurable per object and per field): Lead.Title goes to Salesforce. */
  titleToSalesforce?: boolean;
  /** The sync user may read but not edit Lead.City from the start (DESIGN §1.6: only accessible fields sync). */
  readOnlyCity?: boolean;
}

/** The scenario's setup: one population split over both systems, the custom field, the rule. */
export function setupOf(seed: number, shape: WorkloadShape): { scenario: WritableScenario; spare: Member[] } {
  const members = population(seed, shape.salesforce + shape.marketo + shape.spare);
  const sfMembers = members.slice(0, shape.salesforce);
  const mkMembers = members.slice(shape.salesforce, shape.salesforce + shape.marketo);
  const scenario: WritableScenario = {
    name: `fuzz seed ${seed}`,
    seed,
    salesforce: {
      fields: [{ object: 'Lead', name: 'Score__c', type: 'double' }],
      permissions: shape.readOnlyCity ? [{ object: 'Lead', field: 'City', access: 'read' }] : [],
      rules: shape.ruleOn ? [HOT_NEEDS_PHONE] : [],
      records: sfMembers.map((m, i) => ({
        ref: `p${i + 1}`,
        object: 'Lead',
        fields: { FirstName: m.firstName, LastName: m.lastName, Company: m.company, Email: m.email, Title: m.title, City: m.city },
      })),
    },
    marketo: {
      fields: [],
      people: mkMembers.map((m, i) => ({
        ref: `m${i + 1}`,
        fields: { firstName: m.firstName, lastName: m.lastName, company: m.company, email: m.email, title: m.title, city: m.city },
      })),
    },
    sync: { intervalMs: 5 * 60_000, winner: { Lead: 'marketo', Contact: 'salesforce' }, fieldWinners: shape.titleToSalesforce ? { 'Lead.Title': 'salesforce' } : {} },
    steps: [],
  };
  return { scenario, spare: members.slice(shape.salesforce + shape.marketo) };
}
