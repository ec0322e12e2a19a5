/**
 * The conformance properties of DESIGN §5 as functions over the final state
 * of both emulators, the run's history (history.ts) and the request logs.
 * Each returns named violations carrying the smallest set of events that
 * shows the problem (which edit was lost, which record doubled), in the
 * spirit of Elle's minimal witnesses.
 *
 * The oracle is black-box: it never reads the engine's state store. The
 * engine's own trace events are used only where the outside world cannot
 * tell (which cycle a rejection happened in), and always cross-checked with
 * what the emulators saw.
 *
 * Windows. An edit is "seen" by the first clean cycle that starts after it:
 * clean = the cycle finished ok, no fault fired and no crash happened during
 * it, and the engine neither skipped nor rejected that person in it. Two
 * edits of one field on both sides conflict when the same clean cycle is the
 * first to see both. Edits made while a cycle ran (the interleaving suite) or
 * around a flow action of the person are ambiguous: they may have been seen
 * by that cycle or the next, so they count as conflicts for no-lost-update
 * (either outcome is fine) and are left out of conflict-winner.
 */
import { ACTIVITY, type Person } from '../../mocks/marketo/index.ts';
import { STANDARD_FIELD_PAIRS } from '../engine/field-map.ts';
import { activityAttr, FAILURE_ACTIVITY_NAME, failureActivities, linkOf } from './properties.ts';
import type { World } from './world.ts';
import { historyOf, type CycleWindow, type Edit, type History } from './history.ts';
import type { TraceEvent } from './trace.ts';
import { iso } from './clock.ts';

export const PROPERTIES = [
  'converged',
  'conflict-winner',
  'error-logged',
  'no-lost-update',
  'no-duplicate',
  'quiet-when-idle',
  'respects-permissions',
  'deterministic',
  'liveness',
] as const;
export type PropertyName = (typeof PROPERTIES)[number];

export interface Evidence {
  /** Trace sequence number, when the event is in the trace. */
  seq?: number;
  at: number;
  text: string;
}

export interface Violation {
  property: PropertyName;
  /** A finer name for a known kind of violation (see KNOWN_ENGINE_BUGS). */
  tag?: string;
  message: string;
  /** The smallest set of events that shows the problem. */
  events: Evidence[];
}

export interface WinnerConfig {
  Lead: 'marketo' | 'salesforce';
  Contact: 'marketo' | 'salesforce';
  /** `Lead.Title` → side. */
  fields?: Record<string, 'marketo' | 'salesforce'>;
}

export const DEFAULT_WINNERS: WinnerConfig = { Lead: 'marketo', Contact: 'salesforce' };

/** Salesforce error codes that are transient, never a rejection to log. */
const TRANSIENT_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'REQUEST_LIMIT_EXCEEDED',
  'SERVER_UNAVAILABLE',
  'INVALID_SESSION_ID',
  'ENGINE_CRASHED',
  'ENTITY_IS_DELETED',
  'CANNOT_UPDATE_CONVERTED_LEAD',
]);


/**
 * Violations the reference engine is known to produce (found by this suite,
 * reported, not fixed yet), by tag. The npm-test property suites tolerate
 * exactly these tags so they stay green; test/property/known-bugs.test.ts
 * replays each one's counterexample (test/property/counterexamples/TAG.yaml)
 * as a known failure. Remove a tag, and the code that sets it, once fixed,
 * and move its counterexample to test/property/regressions/, where it must
 * replay clean.
 *
 * Empty: every bug found so far is fixed (merge-loser-orphaned,
 * lock-on-create-logged-as-rejection, crash-echo-beats-later-edit,
 * activity-type-create-not-idempotent, activity-logged-again-after-crash;
 * their counterexamples are regressions now).
 */
export const KNOWN_ENGINE_BUGS: Record<string, string> = {};

// ---------------------------------------------------------------------------------------------- the pairs

type Canon = string | number | boolean | null;

