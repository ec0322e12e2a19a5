/**
 * The Marketo instance: people, schema, activity log, identity, limits and
 * the request log. The only owner of state; the HTTP handlers and the
 * simulator's people both go through it, and both get the same checks (a bad
 * value throws a MarketoError here, and is a per-record `skipped` over HTTP).
 */
import type { Clock } from '../../src/sim/clock.ts';
import { iso, VirtualClock } from '../../src/sim/clock.ts';
import { ACTIVITY, ActivityLog } from './activities.ts';
import type { NewActivity } from './activities.ts';
import { DEFAULT_READ_FIELDS, Schema } from './fields.ts';
import { Identity } from './identity.ts';
import { DEFAULT_DAILY_QUOTA, Limits } from './limits.ts';
import type {
  Activity,
  ChangeOptions,
  ChangeSource,
  CustomFieldSpec,
  FieldDef,
  FieldValue,
  Person,
  PersonInput,
  Reason,
  RequestLogEntry,
  SyncAction,
  SyncResult,
} from './types.ts';
import { MarketoError } from './types.ts';
import { checkValue, marketoDatetime, sameValue } from './values.ts';

export interface MarketoOptions {
  clock?: Clock;
  /** Calls per day before 607 (default 50,000). */
  dailyQuota?: number;
  clientId?: string;
  clientSecret?: string;
  tokenTtlSeconds?: number;
  /** Identity's `scope`: the API-only user's email. */
  scope?: string;
  /**
   * How many activity ids one page of activities.json / leadchanges.json /
   * deletedleads.json scans at most (default 300). Marketo may answer a short
   * or empty page with `moreResult: true`; this models it.
   */
  activityScanSpan?: number;
}

export const MAX_BATCH = 300;
export const MAX_FILTER_MATCHES = 1000;
export const MAX_MERGE_LOSERS = 25;
export const SYNC_ACTIONS: readonly SyncAction[] = ['createOrUpdate', 'createOnly', 'updateOnly', 'createDuplicate'];

/**
 * One person's values, by field slot: an array per person and one slot table per instance, instead of a Map per
 * person (a Map of ~15 entries costs about 3× the bytes; at 100,000 people that is the instance's largest cost).
 * Reads like the Map it replaces: canonical field name → value, absent = null.
 */
class Stored {
  private readonly values: FieldValue[] = [];
  constructor(private readonly slots: Map<string, number>) {}

  get(name: string): FieldValue | undefined {
    const i = this.slots.get(name);
    return i === undefined ? undefined : this.values[i];
  }

  set(name: string, value: FieldValue): void {
    let i = this.slots.get(name);
    if (i === undefined) this.slots.set(name, (i = this.slots.size));
    // Packed: every slot below `i` holds a value or null, never a hole.
    while (this.values.length < i) this.values.push(null);
    this.values[i] = value;
  }

  delete(name: string): void {
    const i = this.slots.get(name);
    if (i !== undefined && i < this.values.length) this.values[i] = null;
  }
}

/** The ids having one value in a look-up index: one id unboxed (the usual case: an id, a Salesforce id), else a Set. */
type Holders = number | Set<number>;

/** Reason and Source attribute values per actor, as Marketo writes them. */
const SOURCE_TEXT: Record<string, { reason: string; source: string }> = {
  api: { reason: 'Web service API', source: 'Web service API' },
  user: { reason: 'Changed by user', source: 'Marketo UI' },
  form: { reason: 'Form fill-out', source: 'Web form fillout' },
  sfdc: { reason: 'Salesforce sync', source: 'sfdc' },
  merge: { reason: 'Merge Leads', source: 'Marketo' },
  system: { reason: 'System', source: 'Marketo' },
};

function sourceText(source: ChangeSource | undefined, reason?: string): { reason: string; source: string } {
  const known = SOURCE_TEXT[source ?? 'user'];
  const base = known ?? { reason: String(source), source: String(source) };
  return reason ? { ...base, reason } : base;
}

function personName(p: Stored): string {
  const name = [p.get('firstName'), p.get('lastName')].filter((v) => v !== null && v !== undefined).join(' ');
  return name || String(p.get('email') ?? '');
}

export class MarketoInstance {
  readonly clock: Clock;
  readonly schema = new Schema();
  readonly activityLog: ActivityLog;
  readonly identity: Identity;
  readonly limits: Limits;
  readonly activityScanSpan: number;

