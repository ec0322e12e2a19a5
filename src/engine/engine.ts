/**
 * The sync engine: Marketo persons ⇄ Salesforce leads and contacts, over
 * HTTP only (DESIGN §1 and §4 are its specification).
 *
 * A cycle:
 *   1. read the setup changes (SetupAuditTrail) and poll Salesforce (Contact,
 *      then Lead, SystemModstamp past the watermark minus a look-back) in one
 *      Composite call; describe Lead and Contact as the sync user (the field
 *      set) only when due: at start, after a setup change or an INVALID_FIELD
 *      answer, and every `describeEvery` cycles; polled again only when the
 *      field set the polls asked for is not the new describe's
 *   2. settle lead creates whose answer was lost (never two leads per person)
 *   3. poll Marketo (leadchanges.json past the paging token)
 *   4. follow deletes, merges and conversions (relink, sfdcIsDeleted)
 *   5. per linked pair, a per-field three-way merge against the ancestor
 *   6. batched writes to both sides, per-record results honoured; rejections
 *      stay pending with one failure activity per distinct failure
 *   7. new Salesforce records become people (upsert on their Salesforce id)
 *   8. save state, then move the watermarks and save again
 * Sync Person to SFDC runs the same pair logic at once, outside the schedule.
 */
import type { Clock } from '../sim/clock.ts';
import { LINK_FIELDS, resolveFieldSet, SYSTEM_FIELDS, type MarketoFieldInfo, type SfFieldInfo } from './field-map.ts';
import { FailureLog, type FailureItem } from './failure-log.ts';
import { LinkBook } from './link-book.ts';
import type { FetchFn } from './fetch-fn.ts';
import { MarketoClient, type LeadChange, type MarketoConfig, type MarketoPerson, type MarketoSyncResult } from './marketo.ts';
import { mergeFields, type FieldOutcome } from './merge.ts';
import { canon, parseDateTime, sameValue, toMarketo, toSalesforce } from './normalize.ts';
import { ApiError, backoffDelay, DEFAULT_RETRY, isTransient, QuotaExhausted, type RetryPolicy } from './retry.ts';
import { SalesforceClient, type QueryAnswer, type SalesforceConfig, type SfSaveResult, type SoqlRead } from './salesforce.ts';
import { changedRowsQuery, createdLeadQuery, rowsByIdQuery, setupChangesQuery } from './soql.ts';
import { DEFAULT_INTERVAL_MS, Schedule } from './schedule.ts';
import {
  emptyState,
  failureKey,
  type EngineState,
  type HiddenField,
  type LinkState,
  type PendingFailure,
  type PendingPerson,
  type StateStore,
  type WriteIntent,
} from './state-store.ts';
import { SF_OBJECTS, type Canon, type MappedField, type SfObject, type Trace, type TraceEvent, type WinnerPolicy } from './types.ts';

export interface EngineOptions {
  clock: Clock;
  salesforce: SalesforceConfig;
  marketo: MarketoConfig;
  store: StateStore;
  /** Wait after a cycle ends before the next one (default 5 minutes). */
  intervalMs?: number;
  winner?: WinnerPolicy;
  /** OwnerId for leads created by Sync Person to SFDC; Salesforce's default (the sync user) otherwise. */
  defaultLeadOwnerId?: string;
  trace?: Trace;
  /** The name of a deliberately broken variant, for checking that the conformance suite catches it. */
  mutant?: string;
  retry?: RetryPolicy;
  /** How far before the watermark each poll looks again (rows can commit with an older stamp). Default 60 s. */
  lookBackMs?: number;
  /** Both clients send through this fetch (the simulator's in-process transport); default: the real network. */
  fetch?: FetchFn;
  /**
   * Describe Lead and Contact at least every this many cycles even when SetupAuditTrail shows no setup change
   * (default 12: hourly at the 5-minute interval). A safety net: the audit trail records what Setup changes, not
   * necessarily everything that changes what the sync user sees (a managed package's install, a change made by
   * Salesforce itself), and the Marketo describe rides on it for new custom fields.
   */
  describeEvery?: number;
}

export interface CycleReport {
  cycle: number;
  ok: boolean;
  error?: string;
  sfCalls: number;
  mktoCalls: number;
  peopleCreated: number;
  sfUpdated: number;
  mktoUpdated: number;
  rejected: number;
}

export interface SyncPersonResult {
  personId: number;
  outcome: 'created' | 'updated' | 'unchanged' | 'rejected' | 'failed';
  sfId?: string;
  error?: { errorCode: string; message: string; fields: string[] };
}

/**
 * Deliberately broken variants (see EngineOptions.mutant), for checking that the conformance suite catches each
 * one. The list and what each breaks is src/sim/mutants.ts; these are the same names, each implemented below.
 */
export const MUTANTS = [
  'salesforce-wins-leads',
  'echo-by-last-modified-by',
  'no-retry-on-lock',
  'log-failure-every-cycle',
  'write-hidden-fields',
  'watermark-before-write',
  'flow-action-no-duplicate-check',
] as const;
export type MutantName = (typeof MUTANTS)[number];

/** The mutant named in the options, checked: an unknown name is a mistake, not the reference engine. */
export function checkMutant(name: string | undefined): MutantName | undefined {
  if (name === undefined) return undefined;
  if ((MUTANTS as readonly string[]).includes(name)) return name as MutantName;
  throw new Error(`unknown engine mutant "${name}"; the mutants are: ${MUTANTS.join(', ')}`);
}


/** Answers that mean the field set is stale: Salesforce's unknown/unwritable field, Marketo's unknown field. */
const SCHEMA_CODES = new Set(['INVALID_FIELD', 'INVALID_FIELD_FOR_INSERT_UPDATE', '1006']);

/** describeEvery's default: hourly at the 5-minute interval. */
export const DEFAULT_DESCRIBE_EVERY = 12;

/** A read of rows by id riding in the field set's Composite call, with the select list it asked for. */
type ByIdRead = { object: SfObject; ids: string[]; soql: string; select: string };

/** The Marketo field that holds a person's Salesforce id, per object. */
const LINK_ID_FIELD = { Lead: 'sfdcLeadId', Contact: 'sfdcContactId' } as const satisfies Record<SfObject, string>;

/** New Salesforce records made into people per round (ten Marketo batches of 300). */
const CREATE_CHUNK = 3000;

/** Marketo's New Lead activity type (leadchanges.json returns it with Change Data Value, 13). */
const ACTIVITY_NEW_LEAD = 12;

/** Salesforce answers that mean "the record moved on" (deleted, converted): the next poll shows why, so retry quietly. */
const LIFECYCLE_CODES = new Set(['ENTITY_IS_DELETED', 'CANNOT_UPDATE_CONVERTED_LEAD']);

type SfRow = Record<string, unknown> & { Id: string };

interface FieldSets {
  Lead: MappedField[];
  Contact: MappedField[];
  /** System fields the sync user can read, per object. */
  system: Record<SfObject, string[]>;
}

/**
 * What every cycle asks of a field set, made once per field set: a new FieldSets comes only from a describe, and the
 * cycles in between (most of them) read the same lists. Shared arrays: callers read them, never change them.
 */
interface FieldSetLists {
  /** The Salesforce select list per object (selectList) and the same joined with ',' to compare two lists by. */
  select: Record<SfObject, { fields: readonly string[]; key: string }>;
  /** The synced Salesforce field names per object (followFieldSetChanges). */
  synced: Record<SfObject, readonly string[]>;
  mktoRead: readonly string[];
  mktoChange: readonly string[];
  /** Mapped fields by lower-cased Marketo name, the first one where two share it (isEcho's look-up). */
  byMkto: Record<SfObject, ReadonlyMap<string, MappedField>>;
}

/** syncPairs' queued Salesforce update of one record. */
interface SfWrite {
  pair: Pair;
  record: SfRow;
  outcomes: FieldOutcome[];
}

/** syncPairs' queued Marketo update of one person (`pair` absent when only its link fields are written). */
interface MkWrite {
  record: Record<string, unknown>;
  pair?: Pair;
  outcomes: FieldOutcome[];
}

/** What syncPairs' planning step queues: the writes per side and the fields both sides agree on. */
interface PlannedWrites {
  sf: Record<SfObject, SfWrite[]>;
  mk: Map<number, MkWrite>;
  agreed: Map<Pair, FieldOutcome[]>;
}

/** A linked pair being synced in this cycle. */
interface Pair {
  link: LinkState;
  row?: SfRow;
  person?: MarketoPerson;
  /** Read the Salesforce row even when the ancestor could stand in for it. */
  fresh?: boolean;
}

export class SyncEngine {
  readonly schedule: Schedule<CycleReport>;
  readonly sf: SalesforceClient;
  readonly mkto: MarketoClient;
  private readonly failures: FailureLog;
  private state: EngineState | undefined;
  /** The links of `state`, indexed by Salesforce id; set whenever `state` is. */
  private book!: LinkBook;
  private fieldSets: FieldSets | undefined;
  private readonly lists = new WeakMap<FieldSets, FieldSetLists>();
  /**
   * Rows of pending pairs and retries read by id in the cycle's Composite call (with the columns of this cycle's field
   * set), for readByIds to take instead of a call of its own; only during the cycle that read them.
   */
  private prefetched: Partial<Record<SfObject, { ids: ReadonlySet<string>; rows: SfRow[] }>> = {};
  private mktoFields: MarketoFieldInfo[] | undefined;
  private mktoDescribedAt = -Infinity;
  private readonly fieldSignature: Partial<Record<SfObject, string>> = {};
  /** The write-hidden-fields mutant's memory: every field ever mapped, per object. */
  private readonly everMapped: Record<SfObject, Map<string, MappedField>> = { Lead: new Map(), Contact: new Map() };
  private cycleNo = 0;
  /** The cycle of the last describe of Lead and Contact (the safety net counts from it). */
  private describedInCycle = -Infinity;
  /** Describe at the next cycle's start: a write was refused for a field (INVALID_FIELD_FOR_INSERT_UPDATE...). */
  private describeDue = false;
  private readonly describeEvery: number;
  /**
   * Where the engine stands in SetupAuditTrail: the newest CreatedDate seen (queried again from a look-back before
   * it, like the record polls) and the rows already acted on, so one setup change causes one describe. In memory
   * only: a restarted engine describes anyway.
   */
  private setupChanges: { since: number; seen: Map<string, number> } | undefined;
  /** SetupAuditTrail cannot be read (no View Setup and Configuration, or no such object): describe every cycle. */
  private setupChangesRefused = false;
  private busy: Promise<unknown> = Promise.resolve();
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly lookBackMs: number;
  private readonly mutantName: MutantName | undefined;
  /** Set on a resume from the store: failure activities after this time may be unrecorded (see FailureLog.log). */
  private unsureSince: number | undefined;
  /** Deleted records without a link whose people were already looked up (flagPeopleOfUnlinkedDeletes). */
  private readonly unlinkedDeletesChecked = new Set<string>();
  /**
   * Failures that cleared before their activity could be written (Marketo failed that write): logged late, with the
   * cycle's other failures, so a rejection that clears fast is still on record. Dropped with the state on a reload.
   */
  private lateFailures: FailureItem[] = [];
  /**
   * Write-ahead intents (see WriteIntent) known to this run. `held`: the in-memory state holds the write's outcome (or
   * the intent was applied to its ancestor), so the next save makes it redundant; otherwise the save keeps it.
   */
  private intents: Array<{ intent: WriteIntent; held: boolean }> = [];

