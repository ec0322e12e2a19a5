/**
 * The engine's Salesforce client: jsforce 3.10.16 over plain HTTP, nothing
 * else (DESIGN §2). Pointed at a real org it works unchanged.
 *
 * - Login: OAuth2 username-password (jsforce then refreshes the session on any
 *   401 by logging in again) or client credentials (a refresh function that
 *   asks for a new token, since that grant gives no refresh token).
 * - jsforce's own HTTP retries are switched off: they retry 5xx/429/network
 *   errors on GET/PUT/DELETE with real setTimeout sleeps (lib/request.js),
 *   which breaks determinism. The engine retries on its clock (retry.ts).
 * - Given a `fetch` (the simulator's in-process one), every request goes
 *   through it instead of jsforce's node-fetch stack (jsforce-fetch.ts).
 * - Writes go through sObject Collections (`composite/sobjects`), ≤200 records
 *   per call, allOrNone=false; per-record results are returned as they are.
 */
import { Connection } from 'jsforce';
import type { Clock } from '../sim/clock.ts';
import type { SfFieldInfo } from './field-map.ts';
import type { FetchFn } from './fetch-fn.ts';
import { useFetchTransport, type JsforceTransport } from './jsforce-fetch.ts';
import { ApiError, DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.ts';

export interface SalesforceConfig {
  loginUrl: string;
  username?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  /** Default: password when a username is given, else client_credentials. */
  grant?: 'password' | 'client_credentials';
  /** REST API version; jsforce's default when omitted. */
  version?: string;
}

export const DEFAULT_SALESFORCE: Required<Pick<SalesforceConfig, 'username' | 'password' | 'clientId' | 'clientSecret'>> = {
  username: 'sync@example.com',
  password: 'sync-password',
  clientId: 'syncsim',
  clientSecret: 'syncsim-secret',
};

export type SfRecordValues = Record<string, unknown> & { Id: string };

export interface SfRecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

export interface SfSaveResult {
  id?: string;
  success: boolean;
  errors: SfRecordError[];
}

/** A SOQL read; `all`: queryAll (deleted and merged-away rows too). */
export interface SoqlRead {
  soql: string;
  all?: boolean;
}

/** A query's answer inside a Composite call: its rows, or the error Salesforce answered for it. */
export type QueryAnswer = { rows: Array<Record<string, unknown>>; error?: undefined } | { rows?: undefined; error: ApiError };

type QueryPage = { records: Array<Record<string, unknown>>; done: boolean; nextRecordsUrl?: string };

/** Collection calls take at most this many records (EXCEEDED_ID_LIMIT beyond). */
export const SF_BATCH = 200;

/** Error codes worth retrying: the server or a lock, not the data. */
const TRANSIENT_CODES = new Set([
  'SERVER_UNAVAILABLE',
  'UNABLE_TO_LOCK_ROW',
  'REQUEST_LIMIT_EXCEEDED',
  'INVALID_SESSION_ID',
  'API_CURRENTLY_DISABLED',
  'ERROR_HTTP_420',
  'ERROR_HTTP_429',
  'ERROR_HTTP_500',
  'ERROR_HTTP_502',
  'ERROR_HTTP_503',
  'ERROR_HTTP_504',
]);

const NO_RETRY = { maxRetries: 0, methods: [] as string[], statusCodes: [] as number[], errorCodes: [] as string[] };

interface TransportLike extends JsforceTransport {
  httpRequest(req: { method: string; url: string }, options?: Record<string, unknown>): unknown;
}

export interface SalesforceClientOptions {
  clock: Clock;
  retry?: RetryPolicy;
  onRetry?: (operation: string, attempt: number, delayMs: number, err: unknown) => void;
  /** Send every request through this fetch; default: jsforce's own transport (the real network). */
  fetch?: FetchFn;
}

export class SalesforceClient {
  readonly conn: Connection;
  /** HTTP requests sent (login and token refreshes included). */
  calls = 0;
  userId: string | undefined;
  private loggedIn = false;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly config: SalesforceConfig,
    private readonly opts: SalesforceClientOptions,
  ) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    const clientId = config.clientId ?? DEFAULT_SALESFORCE.clientId;
    const clientSecret = config.clientSecret ?? DEFAULT_SALESFORCE.clientSecret;
    const clientCredentials = this.grant() === 'client_credentials';
    this.conn = new Connection({
      loginUrl: config.loginUrl,
      ...(config.version ? { version: config.version } : {}),
      oauth2: { loginUrl: config.loginUrl, clientId, clientSecret },
      ...(clientCredentials
        ? {
            refreshFn: (conn, callback) => {
              conn.oauth2
                .requestToken({ grant_type: 'client_credentials' })
                .then((res) => callback(null, res.access_token, res))
                .catch((err: Error) => callback(err));
            },
          }
        : {}),
    });
    for (const transport of [
      (this.conn as unknown as { _transport: TransportLike })._transport,
      (this.conn.oauth2 as unknown as { _transport: TransportLike })._transport,
    ]) {
      this.wrapTransport(transport);
      if (opts.fetch) useFetchTransport(transport, opts.fetch);
    }
  }

  private grant(): 'password' | 'client_credentials' {
    return this.config.grant ?? (this.config.username !== undefined || this.config.clientId === undefined ? 'password' : 'client_credentials');
  }

  /** Counts every request and turns jsforce's wall-clock retries off. */
  private wrapTransport(transport: TransportLike): void {
    const original = transport.httpRequest.bind(transport);
    transport.httpRequest = (req, options = {}) => {
      this.calls++;
      return original(req, { ...options, retry: NO_RETRY });
    };
  }

  /** Logs in once; jsforce keeps the session fresh after that. */
  async connect(): Promise<void> {
    if (this.loggedIn) return;
    await this.call('login', async () => {
      if (this.grant() === 'client_credentials') {
        const info = await this.conn.authorize({ grant_type: 'client_credentials' });
        this.userId = info.id;
      } else {
        const info = await this.conn.login(
          this.config.username ?? DEFAULT_SALESFORCE.username,
          this.config.password ?? DEFAULT_SALESFORCE.password,
        );
        this.userId = info.id;
      }
    });
    this.loggedIn = true;
  }

  /** The fields the logged-in user can see on `object` (describe is per user). */
  async describe(object: string): Promise<SfFieldInfo[]> {
    await this.connect();
    const result = await this.call(`describe ${object}`, () => this.conn.describe(object));
    return fieldInfos(result.fields as unknown as SfFieldInfo[]);
  }

  /**
   * describe() of several objects in one request: a Composite call (`/composite`, one API call toward the org's
   * limits whatever the number of subrequests) with one describe subrequest per object. A subrequest that fails
   * fails the whole look (as describe() would), with its own error code.
   */
  async describeMany(objects: readonly string[]): Promise<Record<string, SfFieldInfo[]>> {
    return (await this.compositeRead(objects, [], true)).described;
  }

  /**
   * describeMany() and up to five SOQL queries in the same Composite call (subrequests run in order: the first
   * `leading` queries, then the describes, then the other queries as listed; answers come in the queries' order). A describe that fails fails the call; a query that fails answers its error
   * instead of rows (it may name a field the describe just showed gone), and the caller decides. Rows past the first
   * page come through the usual queryMore calls.
   */
  async describeAndQuery(
    objects: readonly string[],
    queries: readonly SoqlRead[],
    opts: { leading?: number } = {},
  ): Promise<{ described: Record<string, SfFieldInfo[]>; answers: QueryAnswer[] }> {
    return this.compositeRead(objects, queries, false, opts.leading ?? 0);
  }

  /** Several queries in one Composite call (one alone goes as a plain query); a failed one fails the call, as query() would. */
  async queryMany(queries: readonly SoqlRead[]): Promise<Array<Array<Record<string, unknown>>>> {
    if (queries.length === 1) return [await this.query(queries[0]!.soql, queries[0]!.all)];
    const { answers } = await this.compositeRead([], queries, true);
    return answers.map((a) => a.rows ?? []);
  }

  /** The Composite read behind describeMany/describeAndQuery/queryMany; `strict`: a failed query fails the call. */
  private async compositeRead(
    objects: readonly string[],
    queries: readonly SoqlRead[],
    strict: boolean,
    leading = 0,
  ): Promise<{ described: Record<string, SfFieldInfo[]>; answers: QueryAnswer[] }> {
    // The Composite resource takes at most five query subrequests (REST guide); the engine never needs more.
    if (queries.length > 5) throw new Error(`compositeRead: ${queries.length} queries, at most 5 fit one Composite call`);
    await this.connect();
    type Sub = { body: unknown; httpStatusCode: number; referenceId: string };
    const failure = (sub: Sub): Error => {
      const e = (Array.isArray(sub.body) ? sub.body[0] : undefined) as { errorCode?: string; message?: string } | undefined;
      return Object.assign(new Error(e?.message ?? `${sub.referenceId} failed with HTTP ${sub.httpStatusCode}`), {
        errorCode: e?.errorCode ?? `ERROR_HTTP_${sub.httpStatusCode}`,
      });
    };
    const label = [...(objects.length > 0 ? [`describe ${objects.join(', ')}`] : []), ...(queries.length > 0 ? [`${queries.length} ${queries.length === 1 ? 'query' : 'queries'}`] : [])].join(' + ');
    const isQuery = (sub: Sub) => /^q\d+$/.test(sub.referenceId);
    const result = await this.call(label, async () => {
      const base = `/services/data/v${this.conn.version}`;
      const reads = queries.map((q, i) => ({ method: 'GET', url: `${base}/${q.all ? 'queryAll' : 'query'}?q=${encodeURIComponent(q.soql)}`, referenceId: `q${i}` }));
      const answer = await this.conn.request<{ compositeResponse: Sub[] }>({
        method: 'POST',
        url: '/composite',
        body: JSON.stringify({
          allOrNone: false,
          compositeRequest: [
            ...reads.slice(0, leading),
            ...objects.map((object) => ({ method: 'GET', url: `${base}/sobjects/${object}/describe`, referenceId: object })),
            ...reads.slice(leading),
          ],
        }),
        headers: { 'Content-Type': 'application/json' },
      });
      for (const sub of answer.compositeResponse) {
        if (sub.httpStatusCode >= 400 && (!isQuery(sub) || strict)) throw failure(sub);
      }
      return answer;
    });
    const described: Record<string, SfFieldInfo[]> = {};
    const answers: QueryAnswer[] = [];
    for (const sub of result.compositeResponse) {
      if (!isQuery(sub)) described[sub.referenceId] = fieldInfos((sub.body as { fields: SfFieldInfo[] }).fields);
      else if (sub.httpStatusCode >= 400) answers.push({ error: classify(failure(sub)) });
      else answers.push({ rows: await this.restOfPages(sub.body as QueryPage) });
    }
    return { described, answers };
  }

  /** Every row of a SOQL query, page by page (`queryAll` when `all`), each page retried on its own. */
  async query(soql: string, all = false): Promise<Array<Record<string, unknown>>> {
    await this.connect();
    const first = await this.call('query', () => this.page(`/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`));
    return this.restOfPages(first);
  }

  /**
   * One page of a query: the GET that jsforce's conn.query / conn.queryMore send (the same URL under the version's
   * base URL, no header of their own), through conn.request, without the Query object around it (an event emitter
   * with a record stream, and an event per row, that the engine never reads: ~150 us more per call of 20 rows).
   * As Query answers it, a page without `done` is the last one.
   */
  private async page(url: string): Promise<QueryPage> {
    const body = await this.conn.request<QueryPage>({ method: 'GET', url, headers: {} });
    return { ...body, done: body.done ?? true };
  }

  /** A first page's rows and those of the pages after it (queryMore on nextRecordsUrl). */
  private async restOfPages(first: QueryPage): Promise<Array<Record<string, unknown>>> {
    // Stripped page by page: a backfill's 100,000 rows are not held twice (as parsed, and without attributes).
    const rows = first.records.map(stripAttributes);
    let next = first.done ? undefined : first.nextRecordsUrl;
    while (next) {
      // As jsforce's queryMore asks for it: the cursor (last path segment of nextRecordsUrl) under /query/.
      const locator = next.split('/').pop()!;
      const page = await this.call('queryMore', () => this.page(`/query/${locator}`));
      for (const r of page.records) rows.push(stripAttributes(r));
      next = page.done ? undefined : page.nextRecordsUrl;
    }
    return rows;
  }

  /** Creates records, ≤200 per call, allOrNone=false; one result per record, in order. */
  async create(object: string, records: Array<Record<string, unknown>>): Promise<SfSaveResult[]> {
    return this.collection('create', object, records);
  }

  /** Updates records (each with Id), ≤200 per call, allOrNone=false. */
  async update(object: string, records: SfRecordValues[]): Promise<SfSaveResult[]> {
    return this.collection('update', object, records);
  }

  private async collection(op: 'create' | 'update', object: string, records: Array<Record<string, unknown>>): Promise<SfSaveResult[]> {
    await this.connect();
    const out: SfSaveResult[] = [];
    for (let i = 0; i < records.length; i += SF_BATCH) {
      const chunk = records.slice(i, i + SF_BATCH);
      // Not retried here: a lost answer to a create may hide a committed row; the engine decides.
      const results = await this.call(
        `${op} ${object}`,
        async () => {
          const res =
            op === 'create'
              ? await this.conn.create(object, chunk, { allOrNone: false })
              : await this.conn.update(object, chunk as SfRecordValues[], { allOrNone: false });
          return res as unknown as SfSaveResult[];
        },
        op === 'update',
      );
      for (const r of results) out.push(normalizeSaveResult(r));
    }
    return out;
  }

  /** One API operation with error classification and (unless `retry` is false) retries on the clock. */
  private async call<T>(operation: string, fn: () => Promise<T>, retry = true): Promise<T> {
    const attempt = async () => {
      try {
        return await fn();
      } catch (err) {
        throw classify(err);
      }
    };
    if (!retry) return attempt();
    return withRetry(this.opts.clock, this.retry, attempt, (n, delay, err) => this.opts.onRetry?.(operation, n, delay, err));
  }
}

