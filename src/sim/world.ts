/**
 * A World: one virtual clock, both emulators built on it, their msw
 * handlers, the sync engine with an in-memory state store, and handles to act
 * as a Salesforce user or a Marketo user (issue 4 §3; the simulator grows it).
 *
 * How the engine's requests reach the handlers (`transport`):
 * - 'in-process' (default): the engine's clients send through an in-process
 *   fetch that hands each Request to msw's `getResponse` over the world's
 *   handlers (in-process-fetch.ts). Same handlers, faults and request hook;
 *   no socket emulation, so a call costs a fraction of setupServer's.
 * - 'msw-server': jsforce's own node-fetch and the global fetch go through
 *   msw's setupServer (Node's HTTP stack intercepted): exactly what a real
 *   jsforce sees on the wire.
 *
 *   msw patches Node's HTTP stack (and wraps the global Request, Response and
 *   Headers) once per process, so there is one server per process: such a
 *   world installs its handlers with `resetHandlers(...)`. An in-process world
 *   does not start the server (its patches slow every Request and Response);
 *   another client in the process reaches it through `world.fetch`.
 *
 * Closing a world removes its handlers. Only one world is open at a time;
 * creating a new one closes the previous one, so no handler or state leaks
 * into the next.
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import { setupServer } from 'msw/node';

type SetupServerApi = ReturnType<typeof setupServer>;
import { createMarketo, type Marketo } from '../../mocks/marketo/index.ts';
import type { MarketoInstance, Person } from '../../mocks/marketo/index.ts';
import { createSalesforce, type Salesforce } from '../../mocks/salesforce/index.ts';
import type { ConvertLeadOptions, ConvertLeadResult, MergeResult, Org, SaveResult } from '../../mocks/salesforce/index.ts';
import { FaultPlan, withFaults, type FaultSpec } from '../../mocks/faults.ts';
import { SyncEngine, type CycleReport, type EngineOptions, type SyncPersonResult } from '../engine/engine.ts';
import { MemoryStateStore, type EngineState, type StateChanges, type StateStore, type WriteIntent } from '../engine/state-store.ts';
import type { RetryPolicy } from '../engine/retry.ts';
import type { TraceEvent as EngineEvent, WinnerPolicy } from '../engine/types.ts';
import { DEFAULT_EPOCH, parseDuration, VirtualClock } from './clock.ts';
import { inProcessFetch, type InProcessFetch } from './in-process-fetch.ts';
import { Rng } from './rng.ts';
import { Trace } from './trace.ts';
import { urlParts } from '../../mocks/url-parts.ts';

export const SALESFORCE_LOGIN_URL = 'https://login.salesforce.com';
export const MARKETO_BASE_URL = 'https://123-ABC-456.mktorest.com';

/** How the engine's requests reach the emulators' handlers (see the module comment). */
export type WorldTransport = 'in-process' | 'msw-server';

export interface WorldOptions {
  seed?: number;
  /** Default 'in-process'. */
  transport?: WorldTransport;
  /** Virtual start time (default DEFAULT_EPOCH, a Monday 09:00 UTC). */
  start?: number;
  /** Sync interval (ms or a duration like '5m'). */
  interval?: number | string;
  winner?: WinnerPolicy;
  defaultLeadOwnerId?: string;
  mutant?: string;
  retry?: RetryPolicy;
  lookBackMs?: number;
  /** Every engine decision, as it happens (the world also records them in `trace`). */
  onEngineEvent?: (event: EngineEvent) => void;
  salesforce?: { dailyApiLimit?: number; sessionTtlMs?: number };
  marketo?: { dailyQuota?: number; activityScanSpan?: number };
  /** Log the engine in with client credentials instead of the sync user's password. */
  clientCredentials?: boolean;
  /** Called for every HTTP request the engine sends, before either emulator sees it. */
  onRequest?: (request: { system: 'salesforce' | 'marketo'; method: string; path: string }) => void;
}

/** Thrown when a user's action is refused by Salesforce or Marketo. */
export class UserActionRejected extends Error {
  constructor(
    readonly system: 'salesforce' | 'marketo',
    readonly code: string,
    message: string,
  ) {
    super(`${system} refused the user's action: ${code}: ${message}`);
    this.name = 'UserActionRejected';
  }
}

/** A Salesforce user (the org's admin) editing records as in the UI: the full save pipeline applies. */
export interface SalesforceUser {
  create(object: string, fields: Record<string, unknown>): string;
  update(object: string, id: string, fields: Record<string, unknown>): void;
  delete(object: string, id: string): void;
  convert(leadId: string, opts?: ConvertLeadOptions): ConvertLeadResult;
  merge(object: string, masterId: string, loserIds: string[]): MergeResult;
}