/** A value as both systems mean it: blank is null, numeric text compares as a number. */
export function canonValue(v: unknown): Canon {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') {
    if (v.trim() === '') return null;
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

export function sameCanon(a: unknown, b: unknown): boolean {
  const x = canonValue(a);
  const y = canonValue(b);
  if (x === y) return true;
  // A Salesforce checkbox is never null; Marketo's blank boolean means false.
  if ((x === false && y === null) || (x === null && y === false)) return true;
  if (x === null || y === null) return false;
  if ((typeof x === 'number' || typeof y === 'number') && Number(x) === Number(y)) return true;
  if (typeof x === 'boolean' || typeof y === 'boolean') return String(x) === String(y);
  return false;
}

interface FieldPair {
  sf: string;
  mkto: string;
}

/**
 * Look-ups that cannot change while checkState judges one world (it is synchronous, and its dry runs roll back):
 * the people and their pairs, the field pairs of each object, the sync user's access to each field, the analysis of
 * the history. Made once per check instead of once per property, pair, edit and field; a property called on its own
 * computes them afresh.
 */
interface CheckMemo {
  w: World;
  h: History;
  people?: Person[];
  pairs?: Pair[];
  marketoFieldNames?: string[];
  fieldPairs: Map<string, FieldPair[]>;
  /** object → field → access. */
  access: Map<string, Map<string, 'edit' | 'read' | 'none'>>;
  analysis?: Analysis;
}
let memo: CheckMemo | undefined;

function memoFor(w: World): CheckMemo | undefined {
  return memo !== undefined && memo.w === w ? memo : undefined;
}

/** Every person, as the instance lists them. */
function peopleOf(w: World): Person[] {
  const m = memoFor(w);
  if (!m) return w.instance.listPeople();
  return (m.people ??= w.instance.listPeople());
}

function marketoFieldNames(w: World): string[] {
  const m = memoFor(w);
  if (m?.marketoFieldNames) return m.marketoFieldNames;
  const names = w.instance.fields().map((f) => f.name);
  if (m) m.marketoFieldNames = names;
  return names;
}

/** The configured mapping (DESIGN §4): the engine's allowlist of standard pairs, plus custom fields on both sides. */
function fieldPairs(w: World, object: string): FieldPair[] {
  const m = memoFor(w);
  if (!m) return mappedPairs(w, object);
  let pairs = m.fieldPairs.get(object);
  if (!pairs) m.fieldPairs.set(object, (pairs = mappedPairs(w, object)));
  return pairs;
}

function mappedPairs(w: World, object: string): FieldPair[] {
  const def = w.org.objectDef(object);
  if (!def) return [];
  const mkNames = new Map(marketoFieldNames(w).map((name) => [name.toLowerCase(), name]));
  const out: FieldPair[] = [];
  for (const [sf, mk] of STANDARD_FIELD_PAIRS) {
    const f = def.fields.get(sf.toLowerCase());
    const m = mkNames.get(mk.toLowerCase());
    if (f && m) out.push({ sf: f.name, mkto: m });
  }
  for (const f of def.fields.values()) {
    if (!/__c$/i.test(f.name)) continue;
    const m = mkNames.get(f.name.toLowerCase());
    if (m) out.push({ sf: f.name, mkto: m });
  }
  return out;
}

interface Pair {
  person: Person;
  object: 'Lead' | 'Contact';
  sfId: string;
  record: Record<string, unknown> | undefined;
}

function pairsOf(w: World): Pair[] {
  const m = memoFor(w);
  if (m) return (m.pairs ??= linkedPairsOf(w, peopleOf(w)));
  return linkedPairsOf(w, w.instance.listPeople());
}

function linkedPairsOf(w: World, people: readonly Person[]): Pair[] {
  const out: Pair[] = [];
  for (const person of people) {
    const link = linkOf(person);
    if (!link) continue;
    out.push({ person, object: link.object, sfId: link.id, record: w.org.get(link.object, link.id, { includeDeleted: true }) as Record<string, unknown> | undefined });
  }
  return out;
}

function liveRecord(pair: Pair): boolean {
  const r = pair.record;
  return !!r && r.IsDeleted !== true && !(pair.object === 'Lead' && r.IsConverted === true) && pair.person.sfdcIsDeleted !== true;
}

/**
 * Would Salesforce refuse the sync user writing these values now? A dry run
 * inside a savepoint, rolled back: how the oracle tells a standing rejection
 * from a value the engine simply failed to send.
 */
export function dryRunRejection(w: World, object: string, id: string, values: Record<string, unknown>): { code: string; message: string } | undefined {
  const sp = w.org.savepoint();
  try {
    const r = w.org.update(object, id, values, w.org.syncUser.id);
    if (r.success) return undefined;
    const e = r.errors[0];
    return { code: e?.statusCode ?? 'UNKNOWN_EXCEPTION', message: e?.message ?? '' };
  } finally {
    sp.rollback();
  }
}

/** A standing rejection of the pair: Salesforce refuses the sync user writing every field where Marketo differs. */
function pairBlocked(w: World, pair: Pair): { code: string; message: string } | undefined {
  const r = pair.record;
  if (!r) return undefined;
  const values: Record<string, unknown> = {};
  for (const f of fieldPairs(w, pair.object)) {
    if (accessNow(w, pair.object, f.sf) !== 'edit') continue;
    if (!sameCanon(r[f.sf], pair.person[f.mkto])) values[f.sf] = canonValue(pair.person[f.mkto]);
  }
  return Object.keys(values).length ? dryRunRejection(w, pair.object, pair.sfId, values) : undefined;
}

function accessNow(w: World, object: string, field: string): 'edit' | 'read' | 'none' {
  const m = memoFor(w);
  if (!m) return w.org.access(w.org.syncUser.id, object, field);
  let ofObject = m.access.get(object);
  if (!ofObject) m.access.set(object, (ofObject = new Map()));
  let access = ofObject.get(field);
  if (access === undefined) ofObject.set(field, (access = w.org.access(w.org.syncUser.id, object, field)));
  return access;
}

function editEvidence(e: Edit): Evidence {
  const fields = Object.keys(e.fields).length ? ` ${JSON.stringify(e.fields)}` : '';
  return { seq: e.seq, at: e.at, text: `${e.system} user ${e.action} ${e.object} ${e.record}${e.related ? ` (${e.related.join(', ')})` : ''}${fields}` };
}

function stateEvidence(w: World, text: string): Evidence {
  return { at: w.clock.now(), text: `final state: ${text}` };
}

// ---------------------------------------------------------------------------------------------- converged

export function converged(w: World, h: History = historyOf(w.trace)): Violation[] {
  const out: Violation[] = [];
  const pairs = pairsOf(w);
  // One small function a pair (its rare outcomes in functions of their own): the oracle runs once a run, so code
  // that stays small is also code V8 compiles quickly when it does optimize it.
  for (let i = 0; i < pairs.length; i++) {
    const v = pairNotConverged(w, h, pairs[i]!);
    if (v) out.push(v);
  }
  unpairedRecords(w, h, pairs, out);
  return out;
}

type FieldDiff = { f: FieldPair; sf: unknown; mk: unknown };

/** What keeps one linked pair from being converged, if anything. */
function pairNotConverged(w: World, h: History, pair: Pair): Violation | undefined {
  const r = pair.record;
  if (!r) {
    return { property: 'converged', message: `person ${pair.person.id} is linked to ${pair.object} ${pair.sfId}, which does not exist`, events: [stateEvidence(w, `person ${pair.person.id} → ${pair.sfId}`)] };
  }
  if (pair.object === 'Lead' && r.IsConverted === true) {
    return {
      property: 'converged',
      message: `person ${pair.person.id} still points at lead ${pair.sfId}, converted into contact ${String(r.ConvertedContactId)}`,
      events: [...h.edits.filter((e) => e.action === 'convert' && e.record === pair.sfId).map(editEvidence), stateEvidence(w, `person ${pair.person.id} sfdcType=Lead`)],
    };
  }
  if (r.IsDeleted === true) {
    if (pair.person.sfdcIsDeleted === true) return undefined;
    const merged = typeof r.MasterRecordId === 'string' ? ` (merged into ${r.MasterRecordId})` : '';
    // A merge loser's person follows the survivor; a plain delete sets sfdcIsDeleted.
    return {
      property: 'converged',
      message: `person ${pair.person.id} still points at deleted ${pair.object} ${pair.sfId}${merged} without sfdcIsDeleted`,
      events: [...h.edits.filter((e) => (e.action === 'delete' && e.record === pair.sfId) || (e.action === 'merge' && e.related?.includes(pair.sfId))).map(editEvidence)],
    };
  }
  if (pair.person.sfdcIsDeleted === true) {
    return { property: 'converged', message: `person ${pair.person.id} has sfdcIsDeleted but ${pair.object} ${pair.sfId} is live`, events: [stateEvidence(w, `person ${pair.person.id}`)] };
  }
  const diffs = fieldDiffs(w, pair, r);
  return diffs.length === 0 ? undefined : disagreement(w, h, pair, diffs);
}

/** The mapped fields the sync user can see on which the two sides differ. */
function fieldDiffs(w: World, pair: Pair, r: Record<string, unknown>): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  const fields = fieldPairs(w, pair.object);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (accessNow(w, pair.object, f.sf) === 'none') continue;
    if (!sameCanon(r[f.sf], pair.person[f.mkto])) diffs.push({ f, sf: r[f.sf], mk: pair.person[f.mkto] });
  }
  return diffs;
}

/** A pair whose sides differ: excused when a standing rejection blocks it and the person's log says so. */
function disagreement(w: World, h: History, pair: Pair, diffs: FieldDiff[]): Violation | undefined {
  // Blocked by a standing rejection? Try writing Marketo's values as the sync user, as the engine would.
  const writable = diffs.filter((d) => accessNow(w, pair.object, d.f.sf) === 'edit');
  const rejection = writable.length ? dryRunRejection(w, pair.object, pair.sfId, Object.fromEntries(writable.map((d) => [d.f.sf, canonValue(d.mk)]))) : undefined;
  const text = diffs.map((d) => `${d.f.sf}: Salesforce ${JSON.stringify(d.sf ?? null)} ≠ Marketo ${JSON.stringify(d.mk ?? null)}`).join('; ');
  const lastEdits = h.edits.filter((e) => touches(e, pair, diffs.map((d) => d.f))).slice(-4).map(editEvidence);
  if (rejection && writable.length === diffs.length) {
    const logged = failureActivities(w, pair.person.id).some((a) => a.primaryAttributeValue === rejection.code);
    if (logged) return undefined;
    return {
      property: 'converged',
      message: `${pair.object} ${pair.sfId} / person ${pair.person.id} is blocked by ${rejection.code} (${rejection.message}) but the person has no failure activity for it`,
      events: [...lastEdits, stateEvidence(w, text)],
    };
  }
  return { property: 'converged', message: `${pair.object} ${pair.sfId} and person ${pair.person.id} disagree: ${text}`, events: [...lastEdits, stateEvidence(w, text)] };
}

