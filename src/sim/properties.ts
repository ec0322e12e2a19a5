/**
 * The conformance properties of DESIGN §5 that can be judged on a world at
 * one moment, as pure functions: each reads the emulators (and, where the
 * property is about the engine's own decisions, its trace events) and
 * returns named violations. The scenario runner's `expect: converged` and
 * the property-based suite both use them.
 *
 * They read the world the way an auditor would: the field set is what the
 * sync user's describe and Marketo's describe allow (DESIGN §4 "Field set"),
 * links are the link fields Marketo carries, permissions come from the
 * Salesforce request log. Only `errorLogged` and the standing-rejection
 * excuse look at the engine's rejection events and state, because a
 * rejection is only visible in the engine's answers.
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

/** Every person with a Salesforce link, and the record the link names (undefined when it is gone). */
export function linkedPairs(w: PropertyWorld): LinkedPair[] {
  const out: LinkedPair[] = [];
  for (const person of w.instance.listPeople()) {
    const object: SfObject | undefined =
      person.sfdcType === 'Contact' && person.sfdcContactId ? 'Contact' : person.sfdcType === 'Lead' && person.sfdcLeadId ? 'Lead' : undefined;
    if (!object) continue;
    const sfId = (object === 'Contact' ? person.sfdcContactId : person.sfdcLeadId)!;
    out.push({ person, object, sfId, record: w.org.get(object, sfId) });
  }
  return out;
}

export function failureActivities(w: PropertyWorld, personId?: number): Activity[] {
  const type = w.instance.activityLog.customTypes().find((t) => t.name === FAILURE_ACTIVITY_NAME);
  if (!type) return [];
  return w.instance.listActivities({ ...(personId !== undefined ? { leadId: personId } : {}), typeIds: [type.id] });
}

export function activityAttr(a: Activity, name: string): unknown {
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

// ------------------------------------------------------------------------------- 3. error-logged

/**
 * Every distinct Salesforce rejection of an engine write (per person: code,
 * message and fields) has exactly one failure activity with that code and
 * message on the person.
 */
export function errorLogged(w: PropertyWorld): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const e of w.engineEvents ?? []) {
    if (e.type !== 'rejection') continue;
    const key = JSON.stringify([e.personId, e.operation, e.errorCode, e.message, [...e.fields].sort()]);
    if (seen.has(key)) continue;
    seen.add(key);
    if (!w.instance.getPerson(e.personId)) continue; // deleted or merged away in Marketo: nowhere to log
    const matching = failureActivities(w, e.personId).filter(
      (a) => activityAttr(a, 'errorCode') === e.errorCode && activityAttr(a, 'message') === e.message,
    );
    if (matching.length !== 1) {
      out.push({
        property: 'error-logged',
        personId: e.personId,
        ...(e.sfId ? { sfId: e.sfId } : {}),
        message: `Salesforce rejected the ${e.operation} of person ${e.personId} with ${e.errorCode} "${e.message}": expected exactly 1 "${FAILURE_ACTIVITY_NAME}" activity for it, found ${matching.length}`,
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

// ------------------------------------------------------------------------------- 6. quiet-when-idle

/** Where the request logs stand now, to count what one idle cycle does afterwards. */
export interface LogMark {
  sf: number;
  mkto: number;
}

export function markLogs(w: PropertyWorld): LogMark {
  return { sf: w.org.requestLog.length, mkto: w.instance.requestLog.length };
}

/**
 * The writes made since `mark` that Salesforce or Marketo accepted. A write
 * refused with an error code (a standing rejection retried) changes
 * nothing, so it does not count.
 */
export function acceptedWritesSince(w: PropertyWorld, mark: LogMark): string[] {
  const out: string[] = [];
  const syncUser = w.org.syncUser.id;
  for (const e of w.org.requestLog.slice(mark.sf)) {
    if (e.user !== syncUser || e.method === 'GET' || e.path.includes('/oauth2/') || /\/Soap\//.test(e.path)) continue;
    if (/\/query\b/.test(e.path) || e.operation === 'retrieve' || e.operation === 'query' || e.operation === 'login') continue;
    if (e.status >= 400 || (e.errorCodes.length > 0 && e.errorCodes.length >= (e.records ?? 1))) continue;
    out.push(`Salesforce ${e.method} ${e.operation}${e.object ? ` ${e.object}` : ''} (${e.records ?? 1} record(s))`);
  }
  for (const e of w.instance.requestLog.slice(mark.mkto)) {
    if (e.method !== 'POST' || !e.path.startsWith('/rest/') || e.operation === 'identity' || !e.success) continue;
    if (/^get|^describe|^list/i.test(e.operation)) continue;
    if (e.errorCodes.length > 0 && e.errorCodes.length >= (e.records ?? 1)) continue;
    out.push(`Marketo ${e.operation} (${e.records ?? 1} record(s))`);
  }
  return out;
}

/** Property 6 from the writes one idle cycle made (see acceptedWritesSince). */
export function quietWhenIdle(writes: readonly string[]): Violation[] {
  return writes.map((w) => ({ property: 'quiet-when-idle' as const, message: `an idle cycle after convergence wrote: ${w}` }));
}

/** Every property that needs no extra cycle: 1, 3, 5 and 7. */
export function checkWorld(w: PropertyWorld, opts: { permissionsFromSeq?: number } = {}): Violation[] {
  return [
    ...converged(w),
    ...errorLogged(w),
    ...noDuplicate(w),
    ...respectsPermissions(w, opts.permissionsFromSeq !== undefined ? { fromSeq: opts.permissionsFromSeq } : {}),
  ];
}
