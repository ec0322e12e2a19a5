/**
 * The engine's memory (DESIGN §4 "State"): links, ancestors, watermarks,
 * pending failures and what was already logged.
 *
 * The engine saves a whole snapshot at each commit point, always *before* it
 * moves a watermark, so a crash between any two requests restarts from a
 * state that is at worst one step behind; every step is idempotent (echoes
 * merge to nothing, people are created with an upsert on their Salesforce id,
 * leads only after a look-up), so replaying it loses and duplicates nothing.
 *
 * Two stores:
 * - `MemoryStateStore` for the simulator: keeps the snapshot as JSON text (per
 *   link), so a restarted engine never shares live objects with the dead one;
 *   given the keys of the links that changed (StateChanges), a save serializes
 *   only those, so it costs the changes, not the number of links.
 * - `FileStateStore` for real runs: one JSON file, written to a temporary file,
 *   fsynced and renamed over the old one. rename(2) is atomic on POSIX file
 *   systems, so a crash leaves either the old or the new snapshot, never a torn
 *   one. Chosen over an embedded database because it needs no native build
 *   step and no dependency, and the state (one small entry per linked person)
 *   is read once at start and written a few times per cycle.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Canon, SfObject } from './types.ts';

/** A Salesforce rejection kept until the record syncs. */
export interface PendingFailure {
  operation: 'create' | 'update';
  errorCode: string;
  message: string;
  fields: string[];
  since: number;
}

/** One person ⇄ record pair. */
export interface LinkState {
  personId: number;
  object: SfObject;
  /** The record the person syncs with now (the contact after a conversion). */
  sfId: string;
  leadId?: string;
  contactId?: string;
  accountId?: string;
  /** Last agreed canonical value per Salesforce field name (the common ancestor). */
  ancestor: Record<string, Canon>;
  /** The record was deleted in Salesforce; the person carries sfdcIsDeleted. */
  deleted?: boolean;
  /** A standing rejection: the pair is retried every cycle until it syncs. */
  failure?: PendingFailure;
  /** A transient failure left this pair half done; retried next cycle. */
  retry?: boolean;
  /** Keys of failures already written to the person's activity log (see failureKey). */
  logged: string[];
}

/** A person Sync Person to SFDC was asked for that has no lead yet. */
export interface PendingPerson {
  personId: number;
  /** Set right before a create is sent; cleared once its outcome is known. */
  createStartedAt?: number;
  /** What the create sent, to find the lead if Salesforce committed it but the answer was lost. */
  email?: string | null;
  lastName?: string | null;
  company?: string | null;
  failure?: PendingFailure;
  logged: string[];
}

export interface EngineState {
  version: 1;
  /** By Marketo person id. */
  links: Record<string, LinkState>;
  pendingPeople: Record<string, PendingPerson>;
  /** Highest SystemModstamp fully processed, per object (Salesforce datetime string). */
  sfWatermark: Partial<Record<SfObject, string>>;
  /** Paging token of leadchanges.json past everything processed. */
  marketoToken?: string;
  /** Marketo said 607: no Marketo calls before this time. */
  marketoQuotaUntil?: number;
  /** When this state was first created: the Marketo change feed starts here. */
  startedAt?: number;
  /**
   * When this snapshot was saved. A run that dies after writing a failure activity and before its next save leaves
   * that activity unrecorded: after a resume the engine looks for activities dated from here before logging again.
   */
  savedAt?: number;
  /** Salesforce records Marketo could not take (or whose person vanished): read again next cycle. */
  sfRetry?: Record<string, SfObject>;
  /**
   * Write-ahead intents: field values the engine was about to write when this snapshot was last touched, for writes
   * whose outcome this snapshot does not hold yet (see WriteIntent). Absent when there are none.
   */
  intents?: WriteIntent[];
  /** The Salesforce fields each object synced in the last committed cycle: a field missing next time was hidden. */
  syncedFields?: Partial<Record<SfObject, string[]>>;
  /** Fields out of the field set since a cycle noticed it (see HiddenField), oldest first. Absent when none. */
  hiddenFields?: HiddenField[];
}