/** Every live Salesforce lead and contact has its person (records created in Salesforce come in by the cycle). */
function unpairedRecords(w: World, h: History, pairs: readonly Pair[], out: Violation[]): void {
  const linked = new Set(pairs.map((p) => p.sfId));
  const deletedPeople = new Set(h.edits.filter((e) => e.system === 'marketo' && e.action === 'delete').map((e) => Number(e.record)));
  const everLinkedToDeleted = new Set<string>();
  if (deletedPeople.size > 0) {
    for (const e of w.trace.events) {
      if (e.lane === 'engine' && (e.kind === 'link' || e.kind === 'unlink') && deletedPeople.has(Number(e.data?.personId))) everLinkedToDeleted.add(String(e.data?.sfId));
    }
  }
  for (const object of ['Lead', 'Contact'] as const) {
    for (const r of w.org.queryContext(w.org.adminUser.id).scan(object, { includeDeleted: false })) {
      const id = String(r.Id);
      if (linked.has(id) || (object === 'Lead' && r.IsConverted === true)) continue;
      // A person deleted in Marketo comes back only when its record changes again (Marketo's documented behaviour).
      if (everLinkedToDeleted.has(id)) continue;
      out.push({ property: 'converged', message: `${object} ${id} has no person in Marketo`, events: h.edits.filter((e) => e.record === id).slice(0, 3).map(editEvidence) });
    }
  }
}

function touches(e: Edit, pair: Pair, fields: FieldPair[]): boolean {
  const ids = new Set([pair.sfId, pair.person.sfdcLeadId, pair.person.sfdcContactId].filter(Boolean) as string[]);
  const onPair = e.system === 'salesforce' ? ids.has(e.record) : Number(e.record) === pair.person.id;
  if (!onPair) return false;
  return fields.some((f) => Object.keys(e.fields).some((k) => k.toLowerCase() === (e.system === 'salesforce' ? f.sf : f.mkto).toLowerCase()));
}

// ---------------------------------------------------------------------------------------------- windows and field edits

interface FieldEdit {
  edit: Edit;
  side: 'salesforce' | 'marketo';
  personId: number;
  /** Salesforce field name. */
  field: string;
  value: unknown;
  /** Index of the first clean cycle (for this person) that starts after the edit; Infinity if none. */
  window: number;
  /** Made while a cycle or a flow action of the person ran: its window is uncertain. */
  ambiguous: boolean;
  /** The pair's Salesforce object when the edit was made. */
  object: string;
  /** The value it replaced on its side, when known. */
  prior?: unknown;
  hasPrior: boolean;
  /** Engine runs (cycles of any outcome, flow actions of the person) that started before the edit. */
  gap: number;
}

interface Analysis {
  h: History;
  edits: FieldEdit[];
  /** Person ids whose pair went through a merge, a delete on either side, or a conversion in an ambiguous spot. */
  excluded: Set<number>;
  pairs: Map<number, Pair>;
  /** Fields (`Lead.Title`) whose access the sync user ever lost. */
  touchedPermissions: Set<string>;
}

function analyse(w: World, h: History): Analysis {
  const m = memoFor(w);
  if (m && m.h === h) return (m.analysis ??= analysisOf(w, h));
  return analysisOf(w, h);
}

function analysisOf(w: World, h: History): Analysis {
  const pairs = new Map<number, Pair>();
  for (const p of pairsOf(w)) pairs.set(p.person.id, p);
  const facts = engineFacts(w.trace.events);
  const personOfSf = personOfSfIds(pairs, facts.links);
  const excluded = excludedPeople(h, personOfSf, facts);
  const touchedPermissions = new Set(h.permissions.map((p) => `${p.object}.${p.field}`.toLowerCase()));
  const canonical = canonicalNames(w);
  const clean = cleanCycles(w, h, facts.troubled);
  const edits: FieldEdit[] = [];
  for (const e of h.edits) {
    if (e.action !== 'update' && e.action !== 'create') continue;
    const personId = e.system === 'marketo' ? Number(e.record) : personOfSf.get(e.record);
    if (personId === undefined) continue;
    fieldEditsOf(w, h, e, personId, clean.of(personId), pairs.get(personId)?.object ?? 'Lead', canonical, edits);
  }
  // Conversions: an edit of the pair made in the window the conversion closes is decided under the contact's policy.
  for (const e of h.edits) {
    if (e.action !== 'convert') continue;
    const pid = personOfSf.get(e.record) ?? personOfSf.get(e.related?.[0] ?? '');
    if (pid === undefined) continue;
    for (const fe of edits) if (fe.personId === pid && fe.edit.seq < e.seq) fe.ambiguous = true;
  }
  return { h, edits: netEditsOf(edits), excluded, pairs, touchedPermissions };
}

/**
 * The engine's events analysisOf needs, read in one pass over the trace: its links and unlinks in trace order, and
 * who was skipped, rejected or retried in which cycle (-1: everyone).
 */
function engineFacts(events: readonly TraceEvent[]): { links: TraceEvent[]; unlinks: TraceEvent[]; troubled: Map<number, Set<number>> } {
  const links: TraceEvent[] = [];
  const unlinks: TraceEvent[] = [];
  const troubled = new Map<number, Set<number>>();
  let current: number | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.lane !== 'engine') continue;
    const kind = e.kind;
    if (kind === 'cycle-start') current = Number(e.data?.cycle);
    else if (kind === 'cycle-end') current = undefined;
    else if (kind === 'link') links.push(e);
    else if (kind === 'unlink') unlinks.push(e);
    else if (current !== undefined && (kind === 'skip' || kind === 'rejection' || kind === 'retry') && e.data) {
      let set = troubled.get(current);
      if (!set) troubled.set(current, (set = new Set<number>()));
      set.add(e.data.personId === undefined ? -1 : Number(e.data.personId));
    }
  }
  return { links, unlinks, troubled };
}

/** Salesforce id → person, over every id the person's link ever carried (its link now first, then the engine's links). */
function personOfSfIds(pairs: Map<number, Pair>, links: readonly TraceEvent[]): Map<string, number> {
  const personOfSf = new Map<string, number>();
  for (const p of pairs.values()) {
    const id = p.person.id;
    if (p.sfId) personOfSf.set(p.sfId, id);
    if (p.person.sfdcLeadId) personOfSf.set(p.person.sfdcLeadId, id);
    if (p.person.sfdcContactId) personOfSf.set(p.person.sfdcContactId, id);
  }
  for (const e of links) {
    const sfId = e.data?.sfId;
    if (typeof sfId === 'string' && !personOfSf.has(sfId)) personOfSf.set(sfId, Number(e.data?.personId));
  }
  return personOfSf;
}

/** People whose pair went through a merge, a delete on either side, or an unlink by the engine. */
function excludedPeople(h: History, personOfSf: Map<string, number>, facts: { links: TraceEvent[]; unlinks: TraceEvent[] }): Set<number> {
  const excluded = new Set<number>();
  const deletedInMarketo = new Set<number>();
  for (const e of h.edits) {
    if (e.action === 'merge') {
      const ids = [e.record, ...(e.related ?? [])];
      for (const id of ids) if (personOfSf.has(id)) excluded.add(personOfSf.get(id)!);
    } else if (e.action === 'delete') {
      const pid = e.system === 'marketo' ? Number(e.record) : personOfSf.get(e.record);
      if (pid !== undefined) excluded.add(pid);
      if (e.system === 'marketo') deletedInMarketo.add(Number(e.record));
    }
  }
  // People merged by the engine (a conversion into a contact that had its person).
  for (const e of facts.unlinks) excluded.add(Number(e.data?.personId));
  // A record whose person a Marketo user deleted went through that delete too: the person a cycle re-makes from it
  // starts from the record as it is, not from edits made under the deleted person (seed 12345, world 460615160).
  if (deletedInMarketo.size > 0) {
    for (const e of facts.links) {
      const sfId = e.data?.sfId;
      if (!deletedInMarketo.has(Number(e.data?.personId)) || typeof sfId !== 'string') continue;
      const now = personOfSf.get(sfId);
      if (now !== undefined) excluded.add(now);
    }
  }
  return excluded;
}

/** Field names as the oracle calls them (Salesforce's), by the lower-cased name each side writes. */
interface CanonicalNames {
  /** Marketo field name → Salesforce field. */
  mkToSf: Map<string, string>;
  /** Salesforce field name → its canonical spelling. */
  sf: Map<string, string>;
}

