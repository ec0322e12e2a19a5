/**
 * The conformance properties of DESIGN §5 that can be judged from the two
 * systems alone, at one moment, as pure functions: what served mode's
 * `GET /__syncsim/properties` reports for an engine that is not ours (no
 * history, no engine state of ours). The simulator's own checks — `expect:
 * converged`, the property suite — are the oracle's (oracle.ts), which also
 * reads the run's history; the two share the look-ups below.
 *
 * They read the world the way an auditor would: the field set is what the
 * sync user's describe and Marketo's describe allow (DESIGN §4 "Field set"),
 * links are the link fields Marketo carries, permissions come from the
 * Salesforce request log. Only the standing-rejection excuse looks at the
 * engine's state, when there is one.
 */
import type { Activity, MarketoInstance, Person } from '../../mocks/marketo/index.ts';
import type { Org } from '../../mocks/salesforce/index.ts';
import { resolveFieldSet, type SfFieldInfo } from '../engine/field-map.ts';
import { canon, sameValue } from '../engine/normalize.ts';
import type { EngineState } from '../engine/state-store.ts';
import type { MappedField, SfObject, TraceEvent as EngineEvent } from '../engine/types.ts';

export const PROPERTY_NAMES = [
  'converged',
  'conflict-winner',
  'error-logged',
  'no-lost-update',
  'no-duplicate',
  'quiet-when-idle',
  'respects-permissions',
  'deterministic',
] as const;
export type PropertyName = (typeof PROPERTY_NAMES)[number];

export interface Violation {
  property: PropertyName;
  /** One line a person can act on: what, where, expected vs found. */
  message: string;
  personId?: number;
  sfId?: string;
  field?: string;
}

/** What the property checks read. A World has all of it. */
export interface PropertyWorld {
  org: Org;
  instance: MarketoInstance;
  /** The engine's events so far (for rejections). */
  engineEvents?: readonly EngineEvent[];
  /** The engine's saved state (for standing rejections), when the engine keeps one. */
  store?: { snapshot(): EngineState | undefined };
}

/** The activity type name the engine writes for a Salesforce rejection (DESIGN §4 "Rejections"). */
export const FAILURE_ACTIVITY_NAME = 'SFDC Sync Failure';

// ------------------------------------------------------------------------------- shared look-ups

/** The synced fields of an object as the sync user sees them now. */
export function syncedFields(w: PropertyWorld, object: SfObject): MappedField[] {
  const describe = w.org.describe(object, w.org.syncUser.id) as { fields?: SfFieldInfo[] } | undefined;
  return resolveFieldSet(object, describe?.fields ?? [], w.instance.fields());
}

export interface LinkedPair {
  person: Person;
  object: SfObject;
  sfId: string;
  record: Record<string, unknown> | undefined;
}

/** The Salesforce record a person is linked to, by its `sfdcType` and the matching id field (DESIGN §4 "Links"). */
export function linkOf(p: Person): { object: SfObject; id: string } | undefined {
  if (p.sfdcType === 'Contact' && p.sfdcContactId) return { object: 'Contact', id: p.sfdcContactId };
  if (p.sfdcType === 'Lead' && p.sfdcLeadId) return { object: 'Lead', id: p.sfdcLeadId };
  return undefined;
}

/** Every person with a Salesforce link, and the record the link names (undefined when it is gone). */
export function linkedPairs(w: PropertyWorld): LinkedPair[] {
  const out: LinkedPair[] = [];
  for (const person of w.instance.listPeople()) {
    const link = linkOf(person);
    if (!link) continue;
    out.push({ person, object: link.object, sfId: link.id, record: w.org.get(link.object, link.id) });
  }
  return out;
}

export function failureActivities(w: PropertyWorld, personId?: number): Activity[] {
  const type = w.instance.activityLog.customTypes().find((t) => t.name === FAILURE_ACTIVITY_NAME);
  if (!type) return [];
  return w.instance.listActivities({ ...(personId !== undefined ? { leadId: personId } : {}), typeIds: [type.id] });
}

/** An attribute of a failure activity by API name or display name (the error code may be the primary attribute). */
export function activityAttr(a: Pick<Activity, 'attributes' | 'primaryAttributeValue'>, name: string): unknown {
  if (a.primaryAttributeValue !== undefined && (name === 'errorCode' || name === 'Error Code')) {
    const named = a.attributes.find((x) => x.apiName === name || x.name === name);
    return named ? named.value : a.primaryAttributeValue;
  }
  return a.attributes.find((x) => x.apiName === name || x.name === name)?.value;
}

function standingFailures(w: PropertyWorld): Map<number, { errorCode: string }> {
  const out = new Map<number, { errorCode: string }>();
  const state = w.store?.snapshot();
  if (!state) return out;
  for (const link of Object.values(state.links)) if (link.failure) out.set(link.personId, link.failure);
  for (const p of Object.values(state.pendingPeople)) if (p.failure) out.set(p.personId, p.failure);
  return out;
}

function live(record: Record<string, unknown> | undefined): boolean {
  return record !== undefined && record.IsDeleted !== true;
}

// ------------------------------------------------------------------------------- 1. converged