/**
 * A field the sync user lost sight of, with the change feeds' positions from before the cycle that noticed: edits
 * to it on either side from then on were invisible to the polls (a Salesforce poll cannot ask for it, and
 * leadchanges.json is asked only for synced fields). When it comes back, both feeds are read again from here.
 */
export interface HiddenField {
  object: SfObject;
  field: string;
  /** The object's Salesforce watermark then; absent: there was none (poll from the start). */
  sfWatermark?: string;
  /** The Marketo paging token then; absent: there was none (read from when the state began). */
  marketoToken?: string;
}

/**
 * A value the engine is about to write to one side of one linked pair, recorded durably before the write request
 * leaves. After a crash that lands between the write and the next save, the snapshot's ancestor is stale: if the
 * target side still holds `value`, the write happened and nothing changed there since, so `value` is the ancestor.
 */
export interface WriteIntent {
  personId: number;
  /** The record the pair synced with when the write was planned (an intent for a relinked pair is void). */
  sfId: string;
  /** Salesforce field name, as in the ancestor. */
  field: string;
  to: 'salesforce' | 'marketo';
  value: Canon;
}

export function emptyState(): EngineState {
  return { version: 1, links: {}, pendingPeople: {}, sfWatermark: {} };
}

/**
 * What changed since the last save of the same state object: the keys of the links that were added, edited or
 * deleted. A store may use it to write only those; without it (or for a state it did not save last) it writes all.
 */
export interface StateChanges {
  links: Iterable<string>;
}

export interface StateStore {
  /** The last saved snapshot, or undefined for a fresh start. */
  load(): Promise<EngineState | undefined>;
  /** Replaces the snapshot; resolves once it is durable. `changes` is a hint (see StateChanges). */
  save(state: EngineState, changes?: StateChanges): Promise<void>;
  /**
   * Replaces the intents of the last saved snapshot, leaving the rest of it as saved; resolves once durable. Optional:
   * without it the engine loads the snapshot, sets its `intents` and saves it back (same outcome, slower).
   */
  saveIntents?(intents: WriteIntent[]): Promise<void>;
}

/** The snapshot with `intents` replaced (dropped when empty), keys in place. */
function withIntents(rest: Record<string, unknown>, intents: WriteIntent[]): Record<string, unknown> {
  const out = { ...rest };
  if (intents.length > 0) out.intents = intents;
  else delete out.intents;
  return out;
}

/**
 * Up to this many links a save given `changes` also serializes every link and checks that nothing else changed
 * (the simulator's and the tests' worlds are this small): a change the engine did not report is a bug that would
 * lose data after a restart, so it fails loudly here instead.
 */
const CHECK_UP_TO = 2_000;

export class MemoryStateStore implements StateStore {
  private saved: MemorySnapshot | undefined;
  /** The state object of the last save: `changes` are relative to it. */
  private last: EngineState | undefined;
  saves = 0;
  /** Saves that serialized every link (the first of each state object, or one without `changes`). */
  fullSaves = 0;

  async load(): Promise<EngineState | undefined> {
    return this.snapshot();
  }

  async save(state: EngineState, changes?: StateChanges): Promise<void> {
    const { links: _links, intents, ...rest } = state;
    const prior = this.saved;
    let links: Map<string, SavedLink>;
    if (changes && prior && this.last === state) {
      const reported = changes.links;
      // Small: every unreported link is checked against the last save first (the saved map is never handed out:
      // snapshot() copies, so it is updated in place once the check passes).
      if (prior.links.size <= CHECK_UP_TO) checkUnreported(prior.links, state.links, reported);
      links = prior.links;
      for (const k of reported) put(links, state.links, k);
    } else {
      // A state this store did not save last (a fresh start, a reload after a failed cycle, a restart): every link.
      links = new Map();
      for (const k in state.links) put(links, state.links, k);
      this.fullSaves++;
    }
    this.saved = { rest: JSON.stringify(rest), order: Object.keys(state), links, intents: intents === undefined ? undefined : JSON.stringify(intents) };
    this.last = state;
    this.saves++;
  }