function canonicalNames(w: World): CanonicalNames {
  const mkToSf = new Map<string, string>();
  for (const [sf, mk] of STANDARD_FIELD_PAIRS) mkToSf.set(mk.toLowerCase(), sf);
  for (const name of marketoFieldNames(w)) if (/__c$/i.test(name)) mkToSf.set(name.toLowerCase(), name);
  const sf = new Map<string, string>();
  for (const [name] of STANDARD_FIELD_PAIRS) sf.set(name.toLowerCase(), name);
  for (const object of ['Lead', 'Contact']) {
    const def = w.org.objectDef(object);
    if (def) for (const f of def.fields.values()) if (/__c$/i.test(f.name)) sf.set(f.name.toLowerCase(), f.name);
  }
  return { mkToSf, sf };
}

/**
 * Clean cycles per person: finished ok, no fault fired and no crash happened during it (the same for everyone, worked
 * out once), and the person was not skipped, rejected or retried in it.
 */
function cleanCycles(w: World, h: History, troubled: Map<number, Set<number>>): { of(personId: number): CycleWindow[] } {
  const fired = w.faults.fired;
  const base: CycleWindow[] = [];
  for (const c of h.cycles) {
    if (!c.ok) continue;
    let hit = false;
    for (let i = 0; i < fired.length && !hit; i++) hit = fired[i]!.at >= c.startAt && fired[i]!.at <= c.endAt;
    for (let i = 0; i < h.crashes.length && !hit; i++) hit = h.crashes[i]! >= c.startSeq && h.crashes[i]! <= c.endSeq;
    if (!hit) base.push(c);
  }
  const byPerson = new Map<number, CycleWindow[]>();
  return {
    of(personId) {
      let clean = byPerson.get(personId);
      if (!clean) {
        clean = base.filter((c) => {
          const t = troubled.get(c.cycle);
          return !t || (!t.has(personId) && !t.has(-1));
        });
        byPerson.set(personId, clean);
      }
      return clean;
    },
  };
}

/** The field edits one user edit makes, with its window, ambiguity and engine runs before it (the same for each field). */
function fieldEditsOf(w: World, h: History, e: Edit, personId: number, clean: readonly CycleWindow[], pairObject: string, names: CanonicalNames, out: FieldEdit[]): void {
  const seq = e.seq;
  let window = -1;
  for (let i = 0; i < clean.length; i++) {
    if (clean[i]!.startSeq > seq) {
      window = i;
      break;
    }
  }
  let running = false;
  let gap = 0;
  for (const c of h.cycles) {
    if (c.startSeq < seq) {
      gap++;
      if (seq < c.endSeq) running = true;
    }
  }
  let flowNear = false;
  for (const f of h.flows) {
    if (f.personId !== personId) continue;
    if (f.seq < seq) gap++;
    if (f.seq > seq && (window < 0 || f.seq < clean[window]!.startSeq)) flowNear = true;
  }
  const salesforce = e.system === 'salesforce';
  const object = salesforce ? e.object : pairObject;
  const prior = e.prior;
  for (const k of Object.keys(e.fields)) {
    const field = salesforce ? names.sf.get(k.toLowerCase()) : names.mkToSf.get(k.toLowerCase());
    if (!field) continue;
    const v = e.fields[k];
    const hasPrior = !!prior && k in prior;
    // Writing the value a field already holds is no change on either system.
    if (hasPrior && sameCanon(prior[k], v)) continue;
    out.push({
      edit: e,
      side: salesforce ? 'salesforce' : 'marketo',
      personId,
      field,
      value: storedValue(w, object, field, v),
      window: window < 0 ? Infinity : window,
      ambiguous: running || flowNear,
      object,
      prior: prior?.[k],
      hasPrior,
      gap,
    });
  }
}

/**
 * The engine merges states, not edits: a side whose edits in one window end where they started changed nothing.
 * Unless an engine run came between them (a failed or crashed cycle, a flow action: not clean, so the window is the
 * same): it may have synced the value in between, and that counts (seed 2142317038: a crashed cycle carried it over).
 */
function netEditsOf(edits: FieldEdit[]): FieldEdit[] {
  const netEdits: FieldEdit[] = [];
  for (const list of groupBy(edits, (fe) => `${fe.personId}|${fe.field}|${fe.side}|${fe.window}`).values()) {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const unseen = first.gap === last.gap;
    const reverted = list.length > 1 && unseen && !list.some((fe) => fe.ambiguous) && first.hasPrior && sameCanon(first.prior, last.value);
    if (!reverted) netEdits.push(...list);
  }
  netEdits.sort((a, b) => a.edit.seq - b.edit.seq);
  return netEdits;
}

/**
 * A number as the Salesforce field stores it (rounded to the field's scale,
 * as Salesforce rounds a currency written with more decimals): the value an
 * edit of it can end as, on both sides.
 */
function storedValue(w: World, object: string, field: string, v: unknown): unknown {
  if (typeof v !== 'number') return v;
  const f = w.org.objectDef(object)?.fields.get(field.toLowerCase()) as { type?: string; scale?: number } | undefined;
  if (!f || !['currency', 'double', 'percent', 'int'].includes(f.type ?? '')) return v;
  const scale = f.type === 'int' ? 0 : f.scale ?? 0;
  return scale > 0 ? Number(v.toFixed(scale)) : Math.round(v);
}

function winnerOf(cfg: WinnerConfig, object: string, field: string): 'marketo' | 'salesforce' {
  return cfg.fields?.[`${object}.${field}`] ?? (object === 'Contact' ? cfg.Contact : cfg.Lead);
}

function finalValues(w: World, pair: Pair, field: string): { sf: unknown; mk: unknown; mkName: string } | undefined {
  const f = fieldPairs(w, pair.object).find((x) => x.sf.toLowerCase() === field.toLowerCase());
  if (!f || !pair.record) return undefined;
  return { sf: pair.record[f.sf], mk: pair.person[f.mkto], mkName: f.mkto };
}

function checkable(w: World, a: Analysis, fe: FieldEdit): Pair | undefined {
  if (a.excluded.has(fe.personId)) return undefined;
  const pair = a.pairs.get(fe.personId);
  if (!pair || !liveRecord(pair)) return undefined;
  if (a.touchedPermissions.has(`${pair.object}.${fe.field}`.toLowerCase()) || a.touchedPermissions.has(`${fe.object}.${fe.field}`.toLowerCase())) return undefined;
  if (accessNow(w, pair.object, fe.field) !== 'edit') return undefined;
  return pair;
}

// ---------------------------------------------------------------------------------------------- conflict-winner

export function conflictWinner(w: World, h: History = historyOf(w.trace), winners: WinnerConfig = DEFAULT_WINNERS): Violation[] {
  const a = analyse(w, h);
  const out: Violation[] = [];
  for (const list of groupBy(a.edits, (fe) => `${fe.personId}|${fe.field}`).values()) {
    const v = conflictLost(w, a, list, winners);
    if (v) out.push(v);
  }
  return out;
}

