/**
 * Deterministic fault injection around the emulators' handlers (DESIGN §2, §7).
 *
 * `withFaults(system, handlers, plan)` returns one catch-all msw handler that
 * answers every request of that system: it asks the plan whether a fault
 * fires, and otherwise (or for faults that need the real answer) delegates to
 * the real handlers with `dispatch` (msw's `getResponse` without the cost of
 * handlers that cannot match, dispatch.ts). Faults fire from the plan's own
 * clock and seeded RNG, never from wall time, so a replay sees them on the
 * same requests.
 *
 * Answers follow the real systems:
 * - Salesforce: 503 SERVER_UNAVAILABLE; a network error before the handler
 *   (timeout) or after it ran (timeout-after-commit: the write is saved, the
 *   client never hears so); 403 REQUEST_LIMIT_EXCEEDED (the concurrent-request
 *   limit for rate-limit, the daily one for quota); sessions expired so the
 *   real handler answers 401 INVALID_SESSION_ID; UNABLE_TO_LOCK_ROW on writes.
 * - Marketo (HTTP 200 envelopes with string codes): 608 API Temporarily
 *   Unavailable, 606 rate limit, 607 daily quota, 602 expired token, 611
 *   System error for a lock (Marketo has no row-lock code; 611 is its generic
 *   retryable failure), network errors for timeouts.
 */
import { http, HttpResponse, type RequestHandler } from 'msw';
import type { Clock } from '../src/sim/clock.ts';
import { Rng } from '../src/sim/rng.ts';
import { dispatch } from './dispatch.ts';
import { queryParams, urlParts } from './url-parts.ts';
import { peekRequestText } from './request-text.ts';
import { textResponse } from './text-response.ts';
import { statusTextOf } from './salesforce/handlers/respond.ts';

export type FaultSystem = 'salesforce' | 'marketo';
export const FAULT_KINDS = [
  'unavailable',
  'timeout',
  'timeout-after-commit',
  'rate-limit',
  'session-expired',
  'lock',
  'quota',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  system: FaultSystem;
  kind: FaultKind;
  /** How long the fault stays on, from when it is added (virtual ms). Without it, until `times` is spent or cleared. */
  forMs?: number;
  /** How many requests it hits at most. */
  times?: number;
  /** Chance that a matching request is hit (default 1): the second level of FoundationDB's buggify. */
  probability?: number;
}

interface ActiveFault extends FaultSpec {
  id: number;
  startedAt: number;
  fired: number;
}

export interface FiredFault {
  at: number;
  faultId: number;
  system: FaultSystem;
  kind: FaultKind;
  method: string;
  path: string;
}

/** What a fault needs from the emulator it wraps, beyond its handlers. */
export interface FaultHooks {
  /** Invalidate every session/token, so the real handler answers as for an expired one. */
  expireSessions?: () => void;
}

export class FaultPlan {
  private readonly active: ActiveFault[] = [];
  private nextId = 1;
  readonly fired: FiredFault[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng = new Rng(0),
  ) {}

  add(spec: FaultSpec): number {
    const id = this.nextId++;
    this.active.push({ ...spec, id, startedAt: this.clock.now(), fired: 0 });
    return id;
  }

  clear(system?: FaultSystem): void {
    for (let i = this.active.length - 1; i >= 0; i--) {
      if (!system || this.active[i]!.system === system) this.active.splice(i, 1);
    }
  }

  /** Faults still in force (expired ones are dropped as a side effect). */
  list(): FaultSpec[] {
    this.prune();
    return this.active.map(({ system, kind, forMs, times, probability }) => ({ system, kind, forMs, times, probability }));
  }

  /** Whether any fault of `system` is in force (so a request needs looking at: its body, whether it writes). */
  armed(system: FaultSystem): boolean {
    this.prune();
    return this.active.some((f) => f.system === system);
  }

  /** The fault to apply to this request, if any; counts it as fired. */
  decide(system: FaultSystem, request: Request, isWrite: boolean, isAuth: boolean): ActiveFault | undefined {
    this.prune();
    for (const fault of this.active) {
      if (fault.system !== system) continue;
      if (fault.kind === 'lock' && !isWrite) continue;
      if (fault.kind === 'timeout-after-commit' && !isWrite) continue;
      if (fault.kind === 'session-expired' && isAuth) continue;
      if (fault.probability !== undefined && fault.probability < 1 && !this.rng.chance(fault.probability)) continue;
      fault.fired++;
      this.fired.push({ at: this.clock.now(), faultId: fault.id, system, kind: fault.kind, method: request.method, path: urlParts(request.url).pathname });
      return fault;
    }
    return undefined;
  }

  private prune(): void {
    const now = this.clock.now();
    for (let i = this.active.length - 1; i >= 0; i--) {
      const f = this.active[i]!;
      const expired = f.forMs !== undefined && now >= f.startedAt + f.forMs;
      const spent = f.times !== undefined && f.fired >= f.times;
      if (expired || spent) this.active.splice(i, 1);
    }
  }
}

const SF_JSON = 'application/json;charset=UTF-8';

/**
 * The Response `HttpResponse.json(body, { status, headers: { 'Content-Type': contentType } })` makes (status
 * text, Content-Type, Content-Length, body), without msw's Headers copies and subclass: faults fire often in a
 * fuzz campaign.
 */
function jsonAnswer(body: unknown, status = 200, contentType = 'application/json'): Response {
  const text = JSON.stringify(body);
  return textResponse(text, {
    status,
    statusText: statusTextOf(status),
    headers: { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(text, 'utf8')) },
  });
}

