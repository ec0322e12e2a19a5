/**
 * `POST /services/data/vXX.X/composite` (the Composite resource, API 38.0+):
 * up to 25 subrequests run in order as the calling user, each answered as
 * `{body, httpHeaders, httpStatusCode, referenceId}` inside a 200
 * `{compositeResponse: [...]}`. The whole call counts as one API request
 * toward the org's allowance (Salesforce's REST guide: "The entire series of
 * requests counts as a single call toward your API limits").
 *
 * What is modelled: sObject resources (describe, rows, create/update/delete),
 * query/queryAll (with their query-more locators) and sObject Collections as
 * subrequests; `@{referenceId.path}` references in a later subrequest's url or
 * body (`.field` and `[n]` steps); `allOrNone` (a failure rolls back every
 * write and the other subrequests answer 400 PROCESSING_HALTED); a subrequest
 * that names a failed one answers 400 PROCESSING_HALTED. `collateSubrequests`
 * is accepted and changes nothing (the emulator always runs in order).
 *
 * Each subrequest goes through the same endpoint as a direct call (same
 * checks, same errors) and is logged as its own request-log entry marked
 * `composite: true`; the composite itself is logged only when it is refused
 * as a whole (bad body, session), since its subrequests are what it does.
 */
import { http, type HttpHandler, type RequestHandler } from 'msw';
import { dispatch } from '../../dispatch.ts';
import { SalesforceError } from '../types.ts';
import { wrap, type SalesforceHttp } from './context.ts';
import { jsonText, notFound } from './respond.ts';
import { heldText } from '../../text-response.ts';
import { lightRequest } from '../../light-request.ts';
import { markSubrequest, parseVersion, runApiCall, type ApiCall } from './rest.ts';

/** Subrequests per call (REST guide: "up to 25 subrequests"). */
export const MAX_SUBREQUESTS = 25;
/** Of which query and sObject Collections subrequests (REST guide: "up to 5"). */
export const MAX_QUERY_OR_COLLECTION = 5;

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];
const SUPPORTED = /^\/services\/data\/v\d{2}\.0\/(sobjects(\/|$)|query(\/|\?|$)|queryAll(\/|\?|$)|composite\/sobjects(\/|\?|$))/;
const QUERY_OR_COLLECTION = /^\/services\/data\/v\d{2}\.0\/(query|queryAll|composite\/sobjects)(\/|\?|$)/;
const HALTED_ROLLBACK = 'The transaction was rolled back since another operation in the same transaction failed.';

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