/** A Marketo user (or form) editing people. */
export interface MarketoUser {
  create(fields: Record<string, unknown>): Person;
  update(id: number, fields: Record<string, unknown>): Person;
  delete(id: number): void;
}

/** A state store that a crash can freeze: a dead process writes nothing. */
class CrashableStore implements StateStore {
  frozen = false;
  constructor(readonly inner: MemoryStateStore) {}
  load(): Promise<EngineState | undefined> {
    return this.inner.load();
  }
  async save(state: EngineState, changes?: StateChanges): Promise<void> {
    if (!this.frozen) await this.inner.save(state, changes);
  }
  /** Write-ahead intents go straight to the inner store (no copy of the whole state), unless the process is dead. */
  async saveIntents(intents: WriteIntent[]): Promise<void> {
    if (!this.frozen) await this.inner.saveIntents(intents);
  }
}

let server: SetupServerApi | undefined;
let listening = false;
let openWorld: World | undefined;

function sharedServer(): SetupServerApi {
  const s = (server ??= setupServer());
  if (!listening) {
    s.listen({ onUnhandledRequest: 'error' });
    listening = true;
  }
  return s;
}

/** Stops the process-wide msw server (end of a test file). Safe to call twice. */
export function closeAllWorlds(): void {
  openWorld?.close();
  if (server && listening) server.close();
  listening = false;
}

export class World {
  readonly clock: VirtualClock;
  readonly rng: Rng;
  readonly trace: Trace;
  readonly sf: Salesforce;
  readonly mkto: Marketo;
  readonly org: Org;
  readonly instance: MarketoInstance;
  readonly faults: FaultPlan;
  readonly store: MemoryStateStore;
  readonly salesforceUser: SalesforceUser;
  readonly marketoUser: MarketoUser;
  /** Every engine event, in order. */
  readonly engineEvents: EngineEvent[] = [];
  engine: SyncEngine;
  private readonly crashable: CrashableStore;
  private crashAfter: number | undefined;
  private crashed = false;
  private closed = false;
  private readonly handlers: RequestHandler[];
  /** How the engine's requests reach the handlers. */
  readonly transport: WorldTransport;
  /** A fetch answered by this world's handlers in-process (what the engine uses under 'in-process'). */
  readonly fetch: InProcessFetch & typeof fetch;

  constructor(private readonly opts: WorldOptions = {}) {
    openWorld?.close();
    this.clock = new VirtualClock(opts.start ?? DEFAULT_EPOCH);
    this.rng = new Rng(opts.seed ?? 1);
    this.trace = new Trace(() => this.clock.now());
    this.sf = withoutCallSites(() => createSalesforce({ clock: this.clock, ...(opts.salesforce ?? {}) }));
    this.mkto = withoutCallSites(() => createMarketo({ clock: this.clock, ...(opts.marketo ?? {}) }));
    this.org = this.sf.org;
    this.instance = this.mkto.instance;
    this.faults = new FaultPlan(this.clock, this.rng.fork('faults'));
    this.store = new MemoryStateStore();
    this.crashable = new CrashableStore(this.store);
    this.handlers = withoutCallSites(() => [
      this.crashSwitch(),
      ...withFaults('salesforce', this.sf.handlers, this.faults, { expireSessions: () => this.org.expireSessions() }),
      ...withFaults('marketo', this.mkto.handlers, this.faults),
    ]);
    this.transport = opts.transport ?? 'in-process';
    if (this.transport === 'msw-server') sharedServer().resetHandlers(...this.handlers);
    // A server still listening from an earlier msw-server world must not answer for that world any more.
    else server?.resetHandlers();
    // A closed world answers nothing, as its handlers are gone from the shared server too.
    this.fetch = inProcessFetch(() => (this.closed ? [] : this.handlers));
    openWorld = this;
    this.engine = this.newEngine();
    this.salesforceUser = this.makeSalesforceUser();
    this.marketoUser = this.makeMarketoUser();
  }

  // ---- time ------------------------------------------------------------------------------------

  /** Moves the clock forward, running every sync cycle that falls due on the way (in order). */
  async advance(duration: number | string): Promise<CycleReport[]> {
    this.ensureOpen();
    const ms = typeof duration === 'string' ? parseDuration(duration) : duration;
    const target = this.clock.now() + ms;
    const reports: CycleReport[] = [];
    while (this.engine.schedule.nextAt <= target) {
      this.clock.advanceTo(this.engine.schedule.nextAt);
      reports.push(await this.engine.schedule.runNow());
    }
    this.clock.advanceTo(target);
    return reports;
  }

  /** Runs one cycle now, outside the schedule's rhythm (the next one is due an interval after it). */
  runCycle(): Promise<CycleReport> {
    this.ensureOpen();
    return this.engine.schedule.runNow();
  }