  private readonly people = new Map<number, Stored>();
  /** Field name → slot in every Stored of this instance. */
  private readonly slots = new Map<string, number>();
  /**
   * field name → value → ids, for the fields look-ups have asked for (built on first use, then kept in step by
   * every write): a lookupField or filterType costs O(1) per value instead of a scan of every person.
   */
  private readonly lookups = new Map<string, Map<FieldValue, Holders>>();
  private nextPersonId = 1;
  private readonly log: RequestLogEntry[] = [];
  private nextSeq = 1;
  private gate: { promise: Promise<void>; release: () => void } | undefined;

  constructor(opts: MarketoOptions = {}) {
    this.clock = opts.clock ?? new VirtualClock();
    this.activityLog = new ActivityLog(() => this.clock.now());
    this.identity = new Identity(
      this.clock,
      opts.clientId ?? 'syncsim',
      opts.clientSecret ?? 'syncsim-secret',
      opts.tokenTtlSeconds ?? 3600,
      opts.scope ?? 'syncsim-api@example.com',
    );
    this.limits = new Limits(this.clock, opts.dailyQuota ?? DEFAULT_DAILY_QUOTA);
    this.activityScanSpan = opts.activityScanSpan ?? 300;
    if (!Number.isInteger(this.activityScanSpan) || this.activityScanSpan < 1) {
      throw new RangeError(`activityScanSpan must be a positive integer, got ${opts.activityScanSpan}`);
    }
  }

  private lastStamp: { at: number; text: string; day: string } | undefined;

  /** Now as Marketo prints it; one string shared by every person written at one moment (a batch writes hundreds). */
  private stamp(): string {
    const at = this.clock.now();
    if (this.lastStamp?.at !== at) {
      const text = marketoDatetime(at);
      this.lastStamp = { at, text, day: text.slice(0, 10) };
    }
    return this.lastStamp.text;
  }

  // ---- schema ------------------------------------------------------------

  /** Admin: adds a custom person field. */
  addField(spec: CustomFieldSpec): FieldDef {
    return { ...this.schema.add(spec) };
  }

  fields(): FieldDef[] {
    return this.schema.all().map((f) => ({ ...f }));
  }

  // ---- reading people ----------------------------------------------------

  private toPerson(p: Stored): Person {
    const out: Record<string, FieldValue> = {};
    for (const def of this.schema.all()) out[def.name] = p.get(def.name) ?? null;
    return out as Person;
  }

  getPerson(id: number): Person | undefined {
    const p = this.people.get(id);
    return p ? this.toPerson(p) : undefined;
  }

  /** Everyone with this email (case-insensitive); Marketo allows duplicates. */
  findByEmail(email: string): Person[] {
    const want = email.toLowerCase();
    return [...this.people.values()]
      .filter((p) => typeof p.get('email') === 'string' && (p.get('email') as string).toLowerCase() === want)
      .map((p) => this.toPerson(p));
  }

  listPeople(): Person[] {
    return [...this.people.values()].map((p) => this.toPerson(p));
  }

  get peopleCount(): number {
    return this.people.size;
  }

  /** A person projected on some fields, as the REST API returns it (missing values are null). */
  project(id: number, fields: FieldDef[]): Record<string, FieldValue> | undefined {
    const p = this.people.get(id);
    if (!p) return undefined;
    const out: Record<string, FieldValue> = {};
    for (const def of fields) out[def.name] = p.get(def.name) ?? null;
    return out;
  }

  defaultReadFields(): FieldDef[] {
    return DEFAULT_READ_FIELDS.map((n) => this.schema.get(n)!);
  }

  /**
   * Resolves a field list (`fields=` or `filterType`). Unknown names give 1003
   * "Invalid fields [..]", as the real API answers (reference B3).
   */
  resolveFields(names: string[]): FieldDef[] {
    const unknown = names.filter((n) => !this.schema.get(n));
    if (unknown.length > 0) throw new MarketoError('1003', `Invalid fields [${unknown.join(', ')}]`);
    const seen = new Set<string>();
    const out: FieldDef[] = [];
    for (const n of names) {
      const def = this.schema.get(n)!;
      if (!seen.has(def.name)) {
        seen.add(def.name);
        out.push(def);
      }
    }
    return out;
  }

  // ---- checks --------------------------------------------------------------