interface SubResult {
  /** A JSON answer stays the text its endpoint wrote (RawJson); other answers are parsed values. */
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

/** A 400 for the whole request, before any subrequest runs. UNCONFIRMED wording; the code is Salesforce's for bad input. */
function invalid(message: string): SalesforceError {
  return new SalesforceError('INVALID_INPUT', message, 400);
}

function parseRequest(body: unknown, version: number): { allOrNone: boolean; subrequests: Subrequest[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('The request body must be a JSON object with a compositeRequest array');
  const b = body as Record<string, unknown>;
  if (b['allOrNone'] !== undefined && typeof b['allOrNone'] !== 'boolean') throw invalid('allOrNone must be true or false');
  if (b['collateSubrequests'] !== undefined && typeof b['collateSubrequests'] !== 'boolean') throw invalid('collateSubrequests must be true or false');
  const list = b['compositeRequest'];
  if (!Array.isArray(list) || list.length === 0) throw invalid('compositeRequest is required and must hold at least one subrequest');
  if (list.length > MAX_SUBREQUESTS) throw invalid(`A composite request can hold at most ${MAX_SUBREQUESTS} subrequests; this one has ${list.length}`);
  const seen = new Set<string>();
  let heavy = 0;
  const subrequests = list.map((raw, i): Subrequest => {
    const where = `compositeRequest[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(`${where} must be an object with method, url and referenceId`);
    const r = raw as Record<string, unknown>;
    const method = r['method'];
    const url = r['url'];
    const referenceId = r['referenceId'];
    if (typeof method !== 'string' || !METHODS.includes(method)) throw invalid(`${where}.method must be one of ${METHODS.join(', ')} (case-sensitive)`);
    if (typeof url !== 'string' || url === '') throw invalid(`${where}.url is required`);
    if (typeof referenceId !== 'string' || referenceId === '') throw invalid(`${where}.referenceId is required`);
    if (!/^[A-Za-z0-9_]+$/.test(referenceId)) throw invalid(`${where}.referenceId may hold only letters, digits and underscores: ${referenceId}`);
    if (seen.has(referenceId)) throw invalid(`Duplicate referenceId ${referenceId}: each subrequest needs its own`);
    seen.add(referenceId);
    const at = /^\/services\/data\/(v\d{2}\.\d)\//.exec(url);
    const subVersion = at ? parseVersion(at[1]) : undefined;
    if (!subVersion || Number.parseFloat(subVersion) > version) {
      throw invalid(`${where}.url must start with /services/data/vXX.X/ at a version no later than the composite request's (v${version.toFixed(1)}): ${url}`);
    }
    if (!SUPPORTED.test(url)) throw invalid(`${where}.url names a resource the Composite API does not support: ${url}`);
    if (QUERY_OR_COLLECTION.test(url) && ++heavy > MAX_QUERY_OR_COLLECTION) {
      throw invalid(`A composite request can hold at most ${MAX_QUERY_OR_COLLECTION} query or sObject Collections subrequests`);
    }
    const headers = r['httpHeaders'];
    if (headers !== undefined && (typeof headers !== 'object' || headers === null || Array.isArray(headers))) throw invalid(`${where}.httpHeaders must be an object`);
    return {
      method,
      url,
      referenceId,
      ...(r['body'] !== undefined ? { body: r['body'] } : {}),
      ...(headers !== undefined ? { httpHeaders: Object.fromEntries(Object.entries(headers as Record<string, unknown>).map(([k, v]) => [k, String(v)])) } : {}),
    };
  });
  return { allOrNone: b['allOrNone'] === true, subrequests };
}

/**
 * A subresponse's JSON as its endpoint wrote it: written into the composite
 * answer verbatim (a 60 KB describe is not parsed and written again) and
 * parsed only when a later subrequest refers into it.
 */
class RawJson {
  private parsed: { value: unknown } | undefined;
  constructor(readonly text: string) {}
  get value(): unknown {
    return (this.parsed ??= { value: JSON.parse(this.text) as unknown }).value;
  }
}

function plain(body: unknown): unknown {
  return body instanceof RawJson ? body.value : body;
}

/** The composite answer; JSON.stringify's text for the same values, with raw subresponse bodies copied in. */
function compositeJson(results: readonly SubResult[]): Response {
  const parts = results.map(
    (r) =>
      `{"referenceId":${JSON.stringify(r.referenceId)},"httpHeaders":${JSON.stringify(r.httpHeaders)},"httpStatusCode":${r.httpStatusCode},"body":${
        r.body instanceof RawJson ? r.body.text : JSON.stringify(r.body ?? null)
      }}`,
  );
  return jsonText(`{"compositeResponse":[${parts.join(',')}]}`);
}

/** The value at `path` (`a.b[0].c`) in a subresponse body, or undefined. */
function lookUp(body: unknown, path: string): unknown {
  let cur: unknown = plain(body);
  for (const step of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const key = step.startsWith('[') ? Number(step.slice(1, -1)) : step;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[^}.[\]]+|\[\d+\])*)\}/g;

/** Replaces `@{ref.path}` in a string; throws the PROCESSING_HALTED answer when a reference cannot be resolved. */
function substitute(text: string, done: ReadonlyMap<string, SubResult>): string {
  return text.replace(REFERENCE, (_, ref: string, rawPath: string) => {
    const prior = done.get(ref);
    const path = rawPath.replace(/^\./, '');
    // UNCONFIRMED wording; the code and status are what Salesforce answers for a subrequest it cannot run.
    if (!prior || prior.httpStatusCode >= 400) throw new SalesforceError('PROCESSING_HALTED', `Invalid reference specified. No value for ${ref}${rawPath} found in ${ref}. Provided referenceId ('${ref}') must refer to a previous subrequest that succeeded.`, 400);
    const value = path === '' ? plain(prior.body) : lookUp(prior.body, path);
    if (value === undefined || value === null || typeof value === 'object') {
      throw new SalesforceError('PROCESSING_HALTED', `Invalid reference specified. No value for ${ref}${rawPath} found in ${ref}.`, 400);
    }
    return String(value);
  });
}

function substituteDeep(value: unknown, done: ReadonlyMap<string, SubResult>): unknown {
  if (typeof value === 'string') return substitute(value, done);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, done));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, done)]));
  return value;
}