/** One field of one pair, its edits in seq order: did the configured winner of its last window's conflict win? */
function conflictLost(w: World, a: Analysis, list: FieldEdit[], winners: WinnerConfig): Violation | undefined {
  const last = list[list.length - 1]!;
  const pair = checkable(w, a, last);
  if (!pair || last.window === Infinity) return undefined;
  const inWindow = list.filter((fe) => fe.window === last.window);
  // Only the last window, and only when nothing in it is uncertain and nothing came later (list is in seq order).
  if (inWindow.some((fe) => fe.ambiguous) || list.some((fe) => fe.window > last.window)) return undefined;
  // Both sides between the same two engine runs: an unclean run in between may have carried the first edit over.
  if (new Set(inWindow.map((fe) => fe.gap)).size > 1) return undefined;
  const sfSide = inWindow.filter((fe) => fe.side === 'salesforce');
  const mkSide = inWindow.filter((fe) => fe.side === 'marketo');
  if (!sfSide.length || !mkSide.length) return undefined;
  const object = sfSide[sfSide.length - 1]!.object;
  if (object !== pair.object) return undefined;
  const winner = winnerOf(winners, object, last.field);
  const winning = (winner === 'salesforce' ? sfSide : mkSide).at(-1)!;
  const losing = (winner === 'salesforce' ? mkSide : sfSide).at(-1)!;
  if (sameCanon(winning.value, losing.value)) return undefined;
  const v = finalValues(w, pair, last.field);
  if (!v) return undefined;
  const mkOk = sameCanon(v.mk, winning.value);
  let sfOk = sameCanon(v.sf, winning.value);
  if (!sfOk && winner === 'marketo' && pairBlocked(w, pair)) sfOk = true;
  if (mkOk && sfOk) return undefined;
  return {
    property: 'conflict-winner',
    message: `${object}.${last.field} changed on both sides between two cycles; ${winner} should win with ${JSON.stringify(winning.value)}, but Salesforce has ${JSON.stringify(v.sf ?? null)} and Marketo ${JSON.stringify(v.mk ?? null)}`,
    events: [editEvidence(losing.edit), editEvidence(winning.edit), stateEvidence(w, `${pair.sfId}.${last.field}=${JSON.stringify(v.sf ?? null)}, person ${pair.person.id}.${v.mkName}=${JSON.stringify(v.mk ?? null)}`)].sort(bySeq),
  };
}

// ---------------------------------------------------------------------------------------------- no-lost-update

export function noLostUpdate(w: World, h: History = historyOf(w.trace)): Violation[] {
  const a = analyse(w, h);
  const out: Violation[] = [];
  for (const list of groupBy(a.edits, (fe) => `${fe.personId}|${fe.field}`).values()) {
    const v = updateLost(w, a, list);
    if (v) out.push(v);
  }
  return out;
}

/** One field of one pair, its edits in seq order: does each side end on its last edit or one it conflicts with? */
function updateLost(w: World, a: Analysis, list: FieldEdit[]): Violation | undefined {
  const last = list[list.length - 1]!;
  const pair = checkable(w, a, last);
  if (!pair) return undefined;
  const v = finalValues(w, pair, last.field);
  if (!v) return undefined;
  // Edits that may legitimately end on top: the last one, and the other side's edits it conflicts with.
  const rivals = list.filter((fe) => fe === last || (fe.side !== last.side && (fe.window === last.window || fe.ambiguous || last.ambiguous)));
  const acceptable = rivals.map((fe) => fe.value);
  const okOn = (value: unknown) => acceptable.some((x) => sameCanon(value, x));
  const mkOk = okOn(v.mk);
  let sfOk = okOn(v.sf);
  if (!sfOk && !sameCanon(v.sf, v.mk) && pairBlocked(w, pair)) sfOk = true;
  if (mkOk && sfOk) return undefined;
  const lostOn = [!sfOk ? `Salesforce has ${JSON.stringify(v.sf ?? null)}` : '', !mkOk ? `Marketo has ${JSON.stringify(v.mk ?? null)}` : ''].filter(Boolean).join(', ');
  return {
    property: 'no-lost-update',
    message: `the ${last.side} edit ${pair.object}.${last.field} = ${JSON.stringify(last.value)} (person ${pair.person.id}) was lost: ${lostOn}`,
    events: [editEvidence(last.edit), stateEvidence(w, `${pair.sfId}.${last.field}=${JSON.stringify(v.sf ?? null)}, person ${pair.person.id}.${v.mkName}=${JSON.stringify(v.mk ?? null)}`)],
  };
}

// ---------------------------------------------------------------------------------------------- error-logged

/**
 * Who was merged into whom in Marketo, read from the winners' Merge Leads activities: loser → its winner and the
 * activity's id. A merge moves the loser's activity log onto the winner (reference A13); activity ids only grow, so
 * the id tells which activities were logged before the merge.
 */
function marketoMerges(w: World): Map<number, { winner: number; id: number }> {
  const out = new Map<number, { winner: number; id: number }>();
  for (const act of w.instance.listActivities({ typeIds: [ACTIVITY.mergeLeads] })) {
    const winner = act.primaryAttributeValueId ?? act.leadId;
    for (const loser of String(activityAttr(act, 'Merge IDs') ?? '').split(',')) {
      if (loser.trim() !== '') out.set(Number(loser), { winner, id: act.id });
    }
  }
  return out;
}