  constructor(private readonly opts: EngineOptions) {
    this.mutantName = checkMutant(opts.mutant);
    this.clock = opts.clock;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.lookBackMs = opts.lookBackMs ?? 60_000;
    this.describeEvery = opts.describeEvery ?? DEFAULT_DESCRIBE_EVERY;
    if (!Number.isInteger(this.describeEvery) || this.describeEvery < 1) {
      throw new Error(`EngineOptions.describeEvery must be a whole number of cycles, at least 1, not ${JSON.stringify(opts.describeEvery)}`);
    }
    const onRetry = (system: 'salesforce' | 'marketo') => (operation: string, attempt: number, delayMs: number, err: unknown) =>
      this.emit({ type: 'retry', at: this.clock.now(), system, operation, attempt, delayMs, error: describeError(err) });
    this.sf = new SalesforceClient(opts.salesforce, {
      clock: opts.clock,
      retry: this.retry,
      onRetry: onRetry('salesforce'),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    this.mkto = new MarketoClient(opts.marketo, {
      clock: opts.clock,
      retry: this.retry,
      onRetry: onRetry('marketo'),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    this.failures = new FailureLog(this.mkto, opts.clock, (e) => this.emit(e), this.mutantName === 'log-failure-every-cycle');
    this.schedule = new Schedule<CycleReport>(opts.clock, opts.intervalMs ?? DEFAULT_INTERVAL_MS, () => this.runCycle());
  }

  // ---- public API ------------------------------------------------------------------------------

  /** Runs one sync cycle now (serialized with other engine work). Never throws: failures are in the report. */
  runCycle(): Promise<CycleReport> {
    return this.exclusive(() => this.cycle());
  }

  /** The flow action "Sync Person to SFDC": create the lead when unlinked, else push the person now. */
  syncPersonToSfdc(personId: number): Promise<SyncPersonResult> {
    return this.exclusive(async () => {
      try {
        return await this.syncPerson(personId);
      } catch (err) {
        // A flow action reports its failure; whatever is pending is settled by the next cycle, from committed state.
        this.state = undefined;
        return { personId, outcome: 'failed', error: { errorCode: err instanceof ApiError ? err.code : 'ERROR', message: describeError(err), fields: [] } };
      } finally {
        this.prefetched = {};
      }
    });
  }

  /** Real-time loop (RealClock). On a VirtualClock drive `schedule.runDue()` instead. */
  start(): void {
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /** API calls sent so far, per system. */
  calls(): { salesforce: number; marketo: number } {
    return { salesforce: this.sf.calls, marketo: this.mkto.calls };
  }

  // ---- plumbing ----------------------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const start = () => {
      // Links the last operation held cannot change any more: saves write only what this one touches.
      this.book?.release();
      return fn();
    };
    const run = this.busy.then(start, start);
    this.busy = run.catch(() => undefined);
    return run;
  }

  private emit(event: TraceEvent): void {
    this.opts.trace?.(event);
  }

  private mutant(name: MutantName): boolean {
    return this.mutantName === name;
  }

  private winnerPolicy(): WinnerPolicy | undefined {
    if (!this.mutant('salesforce-wins-leads')) return this.opts.winner;
    // Broken on purpose: wherever Marketo would win a lead field, Salesforce does.
    const fields: WinnerPolicy['fields'] = { ...this.opts.winner?.fields };
    for (const key of Object.keys(fields) as Array<keyof typeof fields>) if (key.startsWith('Lead.')) fields[key] = 'salesforce';
    return { ...this.opts.winner, Lead: 'salesforce', fields };
  }

  private async loadState(): Promise<EngineState> {
    if (!this.state) {
      const loaded = await this.opts.store.load();
      if (loaded) {
        // Intents live beside the state, not in it: the engine decides at each save which ones still matter.
        this.intents = (loaded.intents ?? []).map((intent) => ({ intent, held: false }));
        this.lateFailures = [];
        delete loaded.intents;
        this.state = loaded;
        this.book = new LinkBook(loaded.links);
        // Resumed (a restart, or after a failed cycle): whatever ran since that save may have logged failures.
        this.unsureSince = loaded.savedAt ?? loaded.startedAt ?? 0;
      } else {
        // Saved at once: the Marketo change feed starts here even if this run dies before its first commit.
        this.state = { ...emptyState(), startedAt: this.clock.now() };
        this.book = new LinkBook(this.state.links);
        this.intents = [];
        await this.save();
      }
    }
    return this.state;
  }

  /** `linksUnchanged`: no link was edited since the last save, so only links touched since then are written. */
  private async save(opts: { linksUnchanged?: boolean } = {}): Promise<void> {
    if (!this.state) return;
    this.state.savedAt = this.clock.now();
    // Intents whose outcome the state now holds are done; those of pairs not merged since the resume stay.
    const links = this.state.links;
    const keep = this.intents.filter((x) => !x.held && Object.prototype.hasOwnProperty.call(links, String(x.intent.personId)));
    if (keep.length > 0) this.state.intents = keep.map((x) => x.intent);
    try {
      await this.opts.store.save(this.state, { links: opts.linksUnchanged ? this.book.unsavedKeys() : this.book.changedKeys() });
    } finally {
      delete this.state.intents;
    }
    this.book.saved();
    this.intents = keep;
  }

  /**
   * Records the values about to be written, durably, before the write leaves: the last saved snapshot plus the
   * intents, never the unfinished in-memory state (a cleared sfRetry, an unsent delete flag).
   */
  private async writeAhead(intents: WriteIntent[]): Promise<void> {
    if (intents.length === 0) return;
    for (const intent of intents) this.intents.push({ intent, held: true });
    const all = this.intents.map((x) => x.intent);
    const store = this.opts.store;
    if (store.saveIntents) {
      await store.saveIntents(all);
      return;
    }
    const committed = await store.load();
    if (!committed) return;
    committed.intents = all;
    await store.save(committed);
  }

  /**
   * New rejections, made durable before the next request leaves (the failure activity's may be the one a crash
   * strikes): each goes onto its link in the last saved snapshot, unlogged, as the link holds it now. A run that dies
   * before logging them (or whose cycle fails) leaves them to the next run, which logs them once: at once if they
   * still stand, late if they cleared first (clearFailure); after a resume it first looks for an activity this run may
   * have written (unsureSince). Like writeAhead, only the failure is added to the snapshot, never the unfinished state.
   */
  private async keepFailuresAhead(failures: ReadonlyArray<{ link: LinkState; failure: PendingFailure }>): Promise<void> {
    if (failures.length === 0) return;
    const committed = await this.opts.store.load();
    if (!committed) return;
    let changed = false;
    for (const { link, failure } of failures) {
      const saved = committed.links[String(link.personId)];
      // Not linked so in the snapshot (linked or relinked since): nothing there to retry it from.
      if (!saved || saved.sfId !== link.sfId || saved.object !== link.object) continue;
      if (saved.failure && failureKey(saved.failure) === failureKey(failure) && saved.logged.join('\n') === link.logged.join('\n')) continue;
      saved.failure = failure;
      saved.logged = [...link.logged];
      changed = true;
    }
    if (changed) await this.opts.store.save(committed);
  }

  /** A write whose outcome is unknown (it timed out after retries): its intents outlive the next save. */
  private unsure(personIds: ReadonlySet<number>, to: WriteIntent['to']): void {
    for (const x of this.intents) if (x.intent.to === to && personIds.has(x.intent.personId)) x.held = false;
  }

  /**
   * After a resume, the pair's intents settle its stale ancestor: a target side that still holds the intended value
   * took the write and has not changed since, so that value is the ancestor; any other value voids the intent (the
   * write never landed, or someone edited the field since). Either way the state now holds what the intent said.
   */
  private applyIntents(link: LinkState, sfValues: Record<string, Canon> | undefined, mkValues: Record<string, Canon>): void {
    for (const x of this.intents) {
      const i = x.intent;
      if (x.held || i.personId !== link.personId) continue;
      x.held = true;
      if (i.sfId !== link.sfId) continue;
      const target = i.to === 'salesforce' ? sfValues : mkValues;
      if (!target) {
        x.held = false; // no Salesforce row read: decide next time
        continue;
      }
      if (sameValue(target[i.field] ?? null, i.value)) link.ancestor[i.field] = i.value;
    }
  }

  // ---- field sets ------------------------------------------------------------------------------

  /**
   * Sync Person to SFDC's field set (fieldSetWith, as the cycle's: a create naming a field the sync user lost is
   * refused), with `want`'s rows by id in the same call, left for readByIds when the columns did not change; a
   * refused read is read again the usual way.
   */
  private async describeWith(want: { object: SfObject; ids: string[] } | undefined): Promise<FieldSets> {
    const byId = this.byIdReads(want ? [want] : []);
    const { sets, answers } = await this.fieldSetWith(byId.map((q) => ({ soql: q.soql, all: true })));
    this.keepPrefetched(byId, answers, sets);
    return sets;
  }

  /**
   * The cycle's field set (fieldSetWith) and Salesforce poll in one Composite call: [SetupAuditTrail, (describes),
   * query Contact, query Lead, rows by id…]. The queries ask for the field set of the last describe; where the new
   * one selects other columns (a permission or schema change, or no describe yet since the start) or a query failed,
   * those rows are dropped and polled again with the new field set: one more call, only then. Contact before Lead, as
   * the poll order requires: when Contact is polled again, so is Lead, after it.
   */
  private async describeAndPoll(state: EngineState): Promise<{ sets: FieldSets; polled: Record<SfObject, SfRow[]> }> {
    const before = this.fieldSets;
    const order = ['Contact', 'Lead'] as const;
    const asked = before ? order.map((object) => this.pollQuery(before, object, state)) : [];
    // Rows the cycle will read by id whatever the poll shows (pending pairs, retries) ride along too.
    const byId = this.byIdReads(before ? this.rowsWanted(state) : []);
    const { sets, answers } = await this.fieldSetWith([...asked, ...byId].map((q) => ({ soql: q.soql, all: true })));
    const rewound = this.followFieldSetChanges(state, sets);
    this.keepPrefetched(byId, answers.slice(asked.length), sets);
    const polled: Record<SfObject, SfRow[]> = { Lead: [], Contact: [] };
    const stale = this.keepFreshPolls(sets, order, asked, answers, rewound, polled);
    if (stale.length > 0) {
      if (before) {
        const why = answers.slice(0, asked.length).map((a) => a.error).find((e) => e !== undefined);
        this.emit({ type: 'skip', at: this.clock.now(), reason: `${why ? `${why.code}: ` : ''}poll of ${stale.join(', ')} asked for the last field set; polled again with the new one` });
      }
      await this.pollAgain(state, sets, stale, polled);
    }
    return { sets, polled };
  }

  /**
   * describeAndPoll's answers that asked for the field set in force, into `polled`; returns the objects to poll
   * again (every one after the first stale one, as before).
   */
  private keepFreshPolls(
    sets: FieldSets,
    order: readonly SfObject[],
    asked: ReadonlyArray<{ soql: string; select: string }>,
    answers: readonly QueryAnswer[],
    rewound: readonly SfObject[],
    polled: Record<SfObject, SfRow[]>,
  ): SfObject[] {
    const stale: SfObject[] = [];
    order.forEach((object, i) => {
      const rows = answers[i]?.rows;
      const sameColumns = asked[i] !== undefined && asked[i]!.select === this.listsOf(sets).select[object].key;
      if (rows && sameColumns && stale.length === 0 && !rewound.includes(object)) polled[object] = rows as SfRow[];
      else stale.push(object);
    });
    return stale;
  }

  private async pollAgain(state: EngineState, sets: FieldSets, stale: readonly SfObject[], polled: Record<SfObject, SfRow[]>): Promise<void> {
    const again = await this.sf.queryMany(stale.map((object) => ({ soql: this.pollQuery(sets, object, state).soql, all: true })));
    stale.forEach((object, i) => (polled[object] = again[i] as SfRow[]));
  }

  /**
   * The field set, with `reads` in the same Composite call: [SetupAuditTrail since the last position, describe Lead
   * and describe Contact when one is due (describeFirst), reads…]. The audit read goes before the describes: every
   * row it shows was made before they ran, so they cover it. Otherwise the describes follow in a call of their own
   * only when the audit answer shows a setup change not acted on yet, the audit read failed, or a read was refused
   * for a field (INVALID_FIELD: one gone since). The answers are the reads' own, in order.
   */
  private async fieldSetWith(reads: readonly SoqlRead[]): Promise<{ sets: FieldSets; answers: QueryAnswer[] }> {
    const first = this.describeFirst();
    const audit = this.setupChangesRefused ? [] : [{ soql: setupChangesQuery(this.setupChangesFrom()) }];
    const reply = await this.sf.describeAndQuery(first ? SF_OBJECTS : [], [...audit, ...reads], { leading: audit.length });
    const auditAnswer = audit.length > 0 ? reply.answers[0] : undefined;
    const answers = reply.answers.slice(audit.length);
    const changes = this.newSetupChanges(auditAnswer);
    let sets: FieldSets;
    if (first) sets = await this.fieldSetsOf(reply.described);
    else if (changes.length > 0 || auditAnswer?.rows === undefined || answers.some((a) => a.error && SCHEMA_CODES.has(a.error.code))) {
      sets = await this.fieldSetsOf(await this.sf.describeMany(SF_OBJECTS));
    } else sets = this.fieldSets!;
    // Acted on: the describe ran after every row the audit answer holds.
    this.noteSetupChanges(changes);
    return { sets, answers };
  }

  /** Reads of rows by id in the last describe's columns, to ride in the field set's call (none before a describe). */
  private byIdReads(wanted: ReadonlyArray<{ object: SfObject; ids: string[] }>): ByIdRead[] {
    const before = this.fieldSets;
    if (!before) return [];
    return wanted.map(({ object, ids }) => {
      const { fields, key } = this.listsOf(before).select[object];
      return { object, ids, soql: rowsByIdQuery(object, fields, ids), select: key };
    });
  }

  /** Keeps for readByIds the rows of each by-id read whose columns are still the field set's. */
  private keepPrefetched(byId: readonly ByIdRead[], answers: readonly QueryAnswer[], sets: FieldSets): void {
    this.prefetched = {};
    byId.forEach((q, j) => {
      const rows = answers[j]?.rows;
      if (rows && q.select === this.listsOf(sets).select[q.object].key) this.prefetched[q.object] = { ids: new Set(q.ids), rows: rows as SfRow[] };
    });
  }

  /** Describes in the cycle's Composite call: no field set yet, a refusal asked for one, the safety net, or no audit trail. */
  private describeFirst(): boolean {
    return this.fieldSets === undefined || this.describeDue || this.setupChangesRefused || this.cycleNo - this.describedInCycle >= this.describeEvery;
  }

  /** The audit query's start: a look-back before the newest row seen (or before now, the first time). */
  private setupChangesFrom(): number {
    return (this.setupChanges?.since ?? this.clock.now()) - this.lookBackMs;
  }

  /**
   * The audit answer's rows not acted on yet. A refused query (no View Setup and Configuration, or no such object:
   * INVALID_TYPE) turns the audit trail off for this engine: it describes every cycle from now on, as before the
   * audit trail was used, and says so once. A transient failure only makes this cycle describe.
   */
  private newSetupChanges(answer: QueryAnswer | undefined): Array<{ id: string; at: number }> {
    if (!answer) return [];
    if (answer.error) {
      if (!answer.error.transient) {
        this.setupChangesRefused = true;
        this.emit({ type: 'skip', at: this.clock.now(), reason: `SetupAuditTrail unreadable (${answer.error.code}: ${answer.error.message}): describing Lead and Contact every cycle` });
      }
      return [];
    }
    const seen = this.setupChanges?.seen;
    const out: Array<{ id: string; at: number }> = [];
    for (const row of answer.rows) {
      const id = String(row.Id);
      if (seen?.has(id)) continue;
      out.push({ id, at: parseDateTime(String(row.CreatedDate)) ?? this.clock.now() });
    }
    // No position yet (a start): it begins now; the start's describe covers whatever came before.
    if (!this.setupChanges) this.setupChanges = { since: this.clock.now(), seen: new Map() };
    return out;
  }

  /** Remembers rows acted on and moves the position; forgets rows the look-back no longer reaches. */
  private noteSetupChanges(rows: ReadonlyArray<{ id: string; at: number }>): void {
    const mark = this.setupChanges;
    if (!mark) return;
    for (const r of rows) {
      mark.seen.set(r.id, r.at);
      if (r.at > mark.since) mark.since = r.at;
    }
    // The query's literal is cut to the second: keep a second more than the look-back.
    const oldest = mark.since - this.lookBackMs - 1000;
    for (const [id, at] of mark.seen) if (at < oldest) mark.seen.delete(id);
  }

  /**
   * Notes fields that left the field set since the last committed cycle (HiddenField: where both change feeds stood
   * before this cycle), and for fields back in it, moves both feeds back to there: edits made to them meanwhile, on
   * either side, were invisible to the polls, and a record created meanwhile has no ancestor for them. Without
   * this, such an edit surfaces only if the record changes again (or by luck of the look-back), and the pair never
   * converges on that field. Returns the objects whose poll must be run again from the moved watermark.
   */
  private followFieldSetChanges(state: EngineState, sets: FieldSets): SfObject[] {
    const rewound: SfObject[] = [];
    const backAll: HiddenField[] = [];
    const age = state.hiddenFields ?? [];
    const synced = this.listsOf(sets).synced;
    for (const object of SF_OBJECTS) {
      const now = synced[object] as string[];
      const was = state.syncedFields?.[object];
      // The usual cycle, nothing hidden and the same fields as last time: nothing left the field set or came back.
      const same = was !== undefined && (was === now || (was.length === now.length && was.every((f, i) => f === now[i])));
      if (was && !(same && state.hiddenFields === undefined)) {
        const hidden = state.hiddenFields ?? [];
        for (const field of was) {
          if (now.includes(field) || hidden.some((h) => h.object === object && h.field === field)) continue;
          const wm = state.sfWatermark[object];
          hidden.push({ object, field, ...(wm !== undefined ? { sfWatermark: wm } : {}), ...(state.marketoToken !== undefined ? { marketoToken: state.marketoToken } : {}) });
        }
        const back = hidden.filter((h) => h.object === object && now.includes(h.field));
        if (back.length > 0) {
          // Oldest first: the first entry back holds the earliest positions.
          const from = back[0]!;
          const wm = state.sfWatermark[object];
          if (from.sfWatermark === undefined) delete state.sfWatermark[object];
          else if (wm === undefined || from.sfWatermark < wm) state.sfWatermark[object] = from.sfWatermark;
          backAll.push(...back);
          rewound.push(object);
          this.emit({ type: 'skip', at: this.clock.now(), reason: `${back.map((h) => `${object}.${h.field}`).join(', ')} back in the field set: both change feeds read again from before it was hidden` });
        }
        const left = hidden.filter((h) => !back.includes(h));
        if (left.length > 0) state.hiddenFields = left;
        else delete state.hiddenFields;
      }
      (state.syncedFields ??= {})[object] = now;
    }
    // Entries are kept oldest first, across objects: the earliest one back holds the earliest Marketo token.
    const first = backAll.sort((a, b) => age.indexOf(a) - age.indexOf(b))[0];
    if (first) {
      if (first.marketoToken === undefined) delete state.marketoToken;
      else state.marketoToken = first.marketoToken;
    }
    return rewound;
  }

  /**
   * Salesforce ids the cycle reads by id unless the poll has them: pending pairs (their rows are merged fresh) and
   * records Marketo could not take last time; per object, one query's worth (≤200), else left to readByIds.
   */
  private rowsWanted(state: EngineState): Array<{ object: SfObject; ids: string[] }> {
    const ids: Record<SfObject, Set<string>> = { Lead: new Set(), Contact: new Set() };
    for (const link of this.book.peekPending()) ids[link.object].add(link.sfId);
    for (const [id, object] of Object.entries(state.sfRetry ?? {})) ids[object].add(id);
    return SF_OBJECTS.filter((o) => ids[o].size > 0 && ids[o].size <= 200).map((object) => ({ object, ids: [...ids[object]] }));
  }

  /** The field sets from a describe of both objects (and Marketo's, described again when it may be stale). */
  private async fieldSetsOf(described: Record<string, SfFieldInfo[]>): Promise<FieldSets> {
    const sfFields: Record<SfObject, SfFieldInfo[]> = { Lead: described.Lead ?? [], Contact: described.Contact ?? [] };
    const customs = [...sfFields.Lead, ...sfFields.Contact].filter((f) => /__c$/i.test(f.name)).map((f) => f.name.toLowerCase());
    const known = new Set((this.mktoFields ?? []).map((f) => f.name.toLowerCase()));
    // Marketo's schema changes rarely: describe it at start, when Salesforce shows a custom field Marketo did not
    // have (at most hourly), and after an unknown-field answer (SCHEMA_CODES).
    const stale = this.mktoFields === undefined || (customs.some((c) => !known.has(c)) && this.clock.now() - this.mktoDescribedAt > 3_600_000);
    if (stale) {
      this.mktoFields = await this.mkto.describe();
      this.mktoDescribedAt = this.clock.now();
    }
    const sets: FieldSets = { Lead: [], Contact: [], system: { Lead: [], Contact: [] } };
    for (const object of SF_OBJECTS) this.resolveFieldSetOf(sets, object, sfFields[object]);
    this.fieldSets = sets;
    this.describedInCycle = this.cycleNo;
    this.describeDue = false;
    return sets;
  }

  /** fieldSetsOf for one object (a step of its own: small functions are cheap for V8 to compile, issue 8). */
  private resolveFieldSetOf(sets: FieldSets, object: SfObject, described: SfFieldInfo[]): void {
    sets[object] = resolveFieldSet(object, described, this.mktoFields!);
    if (this.mutant('write-hidden-fields')) sets[object] = this.ignoreFieldSecurity(object, sets[object], described);
    const visible = new Set(described.map((f) => f.name));
    sets.system[object] = SYSTEM_FIELDS[object].filter((f) => visible.has(f));
    const readable = sets[object].map((f) => f.sf);
    const updateable = sets[object].filter((f) => f.updateable).map((f) => f.sf);
    // Trace the field set when it changes (first describe, permission or schema change), not every cycle.
    const signature = JSON.stringify([readable, updateable]);
    if (this.fieldSignature[object] !== signature) {
      this.fieldSignature[object] = signature;
      this.emit({ type: 'describe', at: this.clock.now(), object, readable, updateable });
    }
  }

  /**
   * Broken on purpose (write-hidden-fields): field-level security is ignored. A field once mapped stays mapped after
   * the sync user loses sight of it, and every field that is not a formula counts as creatable and updatable.
   */
  private ignoreFieldSecurity(object: SfObject, fields: MappedField[], described: readonly SfFieldInfo[]): MappedField[] {
    const calculated = new Set(described.filter((f) => f.calculated === true).map((f) => f.name));
    const memory = this.everMapped[object];
    for (const f of fields) memory.set(f.sf, calculated.has(f.sf) ? f : { ...f, createable: true, updateable: true });
    return [...memory.values()];
  }

  private mktoReadFields(sets: FieldSets): readonly string[] {
    return this.listsOf(sets).mktoRead;
  }

  private mktoChangeFields(sets: FieldSets): readonly string[] {
    return this.listsOf(sets).mktoChange;
  }

  private selectList(sets: FieldSets, object: SfObject): readonly string[] {
    return this.listsOf(sets).select[object].fields;
  }

  /** The field set's lists (FieldSetLists), made on first use. */
  private listsOf(sets: FieldSets): FieldSetLists {
    const known = this.lists.get(sets);
    if (known) return known;
    const read = new Set<string>(['id', ...LINK_FIELDS]);
    const change = new Set<string>();
    for (const object of SF_OBJECTS) {
      for (const f of sets[object]) {
        read.add(f.mkto);
        change.add(f.mkto);
      }
    }
    const selectOf = (object: SfObject) => {
      const names = new Set<string>(['Id', ...sets.system[object]]);
      for (const f of sets[object]) names.add(f.sf);
      if (this.mutant('echo-by-last-modified-by')) names.add('LastModifiedById');
      const fields = [...names];
      return { fields, key: fields.join(',') };
    };
    const byMktoOf = (object: SfObject) => {
      const map = new Map<string, MappedField>();
      for (const f of sets[object]) {
        const name = f.mkto.toLowerCase();
        if (!map.has(name)) map.set(name, f);
      }
      return map;
    };
    const lists: FieldSetLists = {
      select: { Lead: selectOf('Lead'), Contact: selectOf('Contact') },
      synced: { Lead: sets.Lead.map((f) => f.sf), Contact: sets.Contact.map((f) => f.sf) },
      mktoRead: [...read],
      mktoChange: change.size > 0 ? [...change] : ['email'],
      byMkto: { Lead: byMktoOf('Lead'), Contact: byMktoOf('Contact') },
    };
    this.lists.set(sets, lists);
    return lists;
  }

  // ---- the cycle -------------------------------------------------------------------------------

  private async cycle(): Promise<CycleReport> {
    const cycle = ++this.cycleNo;
    const sf0 = this.sf.calls;
    const mk0 = this.mkto.calls;
    this.emit({ type: 'cycle-start', at: this.clock.now(), cycle });
    const report: CycleReport = { cycle, ok: true, sfCalls: 0, mktoCalls: 0, peopleCreated: 0, sfUpdated: 0, mktoUpdated: 0, rejected: 0 };
    try {
      let state = await this.loadState();
      if (state.marketoQuotaUntil !== undefined && this.clock.now() < state.marketoQuotaUntil) {
        this.emit({ type: 'quota', at: this.clock.now(), system: 'marketo', until: state.marketoQuotaUntil });
        report.ok = false;
        report.error = 'Marketo daily quota reached; waiting for the reset';
      } else {
        try {
          await this.cycleBody(state, report);
        } catch (err) {
          // A field vanished between describe and use (permission or schema change): describe again and redo the
          // cycle once, from the last committed state. Whatever was written already merges as an echo.
          if (!(err instanceof ApiError) || !SCHEMA_CODES.has(err.code)) throw err;
          this.mktoFields = undefined;
          this.describeDue = true;
          this.emit({ type: 'skip', at: this.clock.now(), reason: `${err.code}: schema changed during the cycle, describing again` });
          this.state = undefined;
          state = await this.loadState();
          await this.cycleBody(state, report);
        }
      }
    } catch (err) {
      report.ok = false;
      report.error = describeError(err);
      // Forget what this cycle changed in memory: the next one starts from the last committed state, exactly as a
      // restarted engine would (every step is safe to replay).
      this.state = undefined;
      if (err instanceof QuotaExhausted) {
        this.emit({ type: 'quota', at: this.clock.now(), system: 'marketo', until: err.until });
        try {
          const state = await this.loadState();
          state.marketoQuotaUntil = err.until;
          await this.save();
        } catch {
          // The store is unavailable: the next cycle meets the 607 again and records it then.
        }
      }
    }
    this.prefetched = {};
    report.sfCalls = this.sf.calls - sf0;
    report.mktoCalls = this.mkto.calls - mk0;
    this.emit({ type: 'cycle-end', at: this.clock.now(), cycle, ok: report.ok, ...(report.error ? { error: report.error } : {}), sfCalls: report.sfCalls, mktoCalls: report.mktoCalls });
    return report;
  }

  private async cycleBody(state: EngineState, report: CycleReport): Promise<void> {
    await this.sf.connect();
    // Poll Contact before Lead: a contact made by a conversion is then never seen without its converted lead.
    const { sets, polled } = await this.describeAndPoll(state);
    // After the poll, unlike before: settling only reads Salesforce and links leads that existed before this cycle
    // began (the create was sent by an earlier flow action), so the poll holds their rows either way.
    await this.settlePendingCreates(state);

    const token = state.marketoToken ?? (await this.mkto.pagingToken(state.startedAt ?? this.clock.now()));
    const { changes, nextToken } = await this.mkto.leadChanges(token, this.mktoChangeFields(sets));

    const linkUpdates = new Map<number, Record<string, unknown>>();
    const pairs = new Map<number, Pair>();

    await this.followPolledLifecycles(state, polled, linkUpdates, pairs);
    const unlinkedDeletes = await this.flagPeopleOfUnlinkedDeletes(polled, linkUpdates);
    const retryRows = await this.readRetryRows(state, sets, polled);
    state.sfRetry = {};
    if (this.mutant('watermark-before-write')) {
      // Broken on purpose: the watermarks move before the work they cover is done.
      this.moveWatermarks(state, polled, nextToken);
      await this.save();
    }
    await this.syncAll(state, sets, polled, retryRows, changes, linkUpdates, pairs, report);

    // Commit: state first, then the watermarks (DESIGN §4).
    await this.save();
    const savedAt = state.savedAt;
    // No link changed since the save above (only the watermarks): the links it wrote need not be written again. When
    // nothing moved either (an idle cycle re-reading its look-back), that save holds this very state: not written twice.
    if (this.moveWatermarks(state, polled, nextToken) || this.clock.now() !== savedAt) await this.save({ linksUnchanged: true });
    // Everything logged since the resume is in the saved state now.
    this.unsureSince = undefined;
    for (const id of unlinkedDeletes) this.unlinkedDeletesChecked.add(id);
  }

  /**
   * Lifecycle first (deletes, merges, conversions), leads before contacts, so relinks happen before new contacts are seen.
   * Most polled rows are plain edits, for which lifecycle() does nothing: skip those without a scan of the links
   * per row (rows that are deleted, converted, or share an id with a deleted link still go through it).
   */
  private async followPolledLifecycles(
    state: EngineState,
    polled: Record<SfObject, SfRow[]>,
    linkUpdates: Map<number, Record<string, unknown>>,
    pairs: Map<number, Pair>,
  ): Promise<void> {
    for (const object of ['Lead', 'Contact'] as const) {
      for (const row of polled[object]) {
        if (row.IsDeleted !== true && !(object === 'Lead' && row.IsConverted === true) && !this.book.hasDeleted(row.Id)) continue;
        await this.lifecycle(state, object, row, linkUpdates, pairs);
      }
    }
  }

  /** Retries of records Marketo could not take last time (those not in the poll read by id). */
  private async readRetryRows(state: EngineState, sets: FieldSets, polled: Record<SfObject, SfRow[]>): Promise<Record<SfObject, SfRow[]>> {
    const retryIds = Object.entries(state.sfRetry ?? {});
    const retryRows: Record<SfObject, SfRow[]> = { Lead: [], Contact: [] };
    for (const object of SF_OBJECTS) {
      const ids = retryIds.filter(([id, o]) => o === object && !polled[object].some((r) => r.Id === id)).map(([id]) => id);
      if (ids.length > 0) retryRows[object] = await this.readByIds(sets, object, ids);
    }
    return retryRows;
  }

  /**
   * A deleted record with no link can still have a person: an engine that created the person and died before
   * saving the link (or lost its state) never learns of it. Such people are looked up by their Salesforce id and
   * get sfdcIsDeleted, as a linked person would. Once per record while this process lives (a restart checks again);
   * the ids are returned to be marked checked when the cycle commits.
   */
  private async flagPeopleOfUnlinkedDeletes(
    polled: Record<SfObject, SfRow[]>,
    linkUpdates: Map<number, Record<string, unknown>>,
  ): Promise<string[]> {
    const checked: string[] = [];
    for (const object of SF_OBJECTS) {
      const ids = polled[object]
        // A merge loser's person is the merge's business (followMerge), even without a link.
        .filter((r) => r.IsDeleted === true && typeof r.MasterRecordId !== 'string' && !this.book.peekBySfId(r.Id) && !this.unlinkedDeletesChecked.has(r.Id))
        .map((r) => r.Id);
      if (ids.length === 0) continue;
      const lookup = LINK_ID_FIELD[object];
      for (const p of await this.mkto.getLeads(lookup, ids, ['id', lookup, 'sfdcIsDeleted'])) {
        const personId = Number(p.id);
        // A person with a link (relinked this cycle, say) follows its link, not the id it still shows.
        if (p.sfdcIsDeleted === true || this.book.peek(personId)) continue;
        linkUpdates.set(personId, { ...(linkUpdates.get(personId) ?? {}), sfdcIsDeleted: true });
        this.emit({ type: 'unlink', at: this.clock.now(), personId, sfId: String(p[lookup]), reason: `${object} deleted in Salesforce before its link was saved: sfdcIsDeleted set` });
      }
      checked.push(...ids);
    }
    return checked;
  }

  /**
   * Past every polled row (each one is synced or recorded as pending by now) and past the Marketo changes read.
   * Whether anything moved.
   */
  private moveWatermarks(state: EngineState, polled: Record<SfObject, SfRow[]>, nextToken: string): boolean {
    let moved = false;
    for (const object of SF_OBJECTS) {
      const last = polled[object].at(-1)?.SystemModstamp;
      if (typeof last === 'string' && (!state.sfWatermark[object] || last > state.sfWatermark[object]!)) {
        state.sfWatermark[object] = last;
        moved = true;
      }
    }
    if (state.marketoToken !== nextToken) moved = true;
    state.marketoToken = nextToken;
    return moved;
  }

  private async syncAll(
    state: EngineState,
    sets: FieldSets,
    polled: Record<SfObject, SfRow[]>,
    retryRows: Record<SfObject, SfRow[]>,
    changes: LeadChange[],
    linkUpdates: Map<number, Record<string, unknown>>,
    pairs: Map<number, Pair>,
    report: CycleReport,
  ): Promise<void> {
    const newRows = this.pairRowsOfLinks(sets, polled, retryRows, pairs);
    this.pairChangedPeople(sets, changes, pairs);
    for (const link of this.book.pending()) {
      if (!pairs.has(link.personId)) pairs.set(link.personId, { link });
    }
    if (this.intents.some((x) => !x.held)) this.pairOpenIntents(pairs);

    const orphans: Array<{ object: SfObject; row: SfRow }> = [];
    await this.syncPairs(state, sets, [...pairs.values()], linkUpdates, report, orphans);
    report.peopleCreated += await this.createPeople(state, sets, [...newRows, ...orphans], changes);
    await this.retryPendingPeople(state, sets, report);
  }

  /** Polled (and retried) rows of linked records become pairs, echoes left out; returns the rows of new records. */
  private pairRowsOfLinks(
    sets: FieldSets,
    polled: Record<SfObject, SfRow[]>,
    retryRows: Record<SfObject, SfRow[]>,
    pairs: Map<number, Pair>,
  ): Array<{ object: SfObject; row: SfRow }> {
    const newRows: Array<{ object: SfObject; row: SfRow }> = [];
    for (const object of ['Lead', 'Contact'] as const) {
      for (const row of [...polled[object], ...retryRows[object]]) {
        if (row.IsDeleted === true || (object === 'Lead' && row.IsConverted === true)) continue;
        // A look only: syncPairs counts the links of the pairs as touched (most rows are echoes, left as they are).
        const link = this.book.peekBySfId(row.Id);
        if (link) {
          if (link.deleted) continue;
          // Echo suppression by the ancestor: a row equal to the last agreed values carries no change
          // (our own write coming back, or a row seen again through the look-back window).
          if (!link.failure && !link.retry && !pairs.has(link.personId) && this.equalsAncestor(sets[object], row, link)) continue;
          const pair = pairs.get(link.personId) ?? { link };
          pair.row = row;
          pairs.set(link.personId, pair);
        } else {
          newRows.push({ object, row });
        }
      }
    }
    return newRows;
  }

  /** Marketo changes to linked people; echoes of our own writes (new values equal to the ancestor) are dropped here. */
  private pairChangedPeople(sets: FieldSets, changes: readonly LeadChange[], pairs: Map<number, Pair>): void {
    const byPerson = new Map<number, LeadChange[]>();
    for (const c of changes) byPerson.set(c.leadId, [...(byPerson.get(c.leadId) ?? []), c]);
    for (const [personId, list] of byPerson) {
      const link = this.book.peek(personId);
      if (!link || link.deleted) continue;
      if (this.isEcho(link, list, sets)) continue;
      const pair = pairs.get(personId) ?? { link };
      pairs.set(personId, pair);
    }
  }

  /** Pairs with intents from before a crash: their ancestors may be stale, so they are merged against fresh rows. */
  private pairOpenIntents(pairs: Map<number, Pair>): void {
    const open = [...new Set(this.intents.filter((x) => !x.held).map((x) => x.intent.personId))].sort((a, b) => a - b);
    for (const personId of open) {
      const link = this.book.get(personId);
      if (!link || link.deleted) continue;
      const pair = pairs.get(link.personId) ?? { link };
      pair.fresh = true;
      pairs.set(link.personId, pair);
    }
  }

  /** The poll of `object`: rows changed since the watermark (minus the look-back), deleted ones included (queryAll). */
  private pollQuery(sets: FieldSets, object: SfObject, state: EngineState): { soql: string; select: string } {
    const wm = state.sfWatermark[object];
    const ms = wm ? parseDateTime(wm) : undefined;
    const { fields, key } = this.listsOf(sets).select[object];
    return { soql: changedRowsQuery(object, fields, ms === undefined ? undefined : ms - this.lookBackMs), select: key };
  }

  private async readByIds(sets: FieldSets, object: SfObject, ids: readonly string[]): Promise<SfRow[]> {
    const out: SfRow[] = [];
    const pre = this.prefetched[object];
    if (pre) {
      // Read in this cycle's Composite call, with the same columns: as fresh as the poll's rows.
      const wanted = new Set(ids);
      for (const row of pre.rows) if (wanted.has(row.Id)) out.push(row);
      ids = ids.filter((id) => !pre.ids.has(id));
    }
    for (let i = 0; i < ids.length; i += 200) {
      const soql = rowsByIdQuery(object, this.selectList(sets, object), ids.slice(i, i + 200));
      out.push(...((await this.sf.query(soql, true)) as SfRow[]));
    }
    return out;
  }

  private equalsAncestor(fields: readonly MappedField[], row: SfRow, link: LinkState): boolean {
    // sfCanon's values compared one by one, without building them: a value canon cannot read (undefined) equals no
    // ancestor value, as its absence from sfCanon's record did. An ancestor never holds undefined (values are Canon),
    // so undefined here is a field never synced; a name only inherited (a function or object) equals no Canon either.
    const ancestor = link.ancestor;
    for (const f of fields) {
      const agreed = ancestor[f.sf];
      if (agreed === undefined || !sameValue(canon(row[f.sf], f.kind), agreed)) return false;
    }
    return true;
  }

  /** Marketo changes that only repeat the ancestor are the engine's own writes coming back. */
  private isEcho(link: LinkState, changes: LeadChange[], sets: FieldSets): boolean {
    if (link.failure || link.retry) return false;
    const byMkto = this.listsOf(sets).byMkto[link.object];
    for (const c of changes) {
      if (c.activityTypeId !== 13) continue; // New Lead of a linked person: the engine created it
      for (const f of c.fields) {
        const mapped = byMkto.get(f.name.toLowerCase());
        if (!mapped) continue;
        const v = canon(f.newValue, mapped.kind);
        if (!Object.prototype.hasOwnProperty.call(link.ancestor, mapped.sf) || !sameValue(v, link.ancestor[mapped.sf])) return false;
      }
    }
    return true;
  }

  // ---- lifecycle: delete, merge, conversion ------------------------------------------------------

  private async lifecycle(
    state: EngineState,
    object: SfObject,
    row: SfRow,
    linkUpdates: Map<number, Record<string, unknown>>,
    pairs: Map<number, Pair>,
  ): Promise<void> {
    const link = this.book.bySfId(row.Id);
    const setLink = (personId: number, fields: Record<string, unknown>) =>
      linkUpdates.set(personId, { ...(linkUpdates.get(personId) ?? {}), ...fields });

    if (row.IsDeleted === true) {
      if (!link) return;
      const master = typeof row.MasterRecordId === 'string' ? row.MasterRecordId : undefined;
      if (master) {
        await this.followMerge(state, link, master, setLink, pairs);
        return;
      }
      // Once per delete: a failed cycle forgets its in-memory changes, so a committed `deleted` means the flag was sent.
      if (!link.deleted) {
        setLink(link.personId, { sfdcIsDeleted: true });
        link.deleted = true;
        delete link.failure;
        delete link.retry;
        this.emit({ type: 'unlink', at: this.clock.now(), personId: link.personId, sfId: row.Id, reason: `${object} deleted in Salesforce: sfdcIsDeleted set` });
      }
      return;
    }
    if (link?.deleted) {
      // Undeleted from the recycle bin: the pair syncs again.
      link.deleted = false;
      setLink(link.personId, { sfdcIsDeleted: false });
      this.emit({ type: 'link', at: this.clock.now(), personId: link.personId, object, sfId: row.Id, reason: 'undeleted in Salesforce' });
    }
    if (object === 'Lead' && row.IsConverted === true && link && link.object === 'Lead') {
      const contactId = typeof row.ConvertedContactId === 'string' ? row.ConvertedContactId : undefined;
      if (!contactId) return;
      const accountId = typeof row.ConvertedAccountId === 'string' ? row.ConvertedAccountId : undefined;
      const other = this.book.bySfId(contactId);
      if (other && other.personId !== link.personId) {
        // Converted into a contact that already has its person: like a merge, the contact's person survives.
        await this.mergePeople(state, other, link, pairs);
        return;
      }
      link.object = 'Contact';
      link.sfId = contactId;
      link.contactId = contactId;
      this.book.touch(String(link.personId)); // relinked: found by the contact id from now on
      if (accountId) link.accountId = accountId;
      delete link.failure;
      delete link.retry;
      setLink(link.personId, { sfdcType: 'Contact', sfdcContactId: contactId, sfdcAccountId: accountId ?? null });
      this.emit({ type: 'link', at: this.clock.now(), personId: link.personId, object: 'Contact', sfId: contactId, reason: `lead ${row.Id} converted` });
      // Sync the pair against the contact now (its row may not be in this poll).
      pairs.set(link.personId, { ...(pairs.get(link.personId) ?? { link }), link, fresh: true });
    }
  }

  private async followMerge(
    state: EngineState,
    loser: LinkState,
    masterId: string,
    setLink: (personId: number, fields: Record<string, unknown>) => void,
    pairs: Map<number, Pair>,
  ): Promise<void> {
    const winner = this.book.bySfId(masterId);
    if (winner && winner.personId !== loser.personId) {
      await this.mergePeople(state, winner, loser, pairs);
      return;
    }
    // The survivor had no person: the loser's person follows it.
    loser.sfId = masterId;
    if (loser.object === 'Lead') loser.leadId = masterId;
    else loser.contactId = masterId;
    this.book.touch(String(loser.personId)); // relinked: found by the survivor's id from now on
    delete loser.failure;
    delete loser.retry;
    setLink(loser.personId, loser.object === 'Lead' ? { sfdcLeadId: masterId } : { sfdcContactId: masterId });
    this.emit({ type: 'link', at: this.clock.now(), personId: loser.personId, object: loser.object, sfId: masterId, reason: 'merged in Salesforce: relinked to the survivor' });
    pairs.set(loser.personId, { ...(pairs.get(loser.personId) ?? { link: loser }), link: loser, fresh: true });
  }

  /** Merges the loser's person into the winner's in Marketo and drops the loser's link: one person per record. */
  private async mergePeople(state: EngineState, winner: LinkState, loser: LinkState, pairs: Map<number, Pair>): Promise<void> {
    try {
      await this.mkto.mergeLeads(winner.personId, [loser.personId]);
    } catch (err) {
      if (isTransient(err) || err instanceof QuotaExhausted) throw err;
      this.emit({ type: 'skip', at: this.clock.now(), personId: loser.personId, reason: `Marketo merge refused: ${describeError(err)}` });
      const alive = new Set((await this.mkto.getLeads('id', [winner.personId, loser.personId], ['id'])).map((p) => Number(p.id)));
      if (!alive.has(winner.personId) && alive.has(loser.personId)) {
        // The survivor's person was deleted in Marketo: the loser's person takes the survivor's record over, as if it
        // had no person, instead of staying behind on a merged-away record.
        this.takeOver(state, winner, loser, pairs);
        return;
      }
      // Already merged (a replay after a crash) or the loser's person is gone: nothing left to merge.
    }
    // Marketo merged the loser's activity log into the winner's (reference A13): the failures logged there are the
    // winner's now, so the same failure on the survivor is not logged a second time.
    for (const key of loser.logged) if (!winner.logged.includes(key)) winner.logged.push(key);
    this.book.delete(loser.personId);
    pairs.delete(loser.personId);
    this.emit({ type: 'unlink', at: this.clock.now(), personId: loser.personId, sfId: loser.sfId, reason: `merged into person ${winner.personId}` });
    pairs.set(winner.personId, { ...(pairs.get(winner.personId) ?? { link: winner }), link: winner, fresh: true });
  }

  /** The loser's person follows the winner's record; the winner's link (its person is gone) is dropped. */
  private takeOver(state: EngineState, winner: LinkState, loser: LinkState, pairs: Map<number, Pair>): void {
    this.book.delete(winner.personId);
    pairs.delete(winner.personId);
    this.emit({ type: 'unlink', at: this.clock.now(), personId: winner.personId, sfId: winner.sfId, reason: 'person no longer in Marketo' });
    loser.object = winner.object;
    loser.sfId = winner.sfId;
    if (winner.object === 'Lead') loser.leadId = winner.sfId;
    if (winner.contactId) loser.contactId = winner.contactId;
    else delete loser.contactId;
    if (winner.accountId) loser.accountId = winner.accountId;
    else delete loser.accountId;
    this.book.touch(String(loser.personId)); // relinked: found by the survivor's id from now on
    // The ancestor stays (as when the survivor had no person): the survivor's own values count as Salesforce changes.
    this.clearFailure(loser);
    delete loser.deleted;
    loser.retry = true;
    this.emit({ type: 'link', at: this.clock.now(), personId: loser.personId, object: loser.object, sfId: loser.sfId, reason: `merged in Salesforce into ${winner.sfId}, whose person was deleted in Marketo: relinked to the survivor` });
    pairs.set(loser.personId, { ...(pairs.get(loser.personId) ?? { link: loser }), link: loser, fresh: true });
  }

  // ---- linked pairs ------------------------------------------------------------------------------

  /**
   * One pair per person. Merges chained in one cycle (a lead merged into one that is itself merged on) can leave a
   * relinked link under its old person's key as well as its new one; merged twice, the pair was written twice and a
   * rejection logged twice. The entry holding the book's current link is kept, read fresh if either asked for it.
   */
  private onePairPerPerson(list: readonly Pair[]): Pair[] {
    const out = new Map<number, Pair>();
    for (const p of list) {
      const id = p.link.personId;
      const had = out.get(id);
      if (!had) {
        out.set(id, p);
        continue;
      }
      const current = this.book.peek(id);
      const keep = had.link === current && p.link !== current ? had : p;
      const other = keep === p ? had : p;
      const merged: Pair = { ...keep };
      if (!merged.row && other.row && other.link.sfId === keep.link.sfId) merged.row = other.row;
      if (had.fresh || p.fresh) merged.fresh = true;
      out.set(id, merged);
    }
    return [...out.values()];
  }

  /**
   * Reads what is missing, merges every pair per field, writes both sides in batches, updates ancestors.
   * Each step is a method of its own: V8 compiles (and, after a deopt, recompiles) small functions far more cheaply
   * than one long async one (issue 8). The steps run in the order they always did.
   */
  private async syncPairs(
    state: EngineState,
    sets: FieldSets,
    pairList: Pair[],
    linkUpdates: Map<number, Record<string, unknown>>,
    report: { sfUpdated: number; mktoUpdated: number; rejected: number },
    /** Rows whose person was deleted in Marketo: the caller creates their new person in this same cycle. */
    orphans?: Array<{ object: SfObject; row: SfRow }>,
  ): Promise<void> {
    // Merges followed this cycle can leave a relinked link under its old person's key too (and again below).
    pairList = this.onePairPerPerson(pairList);
    // Every pair's link may change below (ancestor, flags, relinks): the next save writes it again.
    for (const p of pairList) this.book.touch(String(p.link.personId));
    const needRows = this.rowsLacking(sets, pairList);
    await this.readLackingRows(sets, pairList, needRows);
    await this.followLifecycleOfReadRows(state, sets, pairList, linkUpdates);
    // A merge followed here can hand a pair to a person already in the list.
    pairList = this.onePairPerPerson(pairList);

    const personById = await this.readPeople(sets, pairList, linkUpdates);
    const writes: PlannedWrites = { sf: { Lead: [], Contact: [] }, mk: new Map(), agreed: new Map() };
    this.planLinkUpdates(linkUpdates, personById, writes.mk);
    for (const pair of pairList) this.planPair(state, sets, pair, needRows, writes, orphans);
    // Agreed fields become the ancestor right away.
    for (const [pair, outcomes] of writes.agreed) for (const o of outcomes) pair.link.ancestor[o.field.sf] = o.value;

    const failures: Array<{ link: LinkState; failure: PendingFailure }> = [];
    for (const object of SF_OBJECTS) await this.sendSalesforceWrites(object, writes.sf[object], failures, report);
    await this.keepFailuresAhead(failures);
    // Rejections are logged before the Marketo writes: a Marketo write that fails the cycle must not take the failure
    // activity with it (the rejection may clear before the next cycle, and then it would never be logged).
    await this.failures.log(
      [...failures.map((f) => ({ personId: f.link.personId, sfId: f.link.sfId, failure: f.failure, logged: f.link.logged })), ...this.lateFailures.splice(0)],
      this.unsureSince,
    );
    const mk = [...writes.mk.values()];
    if (mk.length > 0) await this.sendMarketoWrites(state, mk, report);
  }

  /**
   * Salesforce rows we lack. A pair not in the poll has not changed in Salesforce since it was last synced, so its
   * values are the ancestor's, unless the pair is pending, has fields never synced, or must be read fresh.
   */
  private rowsLacking(sets: FieldSets, pairList: readonly Pair[]): Record<SfObject, string[]> {
    const needRows: Record<SfObject, string[]> = { Lead: [], Contact: [] };
    for (const p of pairList) {
      if (p.row) continue;
      const complete = sets[p.link.object].every((f) => Object.prototype.hasOwnProperty.call(p.link.ancestor, f.sf));
      if (!complete || p.link.failure || p.link.retry || p.fresh) needRows[p.link.object].push(p.link.sfId);
    }
    return needRows;
  }

  private async readLackingRows(sets: FieldSets, pairList: readonly Pair[], needRows: Record<SfObject, string[]>): Promise<void> {
    for (const object of SF_OBJECTS) {
      if (needRows[object].length === 0) continue;
      const rows = await this.readByIds(sets, object, needRows[object]);
      const byId = new Map(rows.map((r) => [r.Id, r]));
      for (const p of pairList) if (!p.row && p.link.object === object && byId.has(p.link.sfId)) p.row = byId.get(p.link.sfId);
    }
  }

  /** A row read by id can show a delete or conversion the poll has not: follow it like the poll would. */
  private async followLifecycleOfReadRows(state: EngineState, sets: FieldSets, pairList: Pair[], linkUpdates: Map<number, Record<string, unknown>>): Promise<void> {
    for (const p of [...pairList]) {
      if (!p.row || !(p.row.IsDeleted === true || (p.link.object === 'Lead' && p.row.IsConverted === true))) continue;
      const extra = new Map<number, Pair>();
      await this.lifecycle(state, p.link.object, p.row, linkUpdates, extra);
      pairList.splice(pairList.indexOf(p), 1);
      for (const e of extra.values()) if (e.link !== p.link || !p.link.deleted) pairList.push({ ...e, fresh: true });
      if (extra.size > 0) {
        // A relinked pair needs its new record's row.
        for (const e of pairList) {
          if (e.row || e.link.object !== 'Contact') continue;
          const rows = await this.readByIds(sets, 'Contact', [e.link.sfId]);
          if (rows[0]) e.row = rows[0];
        }
      }
    }
  }

  /** People: everyone in a pair, plus people that only need their link fields written. Sets each pair's person. */
  private async readPeople(sets: FieldSets, pairList: readonly Pair[], linkUpdates: Map<number, Record<string, unknown>>): Promise<Map<number, MarketoPerson>> {
    const personIds = new Set<number>([...pairList.map((p) => p.link.personId), ...linkUpdates.keys()]);
    const people = personIds.size > 0 ? await this.mkto.getLeads('id', [...personIds], this.mktoReadFields(sets)) : [];
    const personById = new Map(people.map((p) => [Number(p.id), p]));
    for (const p of pairList) p.person = personById.get(p.link.personId);
    return personById;
  }

  /** Link fields (from lifecycle changes) the person does not carry yet. */
  private planLinkUpdates(linkUpdates: Map<number, Record<string, unknown>>, personById: Map<number, MarketoPerson>, mkWrites: Map<number, MkWrite>): void {
    for (const [personId, fields] of linkUpdates) {
      const person = personById.get(personId);
      if (!person) continue;
      const differs = Object.entries(fields).filter(([k, v]) => (k === 'sfdcIsDeleted' ? person[k] === true : (person[k] ?? null)) !== v);
      if (differs.length > 0) mkWrites.set(personId, { record: { id: personId, ...Object.fromEntries(differs) }, outcomes: [] });
    }
  }

  /** Merges one pair per field and queues what each side must be sent. */
  private planPair(state: EngineState, sets: FieldSets, pair: Pair, needRows: Record<SfObject, string[]>, writes: PlannedWrites, orphans: Array<{ object: SfObject; row: SfRow }> | undefined): void {
    const { link, person } = pair;
    if (!person) {
      this.dropPersonlessPair(state, pair, orphans);
      return;
    }
    if (!pair.row && needRows[link.object].includes(link.sfId)) {
      // Gone from Salesforce entirely (purged from the recycle bin).
      link.deleted = true;
      const w = writes.mk.get(link.personId) ?? { record: { id: link.personId }, outcomes: [] };
      w.record.sfdcIsDeleted = true;
      writes.mk.set(link.personId, w);
      return;
    }
    if (this.mutant('echo-by-last-modified-by') && pair.row && pair.row.LastModifiedById === this.sf.userId) return;
    const outcomes = this.mergePair(sets[link.object], pair, person);
    const toSf = outcomes.filter((o) => o.decision === 'to-salesforce');
    const toMk = outcomes.filter((o) => o.decision === 'to-marketo');
    writes.agreed.set(pair, outcomes.filter((o) => o.decision === 'agree'));
    this.emitDecisions(link, [...toSf, ...toMk]);
    if (toSf.length > 0) {
      const record: SfRow = { Id: link.sfId };
      for (const o of toSf) record[o.field.sf] = toSalesforce(o.value, o.field.kind);
      writes.sf[link.object].push({ pair, record, outcomes: toSf });
    } else if (link.failure) {
      // Nothing left to send: whatever was rejected has been superseded.
      this.clearFailure(link);
    }
    const linkFix = this.linkFieldsToWrite(link, person);
    if (toMk.length > 0 || Object.keys(linkFix).length > 0) {
      const w = writes.mk.get(link.personId) ?? { record: { id: link.personId }, outcomes: [] };
      Object.assign(w.record, linkFix);
      for (const o of toMk) w.record[o.field.mkto] = toMarketo(o.value, o.field.kind);
      w.pair = pair;
      w.outcomes.push(...toMk);
      writes.mk.set(link.personId, w);
    }
    delete link.retry;
  }

  /** Deleted in Marketo: Marketo re-creates the person when the record changes next (reference A12). */
  private dropPersonlessPair(state: EngineState, pair: Pair, orphans: Array<{ object: SfObject; row: SfRow }> | undefined): void {
    const { link } = pair;
    this.book.delete(link.personId);
    // With the record's row in hand (it changed in Salesforce), the new person is made now, not a cycle later.
    if (orphans && pair.row) orphans.push({ object: link.object, row: pair.row });
    else (state.sfRetry ??= {})[link.sfId] = link.object;
    this.emit({ type: 'unlink', at: this.clock.now(), personId: link.personId, sfId: link.sfId, reason: 'person no longer in Marketo' });
  }

  /** The pair's fields merged against the ancestor, after the write intents left from a crash settled. */
  private mergePair(fields: readonly MappedField[], pair: Pair, person: MarketoPerson): FieldOutcome[] {
    const link = pair.link;
    const mkValues = this.mkCanon(fields, person);
    const sfRead = pair.row ? this.sfCanon(fields, pair.row) : undefined;
    this.applyIntents(link, sfRead, mkValues);
    // Without a row, Salesforce is taken to hold the ancestor (after the intents settled it).
    const sfValues = sfRead ?? { ...link.ancestor };
    return mergeFields({
      object: link.object,
      fields,
      ancestor: link.ancestor,
      sf: sfValues,
      mkto: mkValues,
      policy: this.winnerPolicy(),
    });
  }

  private emitDecisions(link: LinkState, outcomes: readonly FieldOutcome[]): void {
    for (const o of outcomes) {
      this.emit({
        type: 'field',
        at: this.clock.now(),
        personId: link.personId,
        sfId: link.sfId,
        object: link.object,
        field: o.field.sf,
        decision: o.decision,
        ...(o.winner ? { winner: o.winner } : {}),
        reason: o.reason,
        value: o.value,
      });
    }
  }

  /** Salesforce writes of one object, ≤200 per call; rejections go to `failures`. */
  private async sendSalesforceWrites(
    object: SfObject,
    writes: SfWrite[],
    failures: Array<{ link: LinkState; failure: PendingFailure }>,
    report: { sfUpdated: number; rejected: number },
  ): Promise<void> {
    let ok = 0;
    let failed = 0;
    const total = writes.length;
    await this.writeAhead(
      writes.flatMap((w) => w.outcomes.map((o) => ({ personId: w.pair.link.personId, sfId: w.pair.link.sfId, field: o.field.sf, to: 'salesforce' as const, value: o.value }))),
    );
    // Records that hit a row lock are sent again after a backoff; the others are settled at once.
    for (let attempt = 1; writes.length > 0; attempt++) {
      let results: SfSaveResult[];
      try {
        // Updates are idempotent: the client retries whole-call failures on the clock.
        results = await this.sf.update(object, writes.map((w) => w.record));
      } catch (err) {
        if (!isTransient(err)) throw err;
        // Still failing after the retries: these pairs try again next cycle.
        for (const w of writes) w.pair.link.retry = true;
        this.unsure(new Set(writes.map((w) => w.pair.link.personId)), 'salesforce');
        break;
      }
      const locked: SfWrite[] = [];
      for (let i = 0; i < writes.length; i++) {
        const w = writes[i]!;
        const settled = this.settleSalesforceResult(w, results[i]!, attempt, failures);
        if (settled === 'ok') ok++;
        else if (settled === 'failed') failed++;
        else locked.push(w);
      }
      writes = locked;
      if (locked.length > 0) {
        const delay = backoffDelay(this.retry, attempt);
        this.emit({ type: 'retry', at: this.clock.now(), system: 'salesforce', operation: `update ${object}`, attempt, delayMs: delay, error: `UNABLE_TO_LOCK_ROW on ${locked.length} record(s)` });
        await this.clock.sleep(delay);
      }
    }
    if (total === 0) return;
    report.sfUpdated += ok;
    report.rejected += failed;
    this.emit({ type: 'write', at: this.clock.now(), system: 'salesforce', operation: 'update', object, count: total, ok, failed });
  }

  /** One record's save result: its ancestor moves, or its failure is kept, or (a row lock) it is sent again. */
  private settleSalesforceResult(
    w: SfWrite,
    r: SfSaveResult,
    attempt: number,
    failures: Array<{ link: LinkState; failure: PendingFailure }>,
  ): 'ok' | 'failed' | 'locked' {
    const link = w.pair.link;
    if (r.success) {
      for (const o of w.outcomes) link.ancestor[o.field.sf] = o.value;
      if (link.failure) this.clearFailure(link);
      return 'ok';
    }
    const e = r.errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'rejected without an error', fields: [] };
    // The no-retry-on-lock mutant (broken on purpose) takes a lock for a rejection: no backoff, an activity.
    const lock = e.statusCode === 'UNABLE_TO_LOCK_ROW' && !this.mutant('no-retry-on-lock');
    if (lock && attempt < this.retry.maxAttempts) return 'locked';
    // A field the sync user can no longer write (or that is gone): the next cycle describes first.
    if (SCHEMA_CODES.has(e.statusCode)) this.describeDue = true;
    if (LIFECYCLE_CODES.has(e.statusCode) || lock) {
      link.retry = true;
      this.emit({ type: 'skip', at: this.clock.now(), personId: link.personId, sfId: link.sfId, reason: `${e.statusCode}: retried next cycle` });
      return 'failed';
    }
    const failure: PendingFailure = { operation: 'update', errorCode: e.statusCode, message: e.message, fields: e.fields, since: this.clock.now() };
    link.failure = failure;
    failures.push({ link, failure });
    return 'failed';
  }

  /** Marketo writes, ≤300 per call, by id. */
  private async sendMarketoWrites(state: EngineState, mk: readonly MkWrite[], report: { mktoUpdated: number }): Promise<void> {
    await this.writeAhead(
      mk.flatMap((w) => (w.pair ? w.outcomes.map((o) => ({ personId: w.pair!.link.personId, sfId: w.pair!.link.sfId, field: o.field.sf, to: 'marketo' as const, value: o.value })) : [])),
    );
    const results = await this.mkto.syncLeads('updateOnly', 'id', mk.map((w) => w.record));
    let ok = 0;
    for (let i = 0; i < mk.length; i++) if (this.settleMarketoResult(state, mk[i]!, results[i]!)) ok++;
    report.mktoUpdated += ok;
    this.emit({ type: 'write', at: this.clock.now(), system: 'marketo', operation: 'updateOnly', count: mk.length, ok, failed: mk.length - ok });
  }

  /** One person's update result: true when Marketo took it (its ancestor moves). */
  private settleMarketoResult(state: EngineState, w: MkWrite, r: MarketoSyncResult): boolean {
    if (r.status !== 'skipped') {
      if (w.pair) for (const o of w.outcomes) w.pair.link.ancestor[o.field.sf] = o.value;
      return true;
    }
    const reason = r.reasons[0] ?? { code: '?', message: 'skipped' };
    const personId = Number(w.record.id);
    const link = this.book.get(personId);
    if (reason.code === '1004' && link) {
      this.book.delete(personId);
      (state.sfRetry ??= {})[link.sfId] = link.object;
      this.emit({ type: 'unlink', at: this.clock.now(), personId, sfId: link.sfId, reason: 'person no longer in Marketo' });
    } else {
      if (link) link.retry = true;
      this.emit({ type: 'skip', at: this.clock.now(), personId, reason: `Marketo skipped the update: ${reason.code} ${reason.message}` });
    }
    return false;
  }

  /** The link as the person should carry it, where the person differs (self-healing after crashes). */
  private linkFieldsToWrite(link: LinkState, person: MarketoPerson): Record<string, unknown> {
    const want: Record<string, unknown> = { sfdcType: link.object, sfdcIsDeleted: link.deleted === true };
    if (link.object === 'Lead') want.sfdcLeadId = link.sfId;
    else want.sfdcContactId = link.sfId;
    if (link.accountId) want.sfdcAccountId = link.accountId;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(want)) {
      const have = k === 'sfdcIsDeleted' ? person[k] === true : (person[k] ?? null);
      if (have !== v) out[k] = v;
    }
    return out;
  }

  private clearFailure(link: LinkState): void {
    // Never logged (Marketo failed the activity write): log it now, into a throwaway list, since the link forgets it.
    if (link.failure && !link.logged.includes(failureKey(link.failure))) this.lateFailures.push({ personId: link.personId, sfId: link.sfId, failure: link.failure, logged: [] });
    delete link.failure;
    // A later occurrence of the same failure is a new failure: log it again then.
    link.logged = [];
  }

  private sfCanon(fields: readonly MappedField[], row: SfRow): Record<string, Canon> {
    const out: Record<string, Canon> = {};
    for (const f of fields) {
      const v = canon(row[f.sf], f.kind);
      if (v !== undefined) out[f.sf] = v;
    }
    return out;
  }

  private mkCanon(fields: readonly MappedField[], person: MarketoPerson): Record<string, Canon> {
    const out: Record<string, Canon> = {};
    for (const f of fields) {
      const v = canon(person[f.mkto], f.kind);
      if (v !== undefined) out[f.sf] = v;
    }
    return out;
  }

  // ---- new Salesforce records → people -----------------------------------------------------------

  /** Creates (or finds, by their Salesforce id) the people of records that have none. */
  /** People for new Salesforce records; `changes`: the cycle's Marketo change feed (see adoptedAncestor). */
  private async createPeople(state: EngineState, sets: FieldSets, rows: Array<{ object: SfObject; row: SfRow }>, changes: readonly LeadChange[]): Promise<number> {
    let created = 0;
    for (const object of SF_OBJECTS) {
      const all = rows.filter((r) => r.object === object);
      // Whole Marketo batches at a time: a backfill holds the Marketo input of CREATE_CHUNK rows, not of every row.
      for (let at = 0; at < all.length; at += CREATE_CHUNK) created += await this.createPeopleOf(state, sets, object, all.slice(at, at + CREATE_CHUNK), changes);
    }
    return created;
  }

  /** createPeople for some new records of one object. */
  private async createPeopleOf(
    state: EngineState,
    sets: FieldSets,
    object: SfObject,
    rows: Array<{ object: SfObject; row: SfRow }>,
    changes: readonly LeadChange[],
  ): Promise<number> {
    const fields = sets[object];
    const lookup = LINK_ID_FIELD[object];
    // Create only: a person that already carries this record's id (made by a run that died before saving its
    // state, or linked by someone else) comes back 1005 "Lead already exists" and is looked up then, instead of a
    // look-up before every batch (which doubled a backfill's Marketo calls).
    const results = await this.mkto.syncLeads('createOnly', lookup, rows.map(({ row }) => personInputOf(fields, object, row)));
    const taken = results.flatMap((r, i) => (r.status === 'skipped' && r.reasons[0]?.code === '1005' ? [i] : []));
    const left = taken.length > 0 ? await this.adoptTakenPeople(object, fields, rows, results, taken, changes) : { rows, results };
    return this.linkCreatedPeople(state, object, fields, left.rows, left.results);
  }

  /**
   * createPeopleOf's rows whose person already exists (1005): a person free to link is adopted, the others are
   * upserted on the Salesforce id. Returns the rows (and their results) still to link, the adopted ones left out.
   */
  private async adoptTakenPeople(
    object: SfObject,
    fields: readonly MappedField[],
    rows: Array<{ object: SfObject; row: SfRow }>,
    results: MarketoSyncResult[],
    taken: readonly number[],
    changes: readonly LeadChange[],
  ): Promise<{ rows: Array<{ object: SfObject; row: SfRow }>; results: MarketoSyncResult[] }> {
    const lookup = LINK_ID_FIELD[object];
    const existing = await this.mkto.getLeads(lookup, taken.map((i) => rows[i]!.row.Id), ['id', lookup, ...fields.map((f) => f.mkto)]);
    const owner = new Map(existing.map((p) => [String(p[lookup]), Number(p.id)]));
    const found = new Map(existing.map((p) => [Number(p.id), p]));
    const adopted = new Set<number>();
    const again: number[] = [];
    for (const i of taken) {
      const row = rows[i]!.row;
      const personId = owner.get(row.Id);
      if (personId === undefined || this.book.has(personId)) {
        again.push(i);
        continue;
      }
      this.adoptPerson(object, fields, row, personId, changes, found.get(personId));
      adopted.add(i);
    }
    if (again.length > 0) {
      // Upsert on the Salesforce id: the person is linked to another record, or vanished since.
      const upserted = await this.mkto.syncLeads('createOrUpdate', lookup, again.map((i) => personInputOf(fields, object, rows[i]!.row)));
      again.forEach((i, j) => (results[i] = upserted[j]!));
    }
    return { rows: rows.filter((_, i) => !adopted.has(i)), results: results.filter((_, i) => !adopted.has(i)) };
  }

  private adoptPerson(object: SfObject, fields: readonly MappedField[], row: SfRow, personId: number, changes: readonly LeadChange[], person: MarketoPerson | undefined): void {
    // Adopted with what is known to be agreed (adoptedAncestor), so the first merge keeps the edits made on
    // either side since, instead of overwriting them.
    this.book.set({
      personId,
      object,
      sfId: row.Id,
      ...(object === 'Lead' ? { leadId: row.Id } : { contactId: row.Id }),
      ...(typeof row.AccountId === 'string' ? { accountId: row.AccountId } : {}),
      ancestor: adoptedAncestor(changes.filter((c) => c.leadId === personId), fields, person),
      retry: true,
      logged: [],
    });
    this.emit({ type: 'link', at: this.clock.now(), personId, object, sfId: row.Id, reason: 'new in Salesforce: person found by its Salesforce id' });
  }

  /** Links each record to the person Marketo created or found for it; returns how many people were created. */
  private linkCreatedPeople(state: EngineState, object: SfObject, fields: readonly MappedField[], rows: ReadonlyArray<{ object: SfObject; row: SfRow }>, results: readonly MarketoSyncResult[]): number {
    if (rows.length === 0) return 0;
    let created = 0;
    let ok = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!.row;
      const r = results[i]!;
      if (r.status === 'skipped') {
        (state.sfRetry ??= {})[row.Id] = object;
        this.emit({ type: 'skip', at: this.clock.now(), sfId: row.Id, reason: `Marketo skipped the new person: ${r.reasons[0]?.code} ${r.reasons[0]?.message}` });
        continue;
      }
      ok++;
      if (r.status === 'created') created++;
      this.linkNewPerson(object, fields, row, r.id, r.status === 'created');
    }
    this.emit({ type: 'write', at: this.clock.now(), system: 'marketo', operation: 'createOrUpdate', object, count: rows.length, ok, failed: rows.length - ok });
    return created;
  }