/** Headers a subresponse carries (the composite resource leaves Content-Length out). */
function subHeaders(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['Location', 'ETag', 'Last-Modified']) {
    const v = response.headers.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = heldText(response) ?? (await response.text());
  if (text === '') return null;
  // The emulator's JSON answers are JSON.stringify's output: kept as written.
  if (/^[[{]/.test(text) && (response.headers.get('Content-Type') ?? '').includes('json')) return new RawJson(text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * `new URL(url, base).href` for a path-absolute `url` (`/services/...`) without parsing `base`: its scheme and
 * authority as written (the Request parses the result itself). Anything else goes through URL.
 */
function resolveUrl(url: string, base: string): string {
  if (url.startsWith('/') && url[1] !== '/' && url[1] !== '\\') {
    const scheme = base.indexOf('://');
    const pathAt = scheme < 0 ? -1 : base.indexOf('/', scheme + 3);
    if (pathAt > 0 && /^https?:\/\/[^/?#]*$/i.test(base.slice(0, pathAt))) return base.slice(0, pathAt) + url;
  }
  return new URL(url, base).href;
}

async function runOne(call: ApiCall, handlers: () => RequestHandler[], sub: Subrequest, done: ReadonlyMap<string, SubResult>): Promise<SubResult> {
  const base = { referenceId: sub.referenceId, httpHeaders: {} };
  let url: string;
  let body: string | undefined;
  try {
    url = substitute(sub.url, done);
    body = sub.body === undefined ? undefined : JSON.stringify(substituteDeep(sub.body, done));
  } catch (err) {
    if (!(err instanceof SalesforceError)) throw err;
    return { ...base, httpStatusCode: 400, body: [{ errorCode: err.errorCode, message: err.message }] };
  }
  const headers = new Headers(sub.httpHeaders);
  headers.set('Authorization', call.request.headers.get('authorization') ?? '');
  if (body !== undefined) headers.set('Content-Type', 'application/json');
  // It never leaves the emulator: a light request, the same Request to the handlers without undici building one.
  const request = lightRequest(resolveUrl(url, call.request.url), { method: sub.method, headers, ...(body !== undefined ? { body } : {}) });
  markSubrequest(request);
  const response = (await dispatch(handlers(), request)) ?? notFound();
  const answer = await bodyOf(response);
  const httpHeaders = subHeaders(response);
  // A created record's subresult carries its Location (REST guide's composite example).
  const created = /^(\/services\/data\/v[\d.]+\/sobjects\/[^/?]+)\/?(\?|$)/.exec(url);
  if (response.status === 201 && created && httpHeaders.Location === undefined) {
    const value = plain(answer);
    const id = value && typeof value === 'object' && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined;
    if (typeof id === 'string') httpHeaders.Location = `${created[1]}/${id}`;
  }
  return { ...base, httpHeaders, httpStatusCode: response.status, body: answer };
}

async function composite(call: ApiCall, handlers: () => RequestHandler[]): Promise<Response> {
  const version = Number.parseFloat(call.version);
  if (version < 38) return notFound();
  const { allOrNone, subrequests } = parseRequest(await call.body(), version);
  const savepoint = allOrNone ? call.sf.org.savepoint?.() : undefined;
  const done = new Map<string, SubResult>();
  const results: SubResult[] = [];
  let failedAt = -1;
  for (const sub of subrequests) {
    const result = await runOne(call, handlers, sub, done);
    done.set(sub.referenceId, result);
    results.push(result);
    if (allOrNone && result.httpStatusCode >= 400) {
      failedAt = results.length - 1;
      break;
    }
  }
  if (failedAt >= 0) {
    savepoint?.rollback();
    const halted = (referenceId: string): SubResult => ({
      referenceId,
      httpHeaders: {},
      httpStatusCode: 400,
      body: [{ errorCode: 'PROCESSING_HALTED', message: HALTED_ROLLBACK }],
    });
    const out = subrequests.map((s, i) => (i === failedAt ? results[i]! : halted(s.referenceId)));
    return compositeJson(out);
  }
  savepoint?.release();
  return compositeJson(results);
}

/** `handlers()` is every Salesforce handler: each subrequest is answered by the endpoint a direct call would reach. */
export function compositeHandlers(sf: SalesforceHttp, handlers: () => RequestHandler[]): HttpHandler[] {
  return [
    http.post(
      '*/services/data/:version/composite',
      wrap(sf, ({ request, params }) => runApiCall(sf, request, params, 'composite', (call) => composite(call, handlers), { logOnlyRefusal: true })),
    ),
  ];
}