  async saveIntents(intents: WriteIntent[]): Promise<void> {
    if (!this.saved) {
      if (intents.length === 0) return;
      await this.save(emptyState());
    }
    const s = this.saved!;
    // As withIntents: in place when the snapshot has the key, else last (snapshot() orders them); none: dropped.
    this.saved =
      intents.length > 0 ? { ...s, intents: JSON.stringify(intents) } : { ...s, intents: undefined, order: s.order.filter((k) => k !== 'intents') };
  }

  /** The saved snapshot (a copy), for tests and the simulator's invariants. */
  snapshot(): EngineState | undefined {
    const s = this.saved;
    if (!s) return undefined;
    const rest = JSON.parse(s.rest) as Record<string, unknown>;
    // Person ids are integer keys, which objects order by value whatever the insertion order, as JSON.parse does.
    const links: Record<string, LinkState> = {};
    for (const [k, saved] of s.links) links[k] = JSON.parse(saved.json) as LinkState;
    const out: Record<string, unknown> = {};
    for (const k of s.order) {
      if (k === 'links') out[k] = links;
      else if (k !== 'intents') out[k] = rest[k];
      else if (s.intents !== undefined) out[k] = JSON.parse(s.intents) as unknown;
    }
    if (s.intents !== undefined && !('intents' in out)) out.intents = JSON.parse(s.intents) as unknown;
    return out as unknown as EngineState;
  }
}

/** A saved state as JSON text: the links one by one, so a save serializes only the links that changed. */
interface MemorySnapshot {
  /** Everything but `links` and `intents`. */
  rest: string;
  /** The state's keys in their order when it was saved. */
  order: string[];
  /** The write-ahead intents as JSON, apart: saveIntents replaces them without touching the rest. */
  intents: string | undefined;
  /** Person id → the link as saved. */
  links: Map<string, SavedLink>;
}

/** One link as saved: its JSON (the snapshot), and that JSON flattened once, for the unreported-change check. */
interface SavedLink {
  json: string;
  /** Read only by matchesFlat; made on first use (a store past CHECK_UP_TO never needs it). */
  flat?: unknown[];
}

function put(saved: Map<string, SavedLink>, links: Record<string, LinkState>, key: string): void {
  const v: unknown = links[key];
  if (Object.prototype.hasOwnProperty.call(links, key) && v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') {
    saved.set(key, { json: JSON.stringify(v) });
  } else saved.delete(key);
}

/**
 * Throws naming the links that differ from the last save without being reported. A link is compared as a walk
 * against its saved JSON flattened (a fraction of what serializing it costs: an idle cycle's saves reported nothing
 * and used to serialize every link to learn that); only a walk that finds a difference, or one it cannot judge,
 * serializes the link to decide.
 */
function checkUnreported(saved: Map<string, SavedLink>, links: Record<string, LinkState>, reported: Iterable<string>): void {
  const told = new Set(reported);
  const missed: string[] = [];
  for (const k in links) {
    if (told.has(k)) continue;
    const was = saved.get(k);
    const v: unknown = links[k];
    const gone = v === undefined || typeof v === 'function' || typeof v === 'symbol';
    if (was === undefined) {
      if (!gone) missed.push(k);
      continue;
    }
    if (gone) missed.push(k);
    else if (matchesFlat(v, (was.flat ??= flatten(JSON.parse(was.json) as unknown, [])), 0) !== was.flat.length && JSON.stringify(v) !== was.json) missed.push(k);
  }
  for (const k of saved.keys()) if (!told.has(k) && !Object.prototype.hasOwnProperty.call(links, k)) missed.push(k);
  if (missed.length > 0) {
    throw new Error(`MemoryStateStore: link(s) ${missed.slice(0, 5).join(', ')} changed without being reported in the save's changes (an engine bug: a restart would lose the change)`);
  }
}

/** Markers of a flattened JSON value (see flatten); symbols, so no JSON value equals one. */
const OBJECT = Symbol('object');
const ARRAY = Symbol('array');