  private linkNewPerson(object: SfObject, fields: readonly MappedField[], row: SfRow, personId: number, created: boolean): void {
    const agreed: Array<[string, Canon]> = [];
    for (const f of fields) {
      const v = canon(row[f.sf], f.kind);
      if (v !== undefined && f.mktoWritable) agreed.push([f.sf, v]);
    }
    // Built in one go: an object given ~20 keys one by one turns into a hash table in V8 (4× the bytes per link).
    const ancestor: Record<string, Canon> = Object.fromEntries(agreed);
    const link: LinkState = {
      personId,
      object,
      sfId: row.Id,
      ...(object === 'Lead' ? { leadId: row.Id } : { contactId: row.Id }),
      ...(typeof row.AccountId === 'string' ? { accountId: row.AccountId } : {}),
      ancestor,
      logged: [],
    };
    this.book.set(link);
    this.emit({ type: 'link', at: this.clock.now(), personId, object, sfId: row.Id, reason: created ? 'new in Salesforce: person created' : 'new in Salesforce: person found by its Salesforce id' });
  }

  // ---- Sync Person to SFDC -----------------------------------------------------------------------

  private async syncPerson(personId: number): Promise<SyncPersonResult> {
    const state = await this.loadState();
    await this.sf.connect();
    // The field set is checked now, not taken from the last cycle: the sync user's permissions may have changed since,
    // and a create that names a field it lost access to is refused (a lost answer can even hide that refusal). The
    // audit read tells whether to describe; the linked record's row (merged against a fresh one) rides along.
    const known = this.book.peek(personId);
    const sets = await this.describeWith(known && !known.deleted ? { object: known.object, ids: [known.sfId] } : undefined);
    await this.settlePendingCreates(state, personId);
    const people = await this.mkto.getLeads('id', [personId], this.mktoReadFields(sets));
    const person = people[0];
    if (!person) throw new ApiError('marketo', '1004', `Sync Person to SFDC: person ${personId} not found in Marketo`, false);
    let link = this.book.get(personId);
    if (!link) {
      const adopted = this.adoptLink(person);
      if (adopted) link = this.book.set(adopted);
    }
    if (link && !link.deleted) {
      const report = { sfUpdated: 0, mktoUpdated: 0, rejected: 0 };
      await this.syncPairs(state, sets, [{ link, fresh: true }], new Map(), report);
      await this.save();
      const current = this.book.get(personId);
      if (current?.failure) return { personId, outcome: 'rejected', sfId: current.sfId, error: pick(current.failure) };
      return { personId, outcome: report.sfUpdated + report.mktoUpdated > 0 ? 'updated' : 'unchanged', sfId: link.sfId };
    }
    // No lead yet (or its lead was deleted: Marketo creates a new one, reference A12).
    if (link?.deleted) this.book.delete(personId);
    const outcome = await this.createLead(state, sets, person);
    await this.save();
    return outcome;
  }