export function errorLogged(w: World, h: History = historyOf(w.trace)): Violation[] {
  const out: Violation[] = [];
  const rejections = w.engineEvents.filter((e): e is Extract<typeof e, { type: 'rejection' }> => e.type === 'rejection');
  const type = w.instance.activityLog.customTypes().find((t) => t.name === FAILURE_ACTIVITY_NAME);
  const activities = type ? w.instance.listActivities({ typeIds: [type.id] }) : [];
  const keyOf = (code: unknown, message: unknown, fields: unknown) => `${String(code)}|${String(message)}|${String(fields)}`;

  // A failure activity for a transient answer is a lie: nothing was rejected.
  for (const act of activities) {
    const code = String(act.primaryAttributeValue);
    if (TRANSIENT_CODES.has(code)) {
      out.push({ property: 'error-logged', message: `person ${act.leadId} has a failure activity for the transient ${code}, which should have been retried`, events: [{ at: Date.parse(act.activityDate), text: `activity ${act.id}: ${code} ${String(activityAttr(act, 'message'))}` }] });
    }
  }

  // Marketo merges: a merged-away person's activities now sit on the person it was merged into (its holder).
  const merges = marketoMerges(w);
  const holderOf = (id: number): number => {
    const seen = new Set<number>();
    let cur = id;
    while (merges.has(cur) && !seen.has(cur)) {
      seen.add(cur);
      cur = merges.get(cur)!.winner;
    }
    return cur;
  };
  /** The id of the merge that brought `from`'s log into `into`'s (undefined: it never did). */
  const arrivalIn = (from: number, into: number): number | undefined => {
    const seen = new Set<number>();
    for (let cur = from; merges.has(cur) && !seen.has(cur); cur = merges.get(cur)!.winner) {
      seen.add(cur);
      if (merges.get(cur)!.winner === into) return merges.get(cur)!.id;
    }
    return undefined;
  };
  const aliveAt = (person: number, activityId: number) => !merges.has(person) || activityId < merges.get(person)!.id;

  // Each distinct rejection: at least one activity, and no more than the times the failure could have cleared and come back.
  const failureKeyOf = (r: (typeof rejections)[number]) => keyOf(r.errorCode, r.message, r.fields.join(','));
  const byKey = groupBy(rejections, (r) => `${r.personId}|${failureKeyOf(r)}`);
  /**
   * Whose failure an activity records: the person it was written on, which a merge hides (the activity moved). Told
   * by its SFDC Id among the people merged into its holder that had this rejection and were not merged away yet when
   * it was logged; when that does not settle it, the holder's (counted on the survivor, as before merges were read).
   */
  const originOf = (act: (typeof activities)[number], key: string, holder: number): number => {
    const sfdcId = String(activityAttr(act, 'sfdcId') ?? '');
    const candidates: number[] = [];
    for (const list of byKey.values()) {
      const r = list[0]!;
      if (failureKeyOf(r) !== key || holderOf(r.personId) !== holder || !aliveAt(r.personId, act.id)) continue;
      if (list.some((x) => (x.sfId ?? '') === sfdcId)) candidates.push(r.personId);
    }
    return candidates.length === 1 ? candidates[0]! : holder;
  };
  const relevantTo = (e: Edit, people: Set<number>, ids: Set<string>) =>
    e.action === 'rule' || e.action === 'permission' || e.action === 'convert' || (e.system === 'marketo' ? people.has(Number(e.record)) : ids.has(e.record));

  for (const list of byKey.values()) {
    const first = list[0]!;
    if (TRANSIENT_CODES.has(first.errorCode)) continue;
    const key = failureKeyOf(first);
    const x = first.personId;
    const holderId = holderOf(x);
    const holder = w.instance.getPerson(holderId);
    if (!holder) continue; // deleted in Marketo (itself or the person it was merged into): nowhere to log
    const held = activities.filter((act) => act.leadId === holderId && keyOf(act.primaryAttributeValue, activityAttr(act, 'message'), activityAttr(act, 'fields')) === key);
    const origins = new Map(held.map((act) => [act, originOf(act, key, holderId)] as const));
    const own = held.filter((act) => origins.get(act) === x);
    // Activities logged on people merged into x: they reached x's log with the merge.
    const inherited = held.flatMap((act) => {
      const from = origins.get(act)!;
      const arrives = from === x ? undefined : arrivalIn(from, x);
      return arrives === undefined ? [] : [{ act, from, arrives }];
    });
    const merged = x === holderId ? '' : ` (merged into person ${holderId} since)`;
    const evidence = [
      { at: first.at, text: `engine: Salesforce rejected ${first.operation} for person ${x}: ${first.errorCode} ${first.message}` },
      ...[...own, ...inherited.map((i) => i.act)].slice(0, 3).map((act) => ({ at: Date.parse(act.activityDate), text: `activity ${act.id} on person ${act.leadId}${origins.get(act) === act.leadId ? '' : ` (logged on person ${origins.get(act)}, moved by a merge)`}: ${String(act.primaryAttributeValue)} ${String(activityAttr(act, 'message'))}` })),
    ];
    if (own.length + inherited.length === 0) {
      // Merged away before its failure was logged: the engine died (or its cycle broke off) between the rejection and
      // the activity, and the merge came before the retry, so no record is left to retry. The survivor's log showing
      // the same failure is what a user sees, and all there is to ask then.
      if (x !== holderId && held.length > 0 && cycleBrokeOffAfter(w, list[list.length - 1]!)) continue;
      // Each time, the rejecting answer reached a dead engine (the process died as it arrived, its store frozen), and
      // the failure cleared before a live engine met it again: no engine could have known it (fuzz seed 2, run 520).
      if (list.every((r) => reportedDead(h, seqOfEngineEvent(w, r)))) continue;
      out.push({ property: 'error-logged', message: `person ${x}${merged}: Salesforce rejected ${first.operation} with ${first.errorCode} (${first.message}) and no failure activity says so`, events: evidence });
      continue;
    }
    // Logged again while its log already held the failure (its own earlier activity, or one a merge brought): each
    // time needs a chance for the failure to have cleared and come back, an edit between the rejections.
    const entries = [...own.map((act) => ({ id: act.id, own: true })), ...inherited.map((i) => ({ id: i.arrives, own: false }))].sort((a, b) => a.id - b.id);
    const again = entries.filter((e, i) => e.own && i > 0).length;
    if (again === 0) continue;
    const lastOwn = Math.max(...own.map((act) => act.id));
    const joinedBefore = inherited.filter((i) => i.arrives < lastOwn);
    const lastSeq = seqOfEngineEvent(w, list[list.length - 1]!);
    const people = new Set([x]);
    const ids = new Set(list.map((r) => r.sfId).filter(Boolean) as string[]);
    if (x === holderId) for (const id of [holder.sfdcLeadId, holder.sfdcContactId]) if (id) ids.add(String(id));
    let fromSeq = seqOfEngineEvent(w, first);
    for (const i of joinedBefore) {
      const theirs = byKey.get(`${i.from}|${key}`) ?? [];
      // From the inherited failure's last rejection: its activity said the failure stood then.
      if (theirs.length) fromSeq = Math.min(fromSeq, seqOfEngineEvent(w, theirs[theirs.length - 1]!));
      people.add(i.from);
      for (const r of theirs) if (r.sfId) ids.add(r.sfId);
    }
    // A merge joins two logs that both hold the failure; it clears nothing, so it is no chance once a log was joined.
    const chances = h.edits.filter((e) => e.seq > fromSeq && e.seq < lastSeq && !(joinedBefore.length > 0 && e.action === 'merge') && relevantTo(e, people, ids)).length;
    if (again <= chances) continue;
    const joined = joinedBefore.length > 0 ? `, ${again} of them while its log already held it (person ${[...new Set(joinedBefore.map((i) => i.from))].join(', ')}'s activity, merged in)` : '';
    out.push({
      property: 'error-logged',
      message: `person ${x}${merged}: one failure (${first.errorCode}: ${first.message}) was logged ${own.length} times${joined}; it could have cleared and come back at most ${chances} time(s)`,
      events: evidence,
    });
  }
  // The wire agrees: every rejection code the org answered the sync user's writes with is one the engine saw.
  const seen = new Set(rejections.map((r) => r.errorCode));
  // Answers lost to a timeout after commit never reached the engine: it could not report them.
  const lostAnswers = new Set(w.faults.fired.filter((f) => f.system === 'salesforce' && f.kind === 'timeout-after-commit').map((f) => `${f.at}|${f.method}|${f.path}`));
  for (const entry of w.org.requestLog) {
    if (entry.user !== w.org.syncUser.id || entry.method === 'GET' || !/composite|sobjects/.test(entry.path)) continue;
    if (lostAnswers.has(`${Date.parse(entry.at)}|${entry.method}|${entry.path}`)) continue;
    for (const code of entry.errorCodes) {
      if (TRANSIENT_CODES.has(code) || code === 'INVALID_FIELD' || code === 'INVALID_FIELD_FOR_INSERT_UPDATE' || code === 'ALL_OR_NONE_OPERATION_ROLLED_BACK' || code === 'NOT_FOUND' || code === 'DUPLICATE_VALUE') continue;
      if (!seen.has(code)) {
        out.push({ property: 'error-logged', message: `Salesforce rejected an engine write with ${code}, which the engine never reported`, events: [{ at: Date.parse(entry.at), text: `${entry.method} ${entry.path} → ${entry.status} ${entry.errorCodes.join(',')}` }] });
        seen.add(code);
      }
    }
  }
  return out;
}

/** The trace seq of an engine event: the world records each engine event in the trace, in order. */
/** Whether the engine's cycle broke off (died, or failed) after event `e`: what it meant to write next may be unwritten. */
function cycleBrokeOffAfter(w: World, e: object): boolean {
  const events = w.engineEvents;
  for (let i = events.indexOf(e as (typeof events)[number]) + 1; i < events.length; i++) {
    const next = events[i]!;
    if (next.type === 'cycle-end') return !next.ok;
  }
  return true;
}

/** Whether the engine was dead at trace seq `seq`: a crash before it, and no restart since. */
function reportedDead(h: History, seq: number): boolean {
  let crash = -1;
  for (const c of h.crashes) if (c < seq) crash = Math.max(crash, c);
  return crash >= 0 && !h.restarts.some((r) => r > crash && r < seq);
}

function seqOfEngineEvent(w: World, e: object): number {
  const i = w.engineEvents.indexOf(e as (typeof w.engineEvents)[number]);
  if (i < 0) return 0;
  let n = -1;
  for (const t of w.trace.events) if (t.lane === 'engine' && ++n === i) return t.seq;
  return 0;
}

// ---------------------------------------------------------------------------------------------- no-duplicate

export function noDuplicate(w: World, h: History = historyOf(w.trace)): Violation[] {
  const out: Violation[] = [];
  const people = peopleOf(w);
  sharedRecords(w, h, people, out);
  leadsCreatedTwice(w, h, people, out);
  return out;
}

