/**
 * The ref table: what each scenario `ref` names at run time. A ref is one
 * person/record pair (DESIGN §7): it starts as a Salesforce record or a
 * Marketo person, and once the engine links the two it names the Salesforce
 * record on `salesforce.*` steps and the person on `marketo.*` steps. After
 * a conversion it follows the lead to its contact.
 *
 * Resolution reads the emulators' own state (the person's link fields, the
 * lead's ConvertedContactId) each time, so it always follows the link the
 * engine actually made, never one the runner assumed.
 */
import type { MarketoInstance, Person } from '../../mocks/marketo/index.ts';
import type { Org } from '../../mocks/salesforce/index.ts';

export interface RefEntry {
  ref: string;
  /** The Salesforce record the ref started as or was last resolved to. */
  sf?: { object: string; id: string };
  /** Every Salesforce id the pair has had (a converted lead, its contact), oldest first. */
  sfHistory: Array<{ object: string; id: string }>;
  /** The Marketo person id, once known. */
  personId?: number;
}

export interface RefWorld {
  org: Org;
  instance: MarketoInstance;
}

export class RefTable {
  private readonly entries = new Map<string, RefEntry>();

  constructor(private readonly world: RefWorld) {}

  has(ref: string): boolean {
    return this.entries.has(ref);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  entry(ref: string): RefEntry {
    const e = this.entries.get(ref);
    // The loader checks refs before a run; this only guards the runner's own use.
    if (!e) throw new Error(`unknown ref \`${ref}\``);
    return e;
  }

  defineSalesforce(ref: string, object: string, id: string): void {
    const e = this.entries.get(ref) ?? { ref, sfHistory: [] };
    e.sf = { object, id };
    e.sfHistory.push({ object, id });
    this.entries.set(ref, e);
  }

  definePerson(ref: string, personId: number): void {
    const e = this.entries.get(ref) ?? { ref, sfHistory: [] };
    e.personId = personId;
    this.entries.set(ref, e);
  }

  /** The Salesforce record the ref names now (following conversion and the person's link), or undefined. */
  salesforce(ref: string): { object: string; id: string } | undefined {
    const e = this.entry(ref);
    const person = e.personId !== undefined ? this.world.instance.getPerson(e.personId) : undefined;
    // The person's link is the engine's word on which record the pair is.
    if (person) {
      const linked = linkOf(person);
      if (linked) this.remember(e, linked);
    }
    if (!e.sf) return undefined;
    // A converted lead is read-only; the pair continues as its contact.
    if (e.sf.object === 'Lead') {
      const lead = this.world.org.get('Lead', e.sf.id, { includeDeleted: true });
      const contactId = lead?.IsConverted === true ? (lead.ConvertedContactId as string | null) : null;
      if (contactId) this.remember(e, { object: 'Contact', id: contactId });
    }
    return e.sf;
  }

  /** A record of the pair of one object (`expect: salesforce` with `object: Lead` reads the converted lead). */
  salesforceOf(ref: string, object: string): { object: string; id: string } | undefined {
    const current = this.salesforce(ref);
    if (current?.object === object) return current;
    const e = this.entry(ref);
    for (let i = e.sfHistory.length - 1; i >= 0; i--) if (e.sfHistory[i]!.object === object) return e.sfHistory[i];
    return undefined;
  }

  /** The Marketo person the ref names now, or undefined (not synced yet, or deleted). */
  person(ref: string): Person | undefined {
    const e = this.entry(ref);
    if (e.personId !== undefined) {
      const p = this.world.instance.getPerson(e.personId);
      if (p) return p;
    }
    // Not known yet (or merged away in Marketo): the person carrying any id of the pair.
    const ids = new Set(e.sfHistory.map((h) => h.id));
    if (e.sf) ids.add(e.sf.id);
    if (ids.size === 0) return undefined;
    const hits = this.world.instance
      .listPeople()
      .filter((p) => (p.sfdcLeadId && ids.has(p.sfdcLeadId)) || (p.sfdcContactId && ids.has(p.sfdcContactId)));
    if (hits.length === 0) return undefined;
    // Prefer the person linked to the newest record of the pair.
    const newest = [...e.sfHistory].reverse().find((h) => hits.some((p) => p.sfdcLeadId === h.id || p.sfdcContactId === h.id));
    const chosen = newest ? hits.find((p) => p.sfdcLeadId === newest.id || p.sfdcContactId === newest.id)! : hits[0]!;
    e.personId = chosen.id;
    return chosen;
  }

  private remember(e: RefEntry, sf: { object: string; id: string }): void {
    if (e.sf?.id === sf.id) return;
    e.sf = sf;
    if (!e.sfHistory.some((h) => h.id === sf.id)) e.sfHistory.push(sf);
  }
}

/** The Salesforce record a person is linked to, by the link fields Marketo keeps (DESIGN §4). */
export function linkOf(p: Person): { object: 'Lead' | 'Contact'; id: string } | undefined {
  if (p.sfdcType === 'Contact' && p.sfdcContactId) return { object: 'Contact', id: p.sfdcContactId };
  if (p.sfdcType === 'Lead' && p.sfdcLeadId) return { object: 'Lead', id: p.sfdcLeadId };
  if (p.sfdcContactId) return { object: 'Contact', id: p.sfdcContactId };
  if (p.sfdcLeadId) return { object: 'Lead', id: p.sfdcLeadId };
  return undefined;
}