  /** A person that carries a link the state does not know (state lost, or linked by someone else). */
  private adoptLink(person: MarketoPerson): LinkState | undefined {
    const type = person.sfdcType;
    const leadId = typeof person.sfdcLeadId === 'string' ? person.sfdcLeadId : undefined;
    const contactId = typeof person.sfdcContactId === 'string' ? person.sfdcContactId : undefined;
    if (type === 'Contact' && contactId) return { personId: person.id, object: 'Contact', sfId: contactId, contactId, ...(leadId ? { leadId } : {}), ancestor: {}, logged: [] };
    if (type === 'Lead' && leadId) return { personId: person.id, object: 'Lead', sfId: leadId, leadId, ancestor: {}, logged: [] };
    return undefined;
  }

  /** Creates the person's lead; a lost answer is settled by a look-up before any second attempt. */
  private async createLead(state: EngineState, sets: FieldSets, person: MarketoPerson): Promise<SyncPersonResult> {
    const personId = person.id;
    const fields = sets.Lead;
    const mk = this.mkCanon(fields, person);
    const record = this.leadRecordOf(fields, mk);
    const pending: PendingPerson = state.pendingPeople[String(personId)] ?? { personId, logged: [] };
    state.pendingPeople[String(personId)] = pending;

    for (let attempt = 1; ; attempt++) {
      pending.createStartedAt = this.clock.now();
      pending.email = typeof record.Email === 'string' ? record.Email : null;
      pending.lastName = typeof record.LastName === 'string' ? record.LastName : null;
      pending.company = typeof record.Company === 'string' ? record.Company : null;
      await this.save(); // the intent is durable before the request leaves
      let result: SfSaveResult | undefined;
      try {
        [result] = await this.sf.create('Lead', [record]);
      } catch (err) {
        if (!isTransient(err) || attempt >= this.retry.maxAttempts) {
          // Unknown outcome stays recorded (createStartedAt): the next cycle looks before it creates again.
          return { personId, outcome: 'failed', error: { errorCode: err instanceof ApiError ? err.code : 'ERROR', message: describeError(err), fields: [] } };
        }
        const delay = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        this.emit({ type: 'retry', at: this.clock.now(), system: 'salesforce', operation: 'create Lead', attempt, delayMs: delay, error: describeError(err) });
        await this.clock.sleep(delay);
        // The flow-action-no-duplicate-check mutant (broken on purpose) creates again without looking first.
        if (!this.mutant('flow-action-no-duplicate-check')) {
          const found = await this.findCreatedLead(state, pending);
          if (found) {
            result = { id: found, success: true, errors: [] };
          }
        }
        if (!result) continue;
      }
      const locked = !result!.success && result!.errors[0]?.statusCode === 'UNABLE_TO_LOCK_ROW' && !this.mutant('no-retry-on-lock');
      if (locked) {
        // A row lock is transient and saved nothing: wait and create again; no failure activity (DESIGN §4).
        delete pending.createStartedAt;
        if (attempt < this.retry.maxAttempts) {
          const delay = backoffDelay(this.retry, attempt);
          this.emit({ type: 'retry', at: this.clock.now(), system: 'salesforce', operation: 'create Lead', attempt, delayMs: delay, error: 'UNABLE_TO_LOCK_ROW' });
          await this.clock.sleep(delay);
          continue;
        }
        // Still locked: the cycle tries again (retryPendingPeople), still without logging it as a rejection.
        const e = result!.errors[0]!;
        pending.failure = { operation: 'create', errorCode: e.statusCode, message: e.message, fields: e.fields, since: this.clock.now() };
        return { personId, outcome: 'failed', error: pick(pending.failure) };
      }
      if (!result!.success || !result!.id) return this.leadRejected(personId, pending, result!);
      return this.linkCreatedLead(state, sets, personId, mk, result!.id);
    }
  }