/**
 * A parsed JSON value as one flat list, in JSON order: a primitive as itself; an object as OBJECT, its key count,
 * then each key followed by its value; an array as ARRAY, its length, then its elements.
 */
function flatten(value: unknown, out: unknown[]): unknown[] {
  if (value === null || typeof value !== 'object') out.push(value);
  else if (Array.isArray(value)) {
    out.push(ARRAY, value.length);
    for (const v of value) flatten(v, out);
  } else {
    const keys = Object.keys(value);
    out.push(OBJECT, keys.length);
    for (const k of keys) {
      out.push(k);
      flatten((value as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

/**
 * Where `value`'s match of `flat` from index `at` ends, or -1. A whole match means `value` serializes to the JSON
 * that `flat` was made from: same primitives, same own keys in the same order (leaving out what JSON.stringify
 * leaves out), same array lengths. What it does not model (toJSON, non-finite numbers, undefined or functions in
 * arrays) answers -1, which sends the caller to the exact comparison.
 */
function matchesFlat(value: unknown, flat: readonly unknown[], at: number): number {
  if (value === null || typeof value !== 'object') {
    return value === flat[at] && (typeof value !== 'number' || Number.isFinite(value)) ? at + 1 : -1;
  }
  const marker = flat[at];
  let i = at + 2;
  if (Array.isArray(value)) {
    if (marker !== ARRAY || value.length !== flat[at + 1]) return -1;
    for (const v of value) if ((i = matchesFlat(v, flat, i)) < 0) return -1;
    return i;
  }
  if (marker !== OBJECT || typeof (value as { toJSON?: unknown }).toJSON === 'function') return -1;
  // for-in walks a plain object's own keys in Object.keys order without allocating their array; an object with any
  // other prototype (which could lend it enumerable keys) is left to the exact comparison.
  if (Object.getPrototypeOf(value) !== Object.prototype) return -1;
  const count = flat[at + 1] as number;
  let seen = 0;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (seen++ === count || flat[i] !== k) return -1;
    if (v === null || typeof v !== 'object') {
      // Inline for the common case (an ancestor's values): saves a call per field.
      if (v !== flat[i + 1] || (typeof v === 'number' && !Number.isFinite(v))) return -1;
      i += 2;
    } else if ((i = matchesFlat(v, flat, i + 1)) < 0) return -1;
  }
  return seen === count ? i : -1;
}

export class FileStateStore implements StateStore {
  /** The last snapshot read or written, as JSON text: saveIntents rewrites it, never the engine's unsaved state. */
  private committed: string | undefined;

  constructor(readonly path: string) {}

  async load(): Promise<EngineState | undefined> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`state file ${this.path} is not valid JSON; restore it from a backup or delete it to start over`);
    }
    const state = parsed as Partial<EngineState>;
    if (state.version !== 1 || typeof state.links !== 'object') {
      throw new Error(`state file ${this.path} has an unknown layout (version ${String(state.version)})`);
    }
    this.committed = text;
    return state as EngineState;
  }

  /** Writes the whole file (`changes` are not used: one JSON document cannot be patched in place atomically). */
  async save(state: EngineState, _changes?: StateChanges): Promise<void> {
    this.write(JSON.stringify(state));
  }

  async saveIntents(intents: WriteIntent[]): Promise<void> {
    if (this.committed === undefined && (await this.load()) === undefined) {
      if (intents.length === 0) return;
      this.committed = JSON.stringify(emptyState());
    }
    this.write(JSON.stringify(withIntents(JSON.parse(this.committed!) as Record<string, unknown>, intents)));
  }

  /** Atomic replace: temporary file, fsync, rename. */
  private write(text: string): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    // fsync the directory so the rename itself survives a power loss.
    try {
      const dfd = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      // Some platforms cannot open a directory; the rename is still atomic.
    }
    this.committed = text;
  }
}

/** Two failures are "the same" when operation, code, message and fields match: one activity each. */
export function failureKey(f: Pick<PendingFailure, 'operation' | 'errorCode' | 'message' | 'fields'>): string {
  return JSON.stringify([f.operation, f.errorCode, f.message, [...f.fields].sort()]);
}