/** A request body as JSON, as `request.clone().json()` reads it (without the clone when the Request allows). */
async function peekJson(request: Request): Promise<unknown> {
  const text = peekRequestText(request);
  return text === undefined ? await request.clone().json() : (JSON.parse(text) as unknown);
}

function isSalesforcePath(path: string): boolean {
  return path.startsWith('/services/');
}

function isMarketoPath(path: string): boolean {
  return path.startsWith('/rest/') || path.startsWith('/identity/') || path.startsWith('/bulk/');
}

function isWriteRequest(system: FaultSystem, method: string, path: string): boolean {
  if (system === 'salesforce') {
    if (path.includes('/oauth2/')) return false;
    // SOAP login is auth; SOAP convertLead/merge are writes (isAuthRequest keeps login out of session faults).
    if (path.includes('/Soap/')) return method === 'POST';
    if (!/\/(sobjects|composite)\b/.test(path)) return false;
    // POST /composite/sobjects/{T} is a retrieve by ids, not a write.
    if (method === 'POST' && /\/composite\/sobjects\/[^/]+\/?$/.test(path)) return false;
    return method === 'POST' || method === 'PATCH' || method === 'DELETE';
  }
  return method === 'POST' && !path.startsWith('/identity/');
}

/** A Composite call (`/composite`) whose subrequests only read (describes, queries) is not a write. */
async function onlyReadsInComposite(request: Request, path: string): Promise<boolean> {
  if (!/\/services\/data\/v[\d.]+\/composite\/?$/.test(path)) return false;
  try {
    const body = (await peekJson(request)) as { compositeRequest?: Array<{ method?: unknown }> };
    return Array.isArray(body.compositeRequest) && body.compositeRequest.every((r) => r?.method === 'GET');
  } catch {
    return false;
  }
}

function isAuthRequest(path: string): boolean {
  return path.includes('/oauth2/') || path.startsWith('/identity/') || /\/Soap\/u\//.test(path);
}

/** How many records a Salesforce write names, so a lock can fail each one. */
async function salesforceWriteSize(request: Request, path: string): Promise<number | undefined> {
  if (!path.includes('/composite/sobjects')) return undefined;
  const ids = queryParams(urlParts(request.url).query).get('ids');
  if (ids) return ids.split(',').length;
  try {
    const body = (await peekJson(request)) as { records?: unknown[] };
    return Array.isArray(body.records) ? body.records.length : undefined;
  } catch {
    return undefined;
  }
}

function salesforceFault(kind: FaultKind, recordCount: number | undefined): Response {
  switch (kind) {
    case 'unavailable':
      return jsonAnswer([{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }], 503, SF_JSON);
    case 'rate-limit':
      return jsonAnswer([{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' }], 403, SF_JSON);
    case 'quota':
      return jsonAnswer([{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }], 403, SF_JSON);
    case 'lock': {
      const error = { statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record', fields: [] };
      if (recordCount !== undefined) {
        return jsonAnswer(Array.from({ length: recordCount }, () => ({ success: false, errors: [error] })), 200, SF_JSON);
      }
      return jsonAnswer([{ errorCode: error.statusCode, message: error.message, fields: [] }], 400, SF_JSON);
    }
    default:
      return HttpResponse.error();
  }
}

function marketoFault(kind: FaultKind, seq: number): Response {
  const codes: Partial<Record<FaultKind, [string, string]>> = {
    unavailable: ['608', 'API Temporarily Unavailable'],
    'rate-limit': ['606', "Max rate limit '100' exceeded with in '20' secs"],
    quota: ['607', 'Daily quota reached'],
    lock: ['611', 'System error'],
  };
  const code = codes[kind];
  if (!code) return HttpResponse.error();
  return jsonAnswer({
    requestId: `fault#${seq.toString(16)}`,
    success: false,
    errors: [{ code: code[0], message: code[1] }],
  });
}

/**
 * One catch-all handler that puts `plan` in front of `handlers` for the
 * paths of `system`. Requests of the other system fall through untouched.
 */
export function withFaults(system: FaultSystem, handlers: RequestHandler[], plan: FaultPlan, hooks: FaultHooks = {}): RequestHandler[] {
  const owns = system === 'salesforce' ? isSalesforcePath : isMarketoPath;
  const front = http.all('*', async ({ request }) => {
    const path = urlParts(request.url).pathname;
    if (!owns(path)) return undefined;
    // Most requests meet no fault: skip reading a Composite body to learn whether it writes
    // (decide still sees every request: the simulator traces requests there).
    const write =
      isWriteRequest(system, request.method, path) && !(system === 'salesforce' && plan.armed(system) && (await onlyReadsInComposite(request, path)));
    const fault = plan.decide(system, request, write, isAuthRequest(path));
    if (!fault) return dispatch(handlers, request);
    switch (fault.kind) {
      case 'timeout':
        return HttpResponse.error();
      case 'timeout-after-commit':
        await dispatch(handlers, request);
        return HttpResponse.error();
      case 'session-expired':
        if (hooks.expireSessions) {
          hooks.expireSessions();
          return dispatch(handlers, request);
        }
        return system === 'salesforce'
          ? jsonAnswer([{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }], 401, SF_JSON)
          : jsonAnswer({ requestId: 'fault#0', success: false, errors: [{ code: '602', message: 'Access token expired' }] });
      default:
        if (system === 'salesforce') return salesforceFault(fault.kind, await salesforceWriteSize(request, path));
        return marketoFault(fault.kind, plan.fired.length);
    }
  });
  return [front];
}