function fieldInfos(fields: readonly SfFieldInfo[]): SfFieldInfo[] {
  return fields.map((f) => ({
    name: f.name,
    type: f.type,
    custom: f.custom,
    createable: f.createable,
    updateable: f.updateable,
    calculated: f.calculated,
  }));
}

function stripAttributes(row: Record<string, unknown>): Record<string, unknown> {
  const { attributes: _attributes, ...rest } = row;
  return rest;
}

function normalizeSaveResult(r: { id?: string; success?: boolean; errors?: Array<Partial<SfRecordError> & { errorCode?: string }> }): SfSaveResult {
  return {
    ...(r.id ? { id: r.id } : {}),
    success: r.success === true,
    errors: (r.errors ?? []).map((e) => ({
      statusCode: e.statusCode ?? e.errorCode ?? 'UNKNOWN_EXCEPTION',
      message: e.message ?? '',
      fields: Array.isArray(e.fields) ? e.fields : [],
    })),
  };
}

/** Maps whatever jsforce threw to an ApiError that says whether a retry can help. */
export function classify(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { errorCode?: string; name?: string; message?: string; data?: { fields?: string[] } };
  const message = e?.message ?? String(err);
  const code = e?.errorCode;
  if (code) {
    const transient = TRANSIENT_CODES.has(code) || /^ERROR_HTTP_5\d\d$/.test(code);
    return new ApiError('salesforce', code, message, transient, undefined, e.data?.fields ?? []);
  }
  if (/Unable to refresh session/i.test(message)) return new ApiError('salesforce', 'REFRESH_FAILED', message, true);
  // OAuth errors come back with the OAuth error as the name (invalid_grant, invalid_client…): a configuration problem.
  if (e?.name && /^(invalid_|unsupported_|unauthorized_)/.test(e.name)) {
    return new ApiError('salesforce', e.name, message, false);
  }
  // No error code: a network failure (connection reset, timeout, lost answer). Worth another try.
  return new ApiError('salesforce', 'NETWORK_ERROR', message, true);
}