/**
 * Every linked pair agrees on every synced field, except pairs held back by
 * a standing Salesforce rejection that has its failure activity. A person
 * still linked to a converted lead, or to a record that is gone without
 * `sfdcIsDeleted`, has not converged either.
 */
export function converged(w: PropertyWorld): Violation[] {
  const out: Violation[] = [];
  const fieldSets: Record<SfObject, MappedField[]> = { Lead: syncedFields(w, 'Lead'), Contact: syncedFields(w, 'Contact') };
  const standing = standingFailures(w);
  for (const pair of linkedPairs(w)) {
    const { person, object, sfId } = pair;
    const record = pair.record ?? w.org.get(object, sfId, { includeDeleted: true });
    if (!live(record)) {
      if (person.sfdcIsDeleted !== true) {
        out.push({ property: 'converged', personId: person.id, sfId, message: `person ${person.id} is linked to ${object} ${sfId}, which is deleted, but sfdcIsDeleted is ${JSON.stringify(person.sfdcIsDeleted ?? null)}` });
      }
      continue;
    }
    if (person.sfdcIsDeleted === true) continue;
    if (object === 'Lead' && record!.IsConverted === true) {
      out.push({ property: 'converged', personId: person.id, sfId, message: `person ${person.id} is still linked to Lead ${sfId}, which was converted to Contact ${String(record!.ConvertedContactId)}` });
      continue;
    }
    const failure = standing.get(person.id);
    if (failure && failureActivities(w, person.id).some((a) => activityAttr(a, 'errorCode') === failure.errorCode)) continue;
    for (const f of fieldSets[object]) {
      const s = canon(record![f.sf], f.kind);
      const m = canon(person[f.mkto], f.kind);
      if (s === undefined || m === undefined || sameValue(s, m)) continue;
      out.push({
        property: 'converged',
        personId: person.id,
        sfId,
        field: f.sf,
        message: `${object} ${sfId} ${f.sf} = ${JSON.stringify(s)} but person ${person.id} ${f.mkto} = ${JSON.stringify(m)}`,
      });
    }
  }
  return out;
}

// ------------------------------------------------------------------------------- 5. no-duplicate

/**
 * One Salesforce record per person and one person per record: no live
 * record is linked from two people, and every live lead or contact the sync
 * user created is linked from exactly one person (an unlinked one is a
 * duplicate left by a retried create).
 */
export function noDuplicate(w: PropertyWorld): Violation[] {
  const out: Violation[] = [];
  const linkedFrom = new Map<string, number[]>();
  for (const p of w.instance.listPeople()) {
    for (const id of new Set([p.sfdcLeadId, p.sfdcContactId].filter((x): x is string => typeof x === 'string' && x !== ''))) {
      linkedFrom.set(id, [...(linkedFrom.get(id) ?? []), p.id]);
    }
  }
  for (const [sfId, people] of linkedFrom) {
    const object = w.org.objectOfId(sfId);
    if (people.length > 1 && object && live(w.org.get(object, sfId))) {
      out.push({ property: 'no-duplicate', sfId, message: `${object} ${sfId} is linked from ${people.length} people: ${people.join(', ')}` });
    }
  }
  const ctx = w.org.queryContext(w.org.adminUser.id);
  for (const object of ['Lead', 'Contact'] as const) {
    for (const r of ctx.scan(object, { includeDeleted: false })) {
      if (r.CreatedById !== w.org.syncUser.id) continue;
      // A contact made by converting a lead (by a user) counts through that lead's person.
      if (!linkedFrom.has(String(r.Id))) {
        out.push({ property: 'no-duplicate', sfId: String(r.Id), message: `${object} ${String(r.Id)} was created by the sync user but no person is linked to it (a duplicate create?)` });
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------- 7. respects-permissions

/**
 * No request of the sync user named a field it cannot read, or wrote a
 * field it cannot edit. `fromSeq` skips older requests (access changed
 * since); a request Salesforce answered with INVALID_FIELD is how an engine
 * learns of a change, so it is not held against it.
 */
export function respectsPermissions(w: PropertyWorld, opts: { fromSeq?: number } = {}): Violation[] {
  const out: Violation[] = [];
  const syncUser = w.org.syncUser.id;
  for (const entry of w.org.requestLog) {
    if (entry.user !== syncUser || entry.seq < (opts.fromSeq ?? 0) || !entry.object) continue;
    if (entry.errorCodes.includes('INVALID_FIELD') || entry.errorCodes.includes('INVALID_FIELD_FOR_INSERT_UPDATE')) continue;
    const def = w.org.objectDef(entry.object);
    if (!def) continue;
    const check = (field: string, writing: boolean) => {
      if (!def.fields.has(field.toLowerCase())) return; // relationship paths, functions: not a field of this object
      const access = w.org.access(syncUser, def.name, field);
      if (access === 'none' || (writing && access === 'read')) {
        out.push({
          property: 'respects-permissions',
          field: `${def.name}.${field}`,
          message: `request #${entry.seq} (${entry.method} ${entry.operation}) ${writing ? 'wrote' : 'read'} ${def.name}.${field}, which the sync user has ${access} access to`,
        });
      }
    };
    for (const f of entry.fieldsRead) check(f, false);
    for (const f of entry.fieldsWritten) check(f, true);
  }
  return out;
}