  /**
   * Checks a write: unknown field 1006, read-only field 1003, bad value
   * 1001/1003. `id` is never a writable field; callers handle it as a key.
   */
  private prepare(input: PersonInput): { ok: true; changes: Map<FieldDef, FieldValue> } | { ok: false; reason: Reason } {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return { ok: false, reason: { code: '1003', message: 'Invalid data: a record must be a JSON object' } };
    }
    const changes = new Map<FieldDef, FieldValue>();
    for (const [key, raw] of Object.entries(input)) {
      const def = this.schema.get(key);
      if (!def) return { ok: false, reason: { code: '1006', message: `Field '${key}' not found` } };
      if (def.name === 'id') continue;
      // [UNCONFIRMED] Marketo's answer to a read-only field in a write; 1003 is our choice.
      if (def.readOnly) return { ok: false, reason: { code: '1003', message: `Field '${def.name}' is read only` } };
      const checked = checkValue(def, raw);
      if (!checked.ok) return { ok: false, reason: checked.reason };
      changes.set(def, checked.value);
    }
    return { ok: true, changes };
  }

  private prepareOrThrow(input: PersonInput, where: string): Map<FieldDef, FieldValue> {
    if (input !== null && typeof input === 'object' && 'id' in input) {
      throw new MarketoError('1003', `${where}: 'id' is assigned by Marketo and cannot be written`);
    }
    const r = this.prepare(input);
    if (!r.ok) throw new MarketoError(r.reason.code, `${where}: ${r.reason.message}`);
    return r.changes;
  }

  // ---- writing people ------------------------------------------------------

  private create(changes: Map<FieldDef, FieldValue>, opts: ChangeOptions): number {
    const id = this.nextPersonId++;
    const now = this.stamp();
    const p = new Stored(this.slots);
    p.set('id', id);
    p.set('createdAt', now);
    p.set('updatedAt', now);
    for (const [def, v] of changes) if (v !== null) p.set(def.name, v);
    this.people.set(id, p);
    for (const name of this.lookups.keys()) this.reindex(id, name, null, p.get(name) ?? null);
    const text = sourceText(opts.source, opts.reason);
    this.activityLog.append({
      leadId: id,
      activityTypeId: ACTIVITY.newLead,
      primaryAttributeValueId: id,
      primaryAttributeValue: personName(p),
      attributes: [
        { name: 'Source Type', value: text.source },
        { name: 'Created Date', value: this.lastStamp!.day },
      ],
    });
    return id;
  }

  /** Applies changes; one Change Data Value (13) per field whose value really changed. */
  private update(id: number, changes: Map<FieldDef, FieldValue>, opts: ChangeOptions): void {
    const p = this.people.get(id)!;
    const text = sourceText(opts.source, opts.reason);
    let changed = false;
    for (const [def, v] of changes) {
      const old = p.get(def.name) ?? null;
      if (sameValue(old, v)) continue;
      changed = true;
      if (v === null) p.delete(def.name);
      else p.set(def.name, v);
      if (this.lookups.has(def.name)) this.reindex(id, def.name, old, v);
      this.activityLog.append({
        leadId: id,
        activityTypeId: ACTIVITY.changeDataValue,
        primaryAttributeValueId: def.id,
        primaryAttributeValue: def.displayName,
        attributes: [
          { name: 'New Value', value: v },
          { name: 'Old Value', value: old },
          { name: 'Reason', value: text.reason },
          { name: 'Source', value: text.source },
        ],
        change: { fieldId: def.id, name: def.name, oldValue: old, newValue: v },
      });
    }
    if (changed) {
      const before = p.get('updatedAt') ?? null;
      p.set('updatedAt', this.stamp());
      if (this.lookups.has('updatedAt')) this.reindex(id, 'updatedAt', before, p.get('updatedAt') ?? null);
    }
  }

  /** A person created by someone (default: a Marketo user). Throws MarketoError on a bad value. */
  createPerson(fields: PersonInput, opts: ChangeOptions = {}): Person {
    const changes = this.prepareOrThrow(fields, 'createPerson');
    return this.toPerson(this.people.get(this.create(changes, opts))!);
  }

  updatePerson(id: number, fields: PersonInput, opts: ChangeOptions = {}): Person {
    if (!this.people.has(id)) throw new MarketoError('1004', `updatePerson: Lead ${id} not found`);
    const changes = this.prepareOrThrow(fields, `updatePerson(${id})`);
    this.update(id, changes, opts);
    return this.toPerson(this.people.get(id)!);
  }

  deletePerson(id: number): void {
    const p = this.people.get(id);
    if (!p) throw new MarketoError('1004', `deletePerson: Lead ${id} not found`);
    this.people.delete(id);
    this.unindex(id, p);
    this.activityLog.append({
      leadId: id,
      activityTypeId: ACTIVITY.deleteLead,
      primaryAttributeValueId: id,
      primaryAttributeValue: personName(p),
      attributes: [],
    });
  }

  /**
   * Merges losers into the winner (reference A13): the winner keeps its id and
   * its values; a non-empty loser value fills an empty winner field (first
   * loser first); the losers' activities move to the winner; the losers are
   * gone. Filled fields log Change Data Value with Reason "Merge Leads", and
   * the winner gets one Merge Leads (32) activity.
   * [UNCONFIRMED] whether Marketo logs Change Data Value for merge-filled
   * fields and whether losers appear in deletedleads.json: we log the former,
   * not the latter (a client learns the losers from "Merge IDs").
   */
  mergePeople(winnerId: number, loserIds: number[]): Person {
    const winner = this.people.get(winnerId);
    if (!winner) throw new MarketoError('1004', `Lead [${winnerId}] not found`);
    if (loserIds.length === 0) throw new MarketoError('701', 'leadIds cannot be blank');
    if (loserIds.length > MAX_MERGE_LOSERS) {
      throw new MarketoError('1080', `Cannot merge more than ${MAX_MERGE_LOSERS} leads at a time`);
    }
    const losers = [...new Set(loserIds)];
    if (losers.includes(winnerId)) throw new MarketoError('1003', `Lead ${winnerId} cannot be merged into itself`);
    const missing = losers.filter((id) => !this.people.has(id));
    if (missing.length > 0) throw new MarketoError('1004', `Lead [${missing.join(', ')}] not found`);

    const fill = new Map<FieldDef, FieldValue>();
    for (const loserId of losers) {
      const loser = this.people.get(loserId)!;
      for (const def of this.schema.all()) {
        if (def.readOnly || fill.has(def)) continue;
        const v = loser.get(def.name) ?? null;
        if (v !== null && (winner.get(def.name) ?? null) === null) fill.set(def, v);
      }
    }
    for (const loserId of losers) {
      this.activityLog.reassign(loserId, winnerId);
      this.unindex(loserId, this.people.get(loserId)!);
      this.people.delete(loserId);
    }
    this.update(winnerId, fill, { source: 'merge' });
    this.activityLog.append({
      leadId: winnerId,
      activityTypeId: ACTIVITY.mergeLeads,
      primaryAttributeValueId: winnerId,
      primaryAttributeValue: personName(winner),
      attributes: [
        { name: 'Merge IDs', value: losers.join(',') },
        { name: 'Merged in Sales', value: false },
        { name: 'Master Updated', value: fill.size > 0 },
      ],
    });
    return this.toPerson(winner);
  }

  /** Writes any standard or custom activity on a person (e.g. the SFDC types 19, 21, 28, 29, 31). */
  logActivity(a: NewActivity): Activity {
    if (!this.people.has(a.leadId)) throw new MarketoError('1004', `logActivity: Lead ${a.leadId} not found`);
    if (!this.activityLog.isKnownType(a.activityTypeId)) {
      throw new MarketoError('1003', `logActivity: unknown activity type ${a.activityTypeId}`);
    }
    return { ...this.activityLog.append(a) };
  }

  /** The activity log, optionally for one person and some types (copies). */
  listActivities(filter: { leadId?: number; typeIds?: number[] } = {}): Activity[] {
    return this.activityLog
      .all()
      .filter((a) => (filter.leadId === undefined || a.leadId === filter.leadId) && (!filter.typeIds || filter.typeIds.includes(a.activityTypeId)))
      .map((a) => ({ ...a, attributes: a.attributes.map((x) => ({ ...x })) }));
  }

  // ---- API operations --------------------------------------------------------

  /** The searchable field for a lookupField / filterType, or a response-level 1006/1011. */
  searchableField(name: string): FieldDef {
    const def = this.schema.get(name);
    if (!def || !def.searchable) throw new MarketoError('1011', `Field '${name}' not supported`);
    return def;
  }

  /** People whose `def` equals one of the raw values, in id order. */
  findBy(def: FieldDef, rawValues: unknown[]): number[] {
    const wanted = new Set<FieldValue>();
    for (const raw of rawValues) {
      if (def.name === 'email' && typeof raw === 'string') {
        wanted.add(raw.trim().toLowerCase());
        continue;
      }
      const c = checkValue(def.name === 'id' ? { ...def, readOnly: false } : def, raw);
      if (c.ok && c.value !== null) wanted.add(c.value);
    }
    const out: number[] = [];
    if (def.name === 'id') {
      for (const v of wanted) if (typeof v === 'number' && this.people.has(v)) out.push(v);
    } else {
      const index = this.lookupIndex(def.name);
      for (const v of wanted) {
        const ids = index.get(v);
        if (typeof ids === 'number') out.push(ids);
        else if (ids) out.push(...ids);
      }
    }
    return [...new Set(out)].sort((a, b) => a - b);
  }

  /** The value index of `name`, built from every person on first use. */
  private lookupIndex(name: string): Map<FieldValue, Holders> {
    let index = this.lookups.get(name);
    if (!index) {
      index = new Map();
      this.lookups.set(name, index);
      for (const [id, p] of this.people) this.reindex(id, name, null, p.get(name) ?? null);
    }
    return index;
  }

  /** Moves `id` from `before` to `after` in the index of `name` (emails match case-insensitively). */
  private reindex(id: number, name: string, before: FieldValue, after: FieldValue): void {
    const index = this.lookups.get(name)!;
    const key = (v: FieldValue): FieldValue => (name === 'email' && typeof v === 'string' ? v.toLowerCase() : v);
    if (before !== null) {
      const k = key(before);
      const ids = index.get(k);
      if (ids === id) index.delete(k);
      else if (typeof ids === 'object') {
        ids.delete(id);
        if (ids.size === 1) index.set(k, ids.values().next().value!);
      }
    }
    if (after !== null) {
      const k = key(after);
      const ids = index.get(k);
      if (ids === undefined) index.set(k, id);
      else if (typeof ids === 'number') {
        if (ids !== id) index.set(k, new Set([ids, id]));
      } else ids.add(id);
    }
  }

  private unindex(id: number, p: Stored): void {
    for (const name of this.lookups.keys()) this.reindex(id, name, p.get(name) ?? null, null);
  }

  /** GET leads.json by filter: the matching ids, or a response-level error. */
  filterLeads(filterType: string | null, filterValues: string | null): number[] {
    if (!filterType) throw new MarketoError('701', 'filterType cannot be blank');
    if (filterValues === null || filterValues.trim() === '') throw new MarketoError('701', 'filterValues cannot be blank');
    const def = this.searchableField(filterType);
    const values = filterValues.split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (values.length > MAX_BATCH) throw new MarketoError('1003', `Too many filterValues: ${values.length}, at most ${MAX_BATCH}`);
    const ids = this.findBy(def, values);
    if (ids.length > MAX_FILTER_MATCHES) throw new MarketoError('1003', 'Too many results match the filter');
    return ids;
  }

  /**
   * Sync Leads (POST leads.json). Request-level problems throw MarketoError;
   * record-level ones are `skipped` results in input order.
   */
  syncLeads(body: { action?: unknown; lookupField?: unknown; input?: unknown }, opts: ChangeOptions = { source: 'api' }): SyncResult[] {
    const action = (body.action ?? 'createOrUpdate') as SyncAction;
    if (typeof action !== 'string' || !SYNC_ACTIONS.includes(action)) {
      throw new MarketoError('1003', `Invalid action '${String(body.action)}': one of ${SYNC_ACTIONS.join(', ')}`);
    }
    if (body.lookupField !== undefined && typeof body.lookupField !== 'string') {
      throw new MarketoError('1003', 'lookupField must be a string');
    }
    const lookup = this.searchableField(body.lookupField ?? 'email');
    if (lookup.name === 'id' && action !== 'updateOnly') {
      throw new MarketoError('1003', `lookupField 'id' can only be used with action 'updateOnly'`);
    }
    if (!Array.isArray(body.input) || body.input.length === 0) throw new MarketoError('701', 'input cannot be blank');
    if (body.input.length > MAX_BATCH) {
      throw new MarketoError('1003', `Too many records in input: ${body.input.length}, at most ${MAX_BATCH}`);
    }
    return body.input.map((record) => this.syncOne(action, lookup, record as PersonInput, opts));
  }

  private syncOne(action: SyncAction, lookup: FieldDef, record: PersonInput, opts: ChangeOptions): SyncResult {
    const skip = (code: string, message: string, id?: number): SyncResult => ({
      ...(id !== undefined ? { id } : {}),
      status: 'skipped',
      reasons: [{ code, message }],
    });
    const prepared = this.prepare(record);
    if (!prepared.ok) return skip(prepared.reason.code, prepared.reason.message);
    const idKey = Object.keys(record).find((k) => k.toLowerCase() === 'id');
    if (idKey !== undefined && lookup.name !== 'id') {
      // `id` may only be used with updateOnly (reference B4: createOnly gives 1003).
      return skip('1003', `Field 'id' can only be used with action 'updateOnly' and lookupField 'id'`);
    }
    const { changes } = prepared;
    if (action === 'createDuplicate') return { id: this.create(changes, opts), status: 'created' };

    const keyRaw = lookup.name === 'id' ? record[idKey ?? 'id'] : changes.get(lookup);
    const hasKey = keyRaw !== undefined && keyRaw !== null && keyRaw !== '';
    const matches = hasKey ? this.findBy(lookup, [keyRaw]) : [];
    if (action === 'updateOnly') {
      // [UNCONFIRMED] the code for an updateOnly record without its lookup value; 1003 is our choice.
      if (!hasKey) return skip('1003', `Lookup field '${lookup.name}' is missing or empty`);
      if (matches.length === 0) return skip('1004', 'Lead not found');
    }
    if (matches.length > 1) return skip('1007', 'Multiple lead match lookup criteria');
    if (action === 'createOnly' && matches.length === 1) return skip('1005', 'Lead already exists');
    if (matches.length === 1) {
      this.update(matches[0]!, changes, opts);
      return { id: matches[0]!, status: 'updated' };
    }
    return { id: this.create(changes, opts), status: 'created' };
  }

  /** Delete Leads: per id `deleted`, or `skipped` 1004 when there is no such lead. */
  deleteLeads(input: unknown): Array<{ id: number; status: 'deleted' } | { id?: number; status: 'skipped'; reasons: Reason[] }> {
    if (!Array.isArray(input) || input.length === 0) throw new MarketoError('701', 'input cannot be blank');
    if (input.length > MAX_BATCH) throw new MarketoError('1003', `Too many records in input: ${input.length}, at most ${MAX_BATCH}`);
    return input.map((r) => {
      const raw = r !== null && typeof r === 'object' ? (r as Record<string, unknown>).id : undefined;
      const id = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
      if (id === undefined || !Number.isInteger(id)) {
        return { status: 'skipped' as const, reasons: [{ code: '1003', message: "Invalid data: each input needs a numeric 'id'" }] };
      }
      if (!this.people.has(id)) return { id, status: 'skipped' as const, reasons: [{ code: '1004', message: 'Lead not found' }] };
      this.deletePerson(id);
      return { id, status: 'deleted' as const };
    });
  }

  /**
   * One page of the activity log from activity id `fromId`: scans at most
   * `activityScanSpan` ids, keeps up to `batchSize` that `match`, and says
   * where the next page starts. A page can be short, even empty, while
   * `moreResult` is true (reference B6).
   */
  pageActivities(fromId: number, batchSize: number, match: (a: Activity) => boolean): { items: Activity[]; nextId: number; moreResult: boolean } {
    const end = this.activityLog.nextId;
    const stop = Math.min(end, Math.max(fromId, 1) + this.activityScanSpan);
    const items: Activity[] = [];
    let id = Math.max(fromId, 1);
    for (; id < stop && items.length < batchSize; id++) {
      const a = this.activityLog.byId(id)!;
      if (match(a)) items.push(a);
    }
    return { items, nextId: id, moreResult: id < end };
  }

  // ---- holding requests and the request log -----------------------------------

  /**
   * Holds every admitted API request open (after the limits have counted it
   * in flight) until the returned function is called: how tests put exactly
   * N calls in flight without wall time.
   */
  holdRequests(): () => void {
    if (!this.gate) {
      let release!: () => void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      this.gate = { promise, release };
    }
    const gate = this.gate;
    return () => {
      if (this.gate === gate) this.gate = undefined;
      gate.release();
    };
  }

  /** Resolves when requests are not held. */
  async passGate(): Promise<void> {
    while (this.gate) await this.gate.promise;
  }

  get requestLog(): readonly RequestLogEntry[] {
    return this.log;
  }

  nextRequestSeq(): number {
    return this.nextSeq++;
  }

  logRequest(entry: Omit<RequestLogEntry, 'at'>): RequestLogEntry {
    const full: RequestLogEntry = { ...entry, at: iso(this.clock.now()) };
    this.log.push(full);
    return full;
  }

  clearRequestLog(): void {
    this.log.length = 0;
  }
}