/** Two people linked to one Salesforce record. */
function sharedRecords(w: World, h: History, people: readonly Person[], out: Violation[]): void {
  const byRecord = groupBy(
    people.filter((p) => linkOf(p)),
    (p) => linkOf(p)!.id,
  );
  for (const [sfId, list] of byRecord) {
    if (list.length < 2) continue;
    out.push({
      property: 'no-duplicate',
      message: `${list.length} people (${list.map((p) => p.id).join(', ')}) are linked to one Salesforce record ${sfId}`,
      events: [...h.edits.filter((e) => e.record === sfId).slice(0, 2).map(editEvidence), ...list.map((p) => stateEvidence(w, `person ${p.id} → ${sfId}`))],
    });
  }
}

/** What tells a lead the sync user created once from one created twice (made when the run has such a lead). */
interface CreatedLeads {
  people: readonly Person[];
  carried: Set<string>;
  /** A lead the sync user created exists for a flow action's person; carried by a person made from it instead, it is a second one. */
  flowed: Set<number>;
  /** A lead whose person a Marketo user deleted is left without one on purpose. */
  ofDeletedPeople: Set<string>;
  /** Who the engine linked to what, first at which trace seq. */
  firstLinked: Map<number, Map<string, number>>;
  deletedAt: Map<number, number>;
}

function createdLeads(w: World, h: History, people: readonly Person[]): CreatedLeads {
  const carried = new Set<string>();
  for (const p of people) for (const id of [p.sfdcLeadId, p.sfdcContactId]) if (id) carried.add(id);
  const flowed = new Set(h.flows.map((f) => f.personId));
  const deletedPeople = new Set(h.edits.filter((e) => e.system === 'marketo' && e.action === 'delete').map((e) => Number(e.record)));
  const ofDeletedPeople = new Set(
    deletedPeople.size === 0 ? [] : w.trace.events.filter((e) => e.lane === 'engine' && e.kind === 'link' && deletedPeople.has(Number(e.data?.personId))).map((e) => String(e.data?.sfId)),
  );
  const firstLinked = new Map<number, Map<string, number>>();
  for (const e of w.trace.events) {
    if (e.lane !== 'engine' || e.kind !== 'link' || typeof e.data?.sfId !== 'string') continue;
    const pid = Number(e.data.personId);
    if (!firstLinked.has(pid)) firstLinked.set(pid, new Map());
    if (!firstLinked.get(pid)!.has(e.data.sfId)) firstLinked.get(pid)!.set(e.data.sfId, e.seq);
  }
  const deletedAt = new Map(h.edits.filter((e) => e.system === 'marketo' && e.action === 'delete').map((e) => [Number(e.record), e.seq]));
  return { people, carried, flowed, ofDeletedPeople, firstLinked, deletedAt };
}

/** Leads the sync user created (Sync Person to SFDC) that no person carries, or that a stranger carries: a create sent twice. */
function leadsCreatedTwice(w: World, h: History, people: readonly Person[], out: Violation[]): void {
  const mergedAway = new Set(h.edits.filter((e) => e.action === 'merge').flatMap((e) => e.related ?? []));
  let leads: CreatedLeads | undefined;
  for (const r of w.org.queryContext(w.org.adminUser.id).scan('Lead', { includeDeleted: false })) {
    if (r.CreatedById !== w.org.syncUser.id || mergedAway.has(String(r.Id))) continue;
    const v = createdTwice(w, h, (leads ??= createdLeads(w, h, people)), r);
    if (v) out.push(v);
  }
}

function createdTwice(w: World, h: History, c: CreatedLeads, r: Record<string, unknown>): Violation | undefined {
  const people = c.people;
  const carriers = people.filter((p) => p.sfdcLeadId === r.Id || p.sfdcContactId === r.Id);
  const strangers = carriers.filter((p) => !c.flowed.has(p.id) && !heir(h, c, p, String(r.Id)) && !reborn(c, p, String(r.Id)));
  if (carriers.length && strangers.length) {
    return {
      property: 'no-duplicate',
      message: `lead ${String(r.Id)} was created by the sync user for a flow action, but person ${strangers.map((p) => p.id).join(', ')} (made from the lead by a cycle) carries it: a second lead for one person`,
      events: [...h.flows.filter((f) => people.some((p) => p.id === f.personId && p.email && p.email === r.Email)).map((f) => ({ seq: f.seq, at: f.at, text: `flow action Sync Person to SFDC: person ${f.personId}` })), stateEvidence(w, `lead ${String(r.Id)} (${String(r.Email)}) → person ${strangers[0]!.id}`)],
    };
  }
  if (c.carried.has(String(r.Id)) || c.ofDeletedPeople.has(String(r.Id))) return undefined;
  const twins = people.filter((p) => p.email && p.email === r.Email).map((p) => p.id);
  return {
    property: 'no-duplicate',
    message: `lead ${String(r.Id)} was created by the sync user but no person carries it (a second create for ${twins.length ? `person ${twins.join(', ')}` : 'a person'})`,
    events: [...h.flows.filter((f) => twins.includes(f.personId)).map((f) => ({ seq: f.seq, at: f.at, text: `flow action Sync Person to SFDC: person ${f.personId}` })), stateEvidence(w, `lead ${String(r.Id)} created ${String(r.CreatedDate)}`)],
  };
}

/** A merge survivor may pass to a loser's person (when the survivor's own person is gone): that person is no stranger. */
function heir(h: History, c: CreatedLeads, p: Person, survivor: string): boolean {
  const losers = h.edits.filter((e) => e.action === 'merge' && e.record === survivor).flatMap((e) => e.related ?? []);
  return losers.some((id) => c.firstLinked.get(p.id)?.has(id));
}

/**
 * Nor is a person made from the lead after a Marketo user deleted the flow action's person: the lead has one person
 * again (seed 10 of the 777 campaign: the flow's link write failed, the person was deleted, the next cycle re-made
 * it from the lead's unsynced creation). Made before that delete, it would be the second person it looks like.
 */
function reborn(c: CreatedLeads, p: Person, lead: string): boolean {
  const linkedAt = c.firstLinked.get(p.id)?.get(lead);
  if (linkedAt === undefined) return false;
  return [...c.firstLinked].some(([pid, links]) => pid !== p.id && c.flowed.has(pid) && links.has(lead) && (c.deletedAt.get(pid) ?? Infinity) < linkedAt);
}

// ---------------------------------------------------------------------------------------------- quiet-when-idle

export interface IdleCycle {
  ok: boolean;
  /** Salesforce data reads (queries, retrieves): describes are counted apart, in sfDescribes. */
  sfReads: number;
  /**
   * Salesforce describes. The engine re-reads metadata on a schedule (hourly by default) and after setup changes, so
   * an idle cycle may describe where the one before did not; they count toward the budget, not toward "the same".
   */
  sfDescribes?: number;
  sfWrites: number;
  /** Salesforce writes refused record by record (standing rejections retried). */
  sfRejectedWrites: number;
  mkReads: number;
  mkWrites: number;
}