  /** The new lead's fields: the person's createable values, and the default owner where one is set. */
  private leadRecordOf(fields: readonly MappedField[], mk: Record<string, Canon>): Record<string, unknown> {
    const record: Record<string, unknown> = {};
    for (const f of fields) {
      if (!f.createable) continue;
      const v = mk[f.sf];
      if (v !== undefined && v !== null) record[f.sf] = toSalesforce(v, f.kind);
    }
    if (this.opts.defaultLeadOwnerId) record.OwnerId = this.opts.defaultLeadOwnerId;
    return record;
  }

  /** createLead refused for good: the failure is kept on the pending person and logged. */
  private async leadRejected(personId: number, pending: PendingPerson, result: SfSaveResult): Promise<SyncPersonResult> {
    const e = result.errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'rejected without an error', fields: [] };
    if (SCHEMA_CODES.has(e.statusCode)) this.describeDue = true;
    delete pending.createStartedAt;
    pending.failure = { operation: 'create', errorCode: e.statusCode, message: e.message, fields: e.fields, since: this.clock.now() };
    await this.failures.log([{ personId, failure: pending.failure, logged: pending.logged }], this.unsureSince);
    return { personId, outcome: 'rejected', error: pick(pending.failure) };
  }

  /** createLead's lead exists: the person is linked to it, saved, and the pair synced at once. */
  private async linkCreatedLead(state: EngineState, sets: FieldSets, personId: number, mk: Record<string, Canon>, sfId: string): Promise<SyncPersonResult> {
    const fields = sets.Lead;
    delete state.pendingPeople[String(personId)];
    const ancestor: Record<string, Canon> = Object.fromEntries(fields.flatMap((f) => (f.createable && mk[f.sf] !== undefined ? [[f.sf, mk[f.sf]!]] : [])));
    const link: LinkState = { personId, object: 'Lead', sfId, leadId: sfId, ancestor, logged: [] };
    this.book.set(link);
    this.emit({ type: 'link', at: this.clock.now(), personId, object: 'Lead', sfId, reason: 'Sync Person to SFDC created the lead' });
    this.emit({ type: 'write', at: this.clock.now(), system: 'salesforce', operation: 'create', object: 'Lead', count: 1, ok: 1, failed: 0 });
    await this.save();
    // Read the new lead back (defaults such as Status) and write the link onto the person, now.
    const updates = new Map<number, Record<string, unknown>>([[personId, { sfdcType: 'Lead', sfdcLeadId: sfId, sfdcContactId: null, sfdcIsDeleted: false }]]);
    await this.syncPairs(state, sets, [{ link, fresh: true }], updates, { sfUpdated: 0, mktoUpdated: 0, rejected: 0 });
    return { personId, outcome: 'created', sfId };
  }

  /** Looks for a lead the sync user created for this pending person since the create started. */
  private async findCreatedLead(state: EngineState, pending: PendingPerson): Promise<string | undefined> {
    if (pending.createStartedAt === undefined) return undefined;
    const soql = createdLeadQuery({
      sinceMs: pending.createStartedAt - 1000,
      ...(this.sf.userId ? { userId: this.sf.userId } : {}),
      email: pending.email ?? null,
      lastName: pending.lastName ?? null,
      company: pending.company ?? null,
    });
    const rows = await this.sf.query(soql);
    const hit = rows.find((r) => typeof r.Id === 'string' && !this.book.knows(r.Id));
    return hit ? String(hit.Id) : undefined;
  }

  /** Creates whose outcome is unknown (a lost answer, a crash): link the lead if Salesforce has it, else allow a new try. */
  private async settlePendingCreates(state: EngineState, only?: number): Promise<void> {
    for (const pending of Object.values(state.pendingPeople)) {
      if (pending.createStartedAt === undefined) continue;
      if (only !== undefined && pending.personId !== only) continue;
      const found = await this.findCreatedLead(state, pending);
      delete pending.createStartedAt;
      if (!found) continue;
      delete state.pendingPeople[String(pending.personId)];
      this.book.set({
        personId: pending.personId,
        object: 'Lead',
        sfId: found,
        leadId: found,
        // No ancestor yet: the first sync fills blanks and lets the lead's policy settle the rest.
        ancestor: {},
        retry: true,
        logged: [],
      });
      this.emit({ type: 'link', at: this.clock.now(), personId: pending.personId, object: 'Lead', sfId: found, reason: 'found the lead of a create whose answer was lost' });
      // The person still needs its link fields: the pair sync writes them (see syncPairs via retry).
      await this.save();
    }
  }

  /**
   * People whose lead create was rejected: tried again each cycle until Salesforce takes them (DESIGN §4: a
   * rejected record stays pending and is retried). UNCONFIRMED for native Marketo, whose flow step simply fails;
   * we retry because someone asked for this person to be in Salesforce, and the activity is still logged once.
   * These are only people Sync Person to SFDC was run for: the cycle never pushes other Marketo-only people.
   */
  private async retryPendingPeople(state: EngineState, sets: FieldSets, report: { rejected: number }): Promise<void> {
    const waiting = Object.values(state.pendingPeople).filter((p) => p.failure && p.createStartedAt === undefined && !this.book.has(p.personId));
    if (waiting.length === 0) return;
    const people = await this.mkto.getLeads('id', waiting.map((p) => p.personId), this.mktoReadFields(sets));
    for (const person of people) {
      const outcome = await this.createLead(state, sets, person);
      if (outcome.outcome === 'rejected') report.rejected++;
    }
    for (const p of waiting) if (!people.some((x) => Number(x.id) === p.personId)) delete state.pendingPeople[String(p.personId)];
  }
}