  /** The flow action, run at once. */
  syncPersonToSfdc(personId: number): Promise<SyncPersonResult> {
    this.ensureOpen();
    this.trace.record('user', 'flow', `Sync Person to SFDC: person ${personId}`);
    return this.engine.syncPersonToSfdc(personId);
  }

  // ---- crashes and restarts ------------------------------------------------------------------------

  /**
   * The engine process dies right after its next `requests` HTTP requests
   * (0: now): the last of them is still answered, but nothing the engine does
   * after it reaches the state store, and every later request fails at once,
   * until `restartEngine()`.
   */
  crashEngineAfter(requests: number): void {
    if (requests <= 0) {
      this.crashAfter = undefined;
      this.crash();
    } else {
      this.crashAfter = requests;
    }
  }

  /** A new engine instance from the same state store (DESIGN §4 "State"). */
  restartEngine(): SyncEngine {
    this.ensureOpen();
    this.crashAfter = undefined;
    this.crashed = false;
    this.crashable.frozen = false;
    this.engine = this.newEngine();
    this.trace.record('world', 'restart', 'engine restarted from its state store');
    return this.engine;
  }

  private crash(): void {
    this.crashed = true;
    this.crashable.frozen = true;
    this.trace.record('world', 'crash', 'engine process died');
  }

  private crashSwitch(): RequestHandler {
    return http.all('*', ({ request }) => {
      const path = urlParts(request.url).pathname;
      this.opts.onRequest?.({ system: path.startsWith('/services/') ? 'salesforce' : 'marketo', method: request.method, path });
      if (this.crashed) return this.deadAnswer(path);
      if (this.crashAfter !== undefined && --this.crashAfter <= 0) {
        // This request still goes through; the process dies as its answer arrives.
        this.crashAfter = undefined;
        this.crash();
      }
      return undefined;
    });
  }

  /** A dead client gets nothing it could act on: a refusal it will not retry. */
  private deadAnswer(path: string): Response {
    if (path.includes('/oauth2/')) return HttpResponse.json({ error: 'invalid_grant', error_description: 'engine process died' }, { status: 400 });
    if (path.startsWith('/services/')) return HttpResponse.json([{ errorCode: 'ENGINE_CRASHED', message: 'engine process died' }], { status: 400 });
    return new HttpResponse('engine process died', { status: 400 });
  }

  private newEngine(): SyncEngine {
    const o = this.opts;
    const options: EngineOptions = {
      clock: this.clock,
      salesforce: o.clientCredentials
        ? { loginUrl: SALESFORCE_LOGIN_URL, clientId: 'syncsim', clientSecret: 'syncsim-secret', grant: 'client_credentials' }
        : { loginUrl: SALESFORCE_LOGIN_URL, username: 'sync@example.com', password: 'sync-password', clientId: 'syncsim', clientSecret: 'syncsim-secret' },
      marketo: { baseUrl: MARKETO_BASE_URL, clientId: 'syncsim', clientSecret: 'syncsim-secret' },
      store: this.crashable,
      trace: (e) => this.record(e),
      ...(o.interval !== undefined ? { intervalMs: typeof o.interval === 'string' ? parseDuration(o.interval) : o.interval } : {}),
      ...(o.winner ? { winner: o.winner } : {}),
      ...(o.defaultLeadOwnerId ? { defaultLeadOwnerId: o.defaultLeadOwnerId } : {}),
      ...(o.mutant ? { mutant: o.mutant } : {}),
      ...(o.retry ? { retry: o.retry } : {}),
      ...(o.lookBackMs !== undefined ? { lookBackMs: o.lookBackMs } : {}),
      ...(this.transport === 'in-process' ? { fetch: this.fetch } : {}),
    };
    return new SyncEngine(options);
  }

  private record(e: EngineEvent): void {
    this.engineEvents.push(e);
    this.opts.onEngineEvent?.(e);
    const { type, at: _at, ...data } = e;
    this.trace.record('engine', type, engineLine(e), data as Record<string, unknown>);
  }

  // ---- faults ----------------------------------------------------------------------------------

  fault(spec: FaultSpec): number {
    this.trace.record('fault', 'fault', `${spec.system} ${spec.kind}${spec.times ? ` ×${spec.times}` : ''}${spec.forMs ? ` for ${spec.forMs} ms` : ''}`);
    return this.faults.add(spec);
  }

  // ---- users -----------------------------------------------------------------------------------