/** Runs `cycles` more cycles on an idle world and counts what each sent (auth calls aside). */
export async function measureIdle(w: World, cycles = 2): Promise<IdleCycle[]> {
  const out: IdleCycle[] = [];
  for (let i = 0; i < cycles; i++) {
    const sf0 = w.org.requestLog.length;
    const mk0 = w.instance.requestLog.length;
    const [report] = await w.advance(w.engine.schedule.nextAt - w.clock.now());
    const sf = w.org.requestLog.slice(sf0).filter((e) => e.user === w.org.syncUser.id && !/oauth2|\/Soap\/u\//.test(e.path));
    const mk = w.instance.requestLog.slice(mk0).filter((e) => !e.path.startsWith('/identity/'));
    const sfWriteEntries = sf.filter((e) => isSfWrite(e.method, e.path));
    const sfDescribes = sf.filter((e) => e.operation === 'describe').length;
    out.push({
      ok: report?.ok ?? false,
      sfReads: sf.length - sfWriteEntries.length - sfDescribes,
      sfDescribes,
      sfWrites: sfWriteEntries.filter((e) => e.errorCodes.length === 0).length,
      sfRejectedWrites: sfWriteEntries.filter((e) => e.errorCodes.length > 0).length,
      mkReads: mk.filter((e) => !isMkWrite(e.operation)).length,
      mkWrites: mk.filter((e) => isMkWrite(e.operation)).length,
    });
  }
  return out;
}

export function isSfWrite(method: string, path: string): boolean {
  if (method === 'GET' || /\/query/.test(path)) return false;
  if (method === 'POST' && /\/composite\/sobjects\/[^/]+\/?$/.test(path)) return false;
  return /\/(sobjects|composite)\b/.test(path) || /\/Soap\//.test(path);
}

export function isMkWrite(operation: string): boolean {
  return ['syncLeads', 'deleteLeads', 'mergeLeads', 'addCustomActivities', 'createCustomActivityType', 'createCustomActivityTypeAttributes', 'approveCustomActivityType', 'createLeadFields'].includes(operation);
}

/** Largest number of reads an idle cycle may spend (DESIGN §1.12: about 25 calls just to poll). */
export const IDLE_READ_BUDGET = 30;

export function quietWhenIdle(idle: readonly IdleCycle[]): Violation[] {
  const out: Violation[] = [];
  const described = (c: IdleCycle) => (c.sfDescribes ? ` + ${c.sfDescribes} describes` : '');
  const text = (c: IdleCycle, i: number) => ({ at: 0, text: `idle cycle ${i + 1}: ${c.ok ? 'ok' : 'failed'}, Salesforce ${c.sfReads} reads${described(c)} / ${c.sfWrites} writes, Marketo ${c.mkReads} reads / ${c.mkWrites} writes` });
  idle.forEach((c, i) => {
    if (!c.ok) out.push({ property: 'quiet-when-idle', message: `idle cycle ${i + 1} failed`, events: [text(c, i)] });
    if (c.sfWrites > 0 || c.mkWrites > 0) out.push({ property: 'quiet-when-idle', message: `idle cycle ${i + 1} wrote (${c.sfWrites} to Salesforce, ${c.mkWrites} to Marketo)`, events: [text(c, i)] });
    const reads = c.sfReads + (c.sfDescribes ?? 0) + c.mkReads;
    if (reads > IDLE_READ_BUDGET) out.push({ property: 'quiet-when-idle', message: `idle cycle ${i + 1} read ${reads} times (budget ${IDLE_READ_BUDGET})`, events: [text(c, i)] });
  });
  for (let i = 1; i < idle.length; i++) {
    const a = idle[i - 1]!;
    const b = idle[i]!;
    if (a.sfReads !== b.sfReads || a.mkReads !== b.mkReads || a.sfRejectedWrites !== b.sfRejectedWrites) {
      out.push({ property: 'quiet-when-idle', message: `idle cycles do not cost the same: ${a.sfReads}+${a.mkReads} reads, then ${b.sfReads}+${b.mkReads}`, events: [text(a, i - 1), text(b, i)] });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- respects-permissions

/** Requests naming a field the sync user could not access; one or two right after the change are how it learns. */
export const PERMISSION_LEARNING_REQUESTS = 2;

export function respectsPermissions(w: World, h: History = historyOf(w.trace)): Violation[] {
  const out: Violation[] = [];
  const changes = groupBy(h.permissions, (p) => `${p.object}.${p.field}`.toLowerCase());
  const log = w.org.requestLog;
  for (const list of changes.values()) {
    const { object, field } = list[0]!;
    list.forEach((change, i) => {
      if (change.access === 'edit') return;
      // By request log position when the driver recorded it; by virtual time otherwise.
      const from = change.requestLog ?? log.findIndex((r) => Date.parse(r.at) >= change.at);
      const next = list[i + 1];
      const until = next ? (next.requestLog ?? log.findIndex((r) => Date.parse(r.at) >= next.at)) : log.length;
      const offending = log.slice(from < 0 ? log.length : from, until < 0 ? log.length : until).filter((r) => {
        if (r.user !== w.org.syncUser.id) return false;
        if (r.object !== undefined && r.object.toLowerCase() !== object.toLowerCase()) return false;
        const named = (names: string[]) => names.some((n) => n.toLowerCase() === field.toLowerCase() || n.toLowerCase() === `${object}.${field}`.toLowerCase());
        // A refused query's log entry names the fields it asked for (and its object), so it counts like any other;
        // a refusal whose entry names no field cannot say which one it was, so it counts against every hidden one.
        const unattributed =
          r.fieldsRead.length === 0 && r.fieldsWritten.length === 0 && r.errorCodes.some((c) => c === 'INVALID_FIELD' || c === 'INVALID_FIELD_FOR_INSERT_UPDATE');
        return named(r.fieldsWritten) || (change.access === 'none' && named(r.fieldsRead)) || unattributed;
      });
      // Answers lost to a timeout after commit taught the engine nothing: each such request is one more it may send.
      const startAt = from >= 0 && from < log.length ? Date.parse(log[from]!.at) : change.at;
      const lost = w.faults.fired.filter((f) => f.system === 'salesforce' && f.kind === 'timeout-after-commit' && f.at >= startAt).length;
      if (offending.length <= PERMISSION_LEARNING_REQUESTS + lost) return;
      out.push({
        property: 'respects-permissions',
        message: `the engine named ${object}.${field} in ${offending.length} requests after the sync user's access became ${change.access}`,
        events: [
          { seq: change.seq, at: change.at, text: `permission ${object}.${field}: ${change.access}` },
          ...offending.slice(PERMISSION_LEARNING_REQUESTS, PERMISSION_LEARNING_REQUESTS + 2).map((r) => ({ at: Date.parse(r.at), text: `${r.method} ${r.path} ${r.operation} → ${r.status} ${r.errorCodes.join(',')} (${change.access === 'none' ? 'reads' : 'writes'} ${field})` })),
        ],
      });
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- deterministic, liveness

export function deterministic(first: { hash: string; events: number }, second: { hash: string; events: number }): Violation[] {
  if (first.hash === second.hash) return [];
  return [{ property: 'deterministic', message: `the same seed and steps gave two different traces (${first.hash.slice(0, 12)}…, ${first.events} events, then ${second.hash.slice(0, 12)}…, ${second.events} events)`, events: [] }];
}

export function liveness(quietAfter: number | undefined, budget: number, lastCycle: string): Violation[] {
  if (quietAfter !== undefined) return [];
  return [{ property: 'liveness', message: `the world did not become quiet within ${budget} cycles after faults and users stopped`, events: [{ at: 0, text: lastCycle }] }];
}

// ---------------------------------------------------------------------------------------------- all at once

/** Every state property (1–5, 7) over a quiet world; quiet-when-idle, deterministic and liveness need runs and come from campaign.ts. */
export function checkState(w: World, winners: WinnerConfig = DEFAULT_WINNERS): Violation[] {
  const h = historyOf(w.trace);
  const outer = memo;
  memo = { w, h, fieldPairs: new Map(), access: new Map() };
  try {
    return [...converged(w, h), ...conflictWinner(w, h, winners), ...errorLogged(w, h), ...noLostUpdate(w, h), ...noDuplicate(w, h), ...respectsPermissions(w, h)];
  } finally {
    memo = outer;
  }
}

export function formatViolation(v: Violation): string {
  const lines = [`${v.property}: ${v.message}`];
  for (const e of v.events) lines.push(`    ${e.at ? iso(e.at) : '                        '}  ${e.seq !== undefined ? `#${e.seq} ` : ''}${e.text}`);
  return lines.join('\n');
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

function bySeq(a: Evidence, b: Evidence): number {
  return (a.seq ?? Infinity) - (b.seq ?? Infinity);
}