/** A new record's Marketo input: its Marketo-writable fields and its link fields. */
function personInputOf(fields: readonly MappedField[], object: SfObject, row: SfRow): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  for (const f of fields) {
    if (!f.mktoWritable) continue;
    const v = canon(row[f.sf], f.kind);
    if (v !== undefined) rec[f.mkto] = toMarketo(v, f.kind);
  }
  rec.sfdcType = object;
  rec.sfdcIsDeleted = false;
  if (object === 'Lead') rec.sfdcLeadId = row.Id;
  else {
    rec.sfdcContactId = row.Id;
    if (typeof row.AccountId === 'string') rec.sfdcAccountId = row.AccountId;
  }
  return rec;
}

function pick(f: PendingFailure): { errorCode: string; message: string; fields: string[] } {
  return { errorCode: f.errorCode, message: f.message, fields: f.fields };
}

function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The ancestor of a person adopted by its Salesforce id, from `feed`, the cycle's Marketo changes of that person. A
 * person whose New Lead activity is in the feed was created since the engine's last committed position: by this
 * engine from the record (a run that died before saving the link), and every Marketo edit since is in the same
 * feed. Its other fields still hold what the engine wrote, so they are the agreed values: a Salesforce edit made
 * since then is seen as one, instead of losing to Marketo's stale copy as a first sync with both sides set. An older
 * person (linked by someone else, or created before the feed's position) keeps no ancestor: nothing says which side
 * changed.
 */
function adoptedAncestor(feed: readonly LeadChange[], fields: readonly MappedField[], person: Record<string, unknown> | undefined): Record<string, Canon> {
  if (!person || !feed.some((c) => c.activityTypeId === ACTIVITY_NEW_LEAD)) return {};
  const editedInMarketo = new Set(feed.flatMap((c) => c.fields.map((f) => f.name.toLowerCase())));
  const agreed: Array<[string, Canon]> = [];
  for (const f of fields) {
    if (!f.mktoWritable || editedInMarketo.has(f.mkto.toLowerCase())) continue;
    const v = canon(person[f.mkto] ?? null, f.kind);
    if (v !== undefined) agreed.push([f.sf, v]);
  }
  return Object.fromEntries(agreed);
}