  private makeSalesforceUser(): SalesforceUser {
    const org = this.org;
    const user = () => org.adminUser.id;
    const check = (r: SaveResult, what: string): string => {
      if (r.success) return r.id;
      const e = r.errors[0]!;
      throw new UserActionRejected('salesforce', e.statusCode, `${what}: ${e.message}`);
    };
    return {
      create: (object, fields) => {
        this.ensureOpen();
        const id = check(org.create(object, fields, user()), `create ${object}`);
        this.trace.record('user', 'sf.create', `${object} ${id}`, { fields });
        return id;
      },
      update: (object, id, fields) => {
        this.ensureOpen();
        check(org.update(object, id, fields, user()), `update ${object} ${id}`);
        this.trace.record('user', 'sf.update', `${object} ${id}`, { fields });
      },
      delete: (object, id) => {
        this.ensureOpen();
        check(org.delete(object, id, user()), `delete ${object} ${id}`);
        this.trace.record('user', 'sf.delete', `${object} ${id}`);
      },
      convert: (leadId, opts) => {
        this.ensureOpen();
        const r = org.convertLead(leadId, user(), opts);
        if (!r.success) throw new UserActionRejected('salesforce', r.errors[0]?.statusCode ?? 'ERROR', r.errors[0]?.message ?? 'convert failed');
        this.trace.record('user', 'sf.convert', `Lead ${leadId} → Contact ${r.contactId}`);
        return r;
      },
      merge: (object, masterId, loserIds) => {
        this.ensureOpen();
        const r = org.merge(object, masterId, loserIds, user());
        if (!r.success) throw new UserActionRejected('salesforce', r.errors[0]?.statusCode ?? 'ERROR', r.errors[0]?.message ?? 'merge failed');
        this.trace.record('user', 'sf.merge', `${object} ${loserIds.join(', ')} → ${masterId}`);
        return r;
      },
    };
  }

  private makeMarketoUser(): MarketoUser {
    const inst = this.instance;
    const wrap = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (err) {
        const e = err as { code?: string; message?: string };
        if (e.code) throw new UserActionRejected('marketo', e.code, e.message ?? '');
        throw err;
      }
    };
    return {
      create: (fields) => {
        this.ensureOpen();
        const p = wrap(() => inst.createPerson(fields, { source: 'user' }));
        this.trace.record('user', 'mkto.create', `person ${p.id}`, { fields });
        return p;
      },
      update: (id, fields) => {
        this.ensureOpen();
        const p = wrap(() => inst.updatePerson(id, fields, { source: 'user' }));
        this.trace.record('user', 'mkto.update', `person ${id}`, { fields });
        return p;
      },
      delete: (id) => {
        this.ensureOpen();
        wrap(() => inst.deletePerson(id));
        this.trace.record('user', 'mkto.delete', `person ${id}`);
      },
    };
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /** Removes this world's handlers from the shared server. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (openWorld === this) {
      openWorld = undefined;
      server?.resetHandlers();
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('this world is closed (a newer world replaced it, or close() was called)');
  }
}

/**
 * Runs `make` with stack traces off. msw records where each handler was
 * declared from a stack trace (source-mapped under tsx), for its debugging
 * output only; for a world's ~50 handlers that was half of its set-up time,
 * which the fuzzer pays once per run.
 */
function withoutCallSites<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function createWorld(opts: WorldOptions = {}): World {
  return new World(opts);
}

function engineLine(e: EngineEvent): string {
  switch (e.type) {
    case 'cycle-start':
      return `cycle ${e.cycle} starts`;
    case 'cycle-end':
      return `cycle ${e.cycle} ${e.ok ? 'done' : `failed: ${e.error}`} (${e.sfCalls} Salesforce calls, ${e.mktoCalls} Marketo calls)`;
    case 'describe':
      return `${e.object}: ${e.readable.length} fields synced, ${e.updateable.length} writable`;
    case 'field':
      return `person ${e.personId} ⇄ ${e.object} ${e.sfId} ${e.field}: ${e.decision} (${e.reason}) = ${JSON.stringify(e.value)}`;
    case 'write':
      return `${e.system} ${e.operation}${e.object ? ` ${e.object}` : ''}: ${e.ok}/${e.count} ok`;
    case 'link':
      return `person ${e.personId} linked to ${e.object} ${e.sfId} (${e.reason})`;
    case 'unlink':
      return `person ${e.personId} / ${e.sfId}: ${e.reason}`;
    case 'rejection':
      return `person ${e.personId}: Salesforce rejected ${e.operation}: ${e.errorCode} ${e.message}${e.logged ? ' (activity logged)' : ''}`;
    case 'retry':
      return `${e.system} ${e.operation}: retry ${e.attempt} in ${e.delayMs} ms (${e.error})`;
    case 'skip':
      return `${e.personId !== undefined ? `person ${e.personId} ` : ''}${e.sfId ?? ''} skipped: ${e.reason}`;
    case 'quota':
      return `${e.system} quota spent until ${new Date(e.until).toISOString()}`;
  }
}
