/**
 * The REST pipeline every `/services/data/vXX.X/...` call goes through, in
 * Salesforce's order: API version → bearer session (401
 * INVALID_SESSION_ID) → daily allowance (403 REQUEST_LIMIT_EXCEEDED) → the
 * endpoint. Every answer past authentication carries `Sforce-Limit-Info`,
 * and every request is appended to the org's request log.
 */
import { http, type HttpHandler } from 'msw';
import { SalesforceError, type SfUser, type SaveError } from '../types.ts';
import { wrap, type SalesforceHttp } from './context.ts';
import { apiError, internalError, notFound, sessionInvalid } from './respond.ts';
import { heldText } from '../../text-response.ts';
import { requestText } from '../../request-text.ts';
import { queryParams, urlParts } from '../../url-parts.ts';
import { parseJsonBody } from './json-body.ts';
import { QueryError } from '../soql/errors.ts';

/** API versions this emulator answers: 31.0 (the oldest still served) to 66.0 (Spring '26). */
export const MIN_VERSION = 31;
export const MAX_VERSION = 66;

/** '50.0' from 'v50.0', or undefined for anything Salesforce would 404. */
export function parseVersion(segment: string | undefined): string | undefined {
  const m = /^v(\d{2})\.0$/.exec(segment ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= MIN_VERSION && n <= MAX_VERSION ? `${n}.0` : undefined;
}

/** What the request log records about one call; endpoints fill it in. */
export interface CallNote {
  operation: string;
  object?: string;
  fieldsRead: string[];
  fieldsWritten: string[];
  errorCodes: string[];
  records?: number;
}

export interface ApiCall {
  sf: SalesforceHttp;
  request: Request;
  /** The request URL, parsed when first asked for (most endpoints need only `query`). */
  readonly url: URL;
  /** The URL's query parameters, parsed when first asked for. */
  readonly query: URLSearchParams;
  /** `query.get(name)`, read off the URL text when it is plain (a query's `q`) without building the parameters. */
  queryParam(name: string): string | null;
  params: Record<string, string>;
  /** '50.0' */
  version: string;
  user: SfUser;
  note: CallNote;
  /** The request body as JSON; answers JSON_PARSER_ERROR (thrown) when it is not. */
  body(): Promise<unknown>;
  /** Records per-record error codes of a collection answer in the log. */
  noteErrors(errors: SaveError[]): void;
}

export type Method = 'get' | 'post' | 'patch' | 'delete' | 'put';

export type Endpoint = (call: ApiCall) => Response | Promise<Response>;

export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization') ?? '';
  const m = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

function stringParams(params: Record<string, string | readonly string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in params) {
    const v = params[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Collects the error codes of an answer for the request log. */
async function errorCodesOf(response: Response): Promise<string[]> {
  if (response.status < 400) return [];
  try {
    // The emulator's own JSON answers keep the text they were written with: no clone and stream read.
    const text = heldText(response);
    const body: unknown = text !== undefined ? JSON.parse(text) : await response.clone().json();
    if (Array.isArray(body)) return body.flatMap((e) => (e && typeof e === 'object' && 'errorCode' in e ? [String(e.errorCode)] : []));
  } catch {
    // not JSON: no codes to record
  }
  return [`HTTP_${response.status}`];
}

/** Requests a composite call made for its subrequests (composite.ts): counted with it, logged on their own. */
const SUBREQUESTS = new WeakSet<Request>();

export function markSubrequest(request: Request): void {
  SUBREQUESTS.add(request);
}

/**
 * Runs `endpoint` behind version check, authentication and the daily limit,
 * then logs the call. `operation` names it in the request log. A composite
 * subrequest is not counted against the allowance (its composite call was)
 * and its log entry says `composite: true`; `logOnlyRefusal` logs a call only
 * when it is refused as a whole (the composite call, logged as its subrequests).
 */
export async function runApiCall(
  sf: SalesforceHttp,
  request: Request,
  rawParams: Record<string, string | readonly string[] | undefined>,
  operation: string,
  endpoint: Endpoint,
  opts: { logOnlyRefusal?: boolean } = {},
): Promise<Response> {
  const sub = SUBREQUESTS.has(request);
  const params = stringParams(rawParams);
  const note: CallNote = { operation, fieldsRead: [], fieldsWritten: [], errorCodes: [] };
  const logOnlyRefusal = opts.logOnlyRefusal === true;

  const version = parseVersion(params['version']);
  if (!version) return finish(sf, request, sub, logOnlyRefusal, note, undefined, notFound());
  const token = bearerToken(request);
  const user = token ? sf.sessionUser(token) : undefined;
  if (!user) return finish(sf, request, sub, logOnlyRefusal, note, undefined, sessionInvalid());
  if (!sub && !sf.org.countApiRequest()) {
    return finish(sf, request, sub, logOnlyRefusal, note, user, withLimitInfo(sf, apiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')));
  }
  const call = new Call(sf, request, params, version, user, note);
  let response: Response;
  try {
    response = await endpoint(call);
  } catch (err) {
    // Logged like any other answer, a bug included. A refused query logs the fields it named: which hidden field
    // an engine asked for is what the conformance suite's respects-permissions property needs to know.
    if (err instanceof QueryError) {
      if (note.fieldsRead.length === 0) note.fieldsRead = err.fieldsRead;
      if (note.object === undefined && err.object !== undefined) note.object = err.object;
    }
    response = err instanceof SalesforceError ? apiError(err.status, err.errorCode, err.message, err.fields) : internalError(err);
  }
  return finish(sf, request, sub, logOnlyRefusal, note, user, sub ? response : withLimitInfo(sf, response));
}

/** An ApiCall (a class rather than a literal of closures: one is made per request). */
class Call implements ApiCall {
  #url: URL | undefined;
  #query: URLSearchParams | undefined;

  constructor(
    readonly sf: SalesforceHttp,
    readonly request: Request,
    readonly params: Record<string, string>,
    readonly version: string,
    readonly user: SfUser,
    readonly note: CallNote,
  ) {}

  get url(): URL {
    return (this.#url ??= new URL(this.request.url));
  }

  get query(): URLSearchParams {
    return (this.#query ??= this.#url ? this.#url.searchParams : queryParams(urlParts(this.request.url).query));
  }

  queryParam(name: string): string | null {
    if (this.#query) return this.#query.get(name);
    const value = plainParam(urlParts(this.request.url).query, name);
    return value !== undefined ? value : this.query.get(name);
  }

  async body(): Promise<unknown> {
    return parseJsonBody(await requestText(this.request));
  }

  noteErrors(errors: SaveError[]): void {
    for (const e of errors) this.note.errorCodes.push(e.statusCode);
  }
}

/**
 * `new URLSearchParams(query).get(name)` where that is certain without it: the first `name=value` pair (names
 * compared as written, so only a name with no `%` or `+` is passed over), its value with `+` as a space and then
 * percent-decoded as UTF-8. undefined when unsure (an encoded name, a `%` that is not valid UTF-8 escapes, which
 * URLSearchParams reads leniently and decodeURIComponent refuses): the caller asks URLSearchParams.
 */
export function plainParam(query: string, name: string): string | null | undefined {
  let from = 0;
  while (from <= query.length) {
    let end = query.indexOf('&', from);
    if (end < 0) end = query.length;
    const eq = query.indexOf('=', from);
    const nameEnd = eq >= 0 && eq < end ? eq : end;
    const key = query.slice(from, nameEnd);
    if (key === name) {
      try {
        return decodeURIComponent(query.slice(nameEnd + 1 > end ? end : nameEnd + 1, end).replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    }
    if (key.includes('%') || key.includes('+')) return undefined;
    from = end + 1;
  }
  return null;
}

/** Logs the call (unless `logOnlyRefusal` and it succeeded) and hands its answer back. */
async function finish(
  sf: SalesforceHttp,
  request: Request,
  sub: boolean,
  logOnlyRefusal: boolean,
  note: CallNote,
  user: SfUser | undefined,
  response: Response,
): Promise<Response> {
  if (logOnlyRefusal && response.status < 400) return response;
  const codes = note.errorCodes.length > 0 ? note.errorCodes : await errorCodesOf(response);
  const { pathname, query } = urlParts(request.url);
  sf.org.logRequest({
    user: user?.id ?? null,
    method: request.method,
    // URL's pathname + search: an empty query has no '?'.
    path: query === '' ? pathname : `${pathname}?${query}`,
    operation: note.operation,
    ...(note.object !== undefined ? { object: note.object } : {}),
    fieldsRead: note.fieldsRead,
    fieldsWritten: note.fieldsWritten,
    status: response.status,
    errorCodes: [...new Set(codes)],
    ...(note.records !== undefined ? { records: note.records } : {}),
    ...(sub ? { composite: true } : {}),
  });
  return response;
}

/** Adds `Sforce-Limit-Info: api-usage=N/MAX`, which jsforce reads into `conn.limitInfo`. */
export function withLimitInfo(sf: SalesforceHttp, response: Response): Response {
  const { used, max } = sf.org.apiUsage();
  response.headers.set('Sforce-Limit-Info', `api-usage=${used}/${max}`);
  return response;
}

/** One msw handler for one REST endpoint: `path` is below `/services/data/:version`. */
export function restRoute(sf: SalesforceHttp, method: Method, path: string, operation: string, endpoint: Endpoint): HttpHandler {
  return http[method](
    `*/services/data/:version${path}`,
    wrap(sf, ({ request, params }) => runApiCall(sf, request, params, operation, endpoint)),
  );
}
