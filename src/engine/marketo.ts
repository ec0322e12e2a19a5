/**
 * A typed Marketo REST client over `fetch` (reference B). Knows Marketo's
 * quirks so the engine does not have to:
 * - errors come back as HTTP 200 with `success:false` and string codes;
 * - the access token is cached until it expires and fetched again on 601/602;
 * - 606 (rate) and 615 (concurrency), 604/608/611/713 and network failures are
 *   retried with backoff on the clock; 607 (daily quota) stops Marketo work
 *   until the quota resets (midnight US Central, reference B2);
 * - batches are ≤300, and `moreResult` is followed even on a short page.
 */
import type { Clock } from '../sim/clock.ts';
import { ApiError, backoffDelay, DEFAULT_RETRY, isTransient, QuotaExhausted, RetryAfter, withRetry, type RetryPolicy } from './retry.ts';
import type { FetchFn } from './fetch-fn.ts';

export interface MarketoConfig {
  baseUrl?: string;
  clientId: string;
  clientSecret: string;
}

export const DEFAULT_MARKETO_BASE_URL = 'https://123-ABC-456.mktorest.com';
export const MKTO_BATCH = 300;

export interface MarketoField {
  name: string;
  dataType: string;
  readOnly: boolean;
}

export type MarketoPerson = Record<string, unknown> & { id: number };

export type MarketoSyncResult =
  | { id: number; status: 'created' | 'updated' }
  | { id?: number; status: 'skipped'; reasons: Array<{ code: string; message: string }> };

export interface LeadChange {
  leadId: number;
  activityTypeId: number;
  /** Changed fields with their new values (Change Data Value only). */
  fields: Array<{ name: string; newValue: unknown }>;
}

export type AddActivityResult =
  | { id: number; status: 'added' }
  | { status: 'skipped'; reasons: Array<{ code: string; message: string }> };

interface Envelope {
  requestId?: string;
  success: boolean;
  result?: unknown[];
  errors?: Array<{ code: string; message: string }>;
  warnings?: unknown[];
  moreResult?: boolean;
  nextPageToken?: string;
}

/** Response codes worth another try (reference B3: timeouts, temporarily unavailable, system errors, transient). */
const TRANSIENT = new Set(['502', '604', '606', '608', '611', '615', '713', '719']);

/**
 * Answers to a custom-activity-type step that mean an earlier try of it landed: 1017 object already exists, 709 no
 * draft to approve (709 is the real API's "Business Rule Violation"; that approving an approved type answers it is
 * UNCONFIRMED, but it is the likeliest refusal and what the emulator answers).
 */
const ALREADY_DONE = new Set(['1017', '709']);

type ActivityTypeDef = { id: number; apiName: string; status?: string; attributes?: Array<{ apiName: string }> };

export interface MarketoClientOptions {
  clock: Clock;
  retry?: RetryPolicy;
  /** Send every request through this fetch (given fetch's (url, init)); default: the global fetch (the real network). */
  fetch?: FetchFn;
  onRetry?: (operation: string, attempt: number, delayMs: number, err: unknown) => void;
}

export class MarketoClient {
  /** HTTP requests sent (identity calls included). */
  calls = 0;
  private token: string | undefined;
  private tokenExpiresAt = 0;
  private readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private readonly fetchFn: (url: string, init: RequestInit) => Promise<Response>;

  constructor(
    private readonly config: MarketoConfig,
    private readonly opts: MarketoClientOptions,
  ) {
    this.baseUrl = (config.baseUrl ?? DEFAULT_MARKETO_BASE_URL).replace(/\/+$/, '');
    this.retry = opts.retry ?? DEFAULT_RETRY;
    // Called as fetch(url, init), not with a Request built here: a real fetch treats both alike, and the in-process
    // one then builds no Request it does not need (~28 µs each).
    this.fetchFn = (opts.fetch ?? fetch) as (url: string, init: RequestInit) => Promise<Response>;
  }

  // ---- identity ------------------------------------------------------------------------------

  /** The cached token while it is good; renewed a minute early so a token never expires in flight. */
  private cachedToken(): string | undefined {
    return this.token && this.opts.clock.now() < this.tokenExpiresAt - 60_000 ? this.token : undefined;
  }

  private async accessToken(): Promise<string> {
    const cached = this.cachedToken();
    if (cached) return cached;
    const url = `${this.baseUrl}/identity/oauth/token?grant_type=client_credentials&client_id=${encodeURIComponent(this.config.clientId)}&client_secret=${encodeURIComponent(this.config.clientSecret)}`;
    const res = await this.send(url, { method: 'GET' });
    const text = await res.text();
    if (res.status === 401) throw new ApiError('marketo', 'IDENTITY_401', `Marketo identity refused the client credentials: ${text}`, false, 401);
    if (res.status >= 500) throw new ApiError('marketo', `HTTP_${res.status}`, `Marketo identity answered ${res.status}`, true, res.status);
    let body: { access_token?: string; expires_in?: number };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new ApiError('marketo', 'IDENTITY_BAD_BODY', `Marketo identity answered ${res.status} with a body that is not JSON`, true, res.status);
    }
    if (!body.access_token) throw new ApiError('marketo', 'IDENTITY_NO_TOKEN', `Marketo identity answered without a token (${res.status})`, true, res.status);
    this.token = body.access_token;
    this.tokenExpiresAt = this.opts.clock.now() + (body.expires_in ?? 3600) * 1000;
    return this.token;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    this.calls++;
    try {
      return await this.fetchFn(url, init);
    } catch (err) {
      throw new ApiError('marketo', 'NETWORK_ERROR', `request to ${new URL(url).pathname} failed: ${(err as Error).message}`, true);
    }
  }

  // ---- the envelope ----------------------------------------------------------------------------

  /** One REST call with token handling, error classification and retries. */
  async call(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    opts: { query?: Record<string, string>; body?: unknown } = {},
    /** A write that is not idempotent passes a single attempt and settles lost answers itself. */
    policy: RetryPolicy = this.retry,
  ): Promise<Envelope> {
    return withRetry(
      this.opts.clock,
      policy,
      async () => {
        const env = await this.once(method, path, opts);
        if (env.success) return env;
        const err = env.errors?.[0] ?? { code: 'UNKNOWN', message: 'success:false without errors' };
        if (err.code === '601' || err.code === '602') {
          // Token invalid or expired: forget it, and try once more with a fresh one at once.
          this.token = undefined;
          const again = await this.once(method, path, opts);
          if (again.success) return again;
          throw this.errorOf(again.errors?.[0] ?? err);
        }
        throw this.errorOf(err);
      },
      (n, delay, e) => this.opts.onRetry?.(operation, n, delay, e),
    );
  }

  private async once(method: 'GET' | 'POST', path: string, opts: { query?: Record<string, string>; body?: unknown }): Promise<Envelope> {
    // Most calls find the token cached: no identity call, and no extra await for it.
    const token = this.cachedToken() ?? (await this.accessToken());
    const qs = opts.query ? new URLSearchParams(opts.query).toString() : '';
    const url = qs ? `${this.baseUrl}${path}?${qs}` : `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    const init: RequestInit = { method, headers };
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    const res = await this.send(url, init);
    const text = await res.text();
    if (res.status >= 500 || res.status === 429) throw new ApiError('marketo', `HTTP_${res.status}`, `${path} answered HTTP ${res.status}`, true, res.status);
    if (res.status !== 200) throw new ApiError('marketo', `HTTP_${res.status}`, `${path} answered HTTP ${res.status}: ${text.slice(0, 200)}`, false, res.status);
    try {
      return JSON.parse(text) as Envelope;
    } catch {
      throw new ApiError('marketo', 'BAD_BODY', `${path} answered a body that is not JSON`, true, res.status);
    }
  }

  private errorOf(e: { code: string; message: string }): ApiError {
    const code = String(e.code);
    if (code === '607') return new QuotaExhausted('marketo', code, e.message, nextQuotaReset(this.opts.clock.now()));
    // 606: the window is 20 seconds; waiting it out beats hammering.
    if (code === '606') return new RetryAfter('marketo', code, e.message, 20_000);
    return new ApiError('marketo', code, e.message, TRANSIENT.has(code));
  }

  // ---- leads ---------------------------------------------------------------------------------

  async describe(): Promise<MarketoField[]> {
    const env = await this.call('describe', 'GET', '/rest/v1/leads/describe.json');
    return (env.result ?? []).flatMap((raw) => {
      const f = raw as { displayName?: string; dataType?: string; rest?: { name: string; readOnly?: boolean } };
      return f.rest ? [{ name: f.rest.name, dataType: f.dataType ?? 'string', readOnly: f.rest.readOnly === true }] : [];
    });
  }

  /** People by `filterType` (id, sfdcLeadId, sfdcContactId …), ≤300 values per call, every page. */
  async getLeads(filterType: string, values: ReadonlyArray<string | number>, fields: readonly string[]): Promise<MarketoPerson[]> {
    const out: MarketoPerson[] = [];
    for (let i = 0; i < values.length; i += MKTO_BATCH) {
      const chunk = values.slice(i, i + MKTO_BATCH);
      let token: string | undefined;
      do {
        const query: Record<string, string> = {
          filterType,
          filterValues: chunk.join(','),
          fields: fields.join(','),
          batchSize: String(MKTO_BATCH),
        };
        if (token) query.nextPageToken = token;
        const env = await this.call('getLeads', 'GET', '/rest/v1/leads.json', { query });
        out.push(...((env.result ?? []) as MarketoPerson[]));
        token = env.moreResult && env.nextPageToken ? env.nextPageToken : undefined;
      } while (token);
    }
    return out;
  }

  /** Sync Leads: ≤300 records per call; one result per input record, in order. */
  async syncLeads(action: 'createOrUpdate' | 'updateOnly' | 'createOnly', lookupField: string, input: Array<Record<string, unknown>>): Promise<MarketoSyncResult[]> {
    const out: MarketoSyncResult[] = [];
    for (let i = 0; i < input.length; i += MKTO_BATCH) {
      const chunk = input.slice(i, i + MKTO_BATCH);
      const env = await this.call('syncLeads', 'POST', '/rest/v1/leads.json', { body: { action, lookupField, input: chunk } });
      const results = (env.result ?? []) as MarketoSyncResult[];
      for (let j = 0; j < chunk.length; j++) {
        out.push(results[j] ?? { status: 'skipped', reasons: [{ code: 'MISSING', message: 'no result for this record' }] });
      }
    }
    return out;
  }

  /** Merges `losers` into `winner` (the winner keeps its id). */
  async mergeLeads(winner: number, losers: readonly number[]): Promise<void> {
    await this.call('mergeLeads', 'POST', `/rest/v1/leads/${winner}/merge.json`, {
      query: losers.length === 1 ? { leadId: String(losers[0]) } : { leadIds: losers.join(',') },
    });
  }

  // ---- change feed ---------------------------------------------------------------------------

  async pagingToken(sinceMs: number): Promise<string> {
    const env = await this.call('pagingToken', 'GET', '/rest/v1/activities/pagingtoken.json', {
      query: { sinceDatetime: new Date(sinceMs).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    });
    if (!env.nextPageToken) throw new ApiError('marketo', 'NO_TOKEN', 'pagingtoken.json answered without nextPageToken', true);
    return env.nextPageToken;
  }

  /**
   * Every New Lead / Change Data Value activity after `token` for these
   * fields. Keeps paging while moreResult is true, even on a short or empty
   * page. Returns the token past the last page.
   */
  async leadChanges(token: string, fields: readonly string[]): Promise<{ changes: LeadChange[]; nextToken: string }> {
    const changes: LeadChange[] = [];
    let current = token;
    for (;;) {
      const env = await this.call('leadChanges', 'GET', '/rest/v1/activities/leadchanges.json', {
        query: { nextPageToken: current, fields: fields.join(','), batchSize: String(MKTO_BATCH) },
      });
      for (const raw of env.result ?? []) {
        const a = raw as { leadId: number; activityTypeId: number; fields?: Array<{ name: string; newValue?: unknown }> };
        changes.push({
          leadId: a.leadId,
          activityTypeId: a.activityTypeId,
          fields: (a.fields ?? []).map((f) => ({ name: f.name, newValue: f.newValue ?? null })),
        });
      }
      if (env.nextPageToken) current = env.nextPageToken;
      if (!env.moreResult) break;
    }
    return { changes, nextToken: current };
  }

  // ---- custom activities ---------------------------------------------------------------------

  /**
   * Makes sure the custom activity type exists with its attributes and is
   * approved (create → add attributes → approve, as the real API requires);
   * returns its activity type id.
   *
   * Idempotent: any step can time out after Marketo committed it, and its
   * retry is then refused as done already (1017 "already exists" for the type
   * or an attribute, 709 "no draft to approve"). On such an answer, or an
   * answer that never came, the types are read again and the missing steps
   * resumed from what Marketo holds.
   */
  async ensureActivityType(spec: CustomActivityTypeSpec): Promise<number> {
    let type = await this.readActivityType(spec.apiName);
    for (let round = 1; ; round++) {
      try {
        return await this.completeActivityType(spec, type);
      } catch (err) {
        if (round >= 3 || !(err instanceof ApiError) || !(err.transient || ALREADY_DONE.has(err.code))) throw err;
        type = await this.readActivityType(spec.apiName);
      }
    }
  }

  private async readActivityType(apiName: string): Promise<ActivityTypeDef | undefined> {
    const env = await this.call('activityTypes', 'GET', '/rest/v1/activities/external/types.json');
    return (env.result ?? []).find((t) => (t as ActivityTypeDef).apiName === apiName) as ActivityTypeDef | undefined;
  }

  private async completeActivityType(spec: CustomActivityTypeSpec, found: ActivityTypeDef | undefined): Promise<number> {
    let type = found;
    if (!type) {
      const created = await this.call('createActivityType', 'POST', '/rest/v1/activities/external/type.json', {
        body: {
          apiName: spec.apiName,
          name: spec.name,
          description: spec.description,
          triggerName: spec.triggerName,
          filterName: spec.filterName,
          primaryAttribute: spec.primaryAttribute,
        },
      });
      type = (created.result?.[0] ?? { id: 0, apiName: spec.apiName, attributes: [] }) as ActivityTypeDef;
    }
    const have = new Set((type.attributes ?? []).map((a) => a.apiName));
    const missing = spec.attributes.filter((a) => !have.has(a.apiName));
    if (missing.length > 0) {
      await this.call('createActivityTypeAttributes', 'POST', `/rest/v1/activities/external/type/${encodeURIComponent(spec.apiName)}/attributes/create.json`, {
        body: { attributes: missing },
      });
    }
    if (type.status !== 'approved' || missing.length > 0) {
      const approved = await this.call('approveActivityType', 'POST', `/rest/v1/activities/external/type/${encodeURIComponent(spec.apiName)}/approve.json`);
      const t = approved.result?.[0] as ActivityTypeDef | undefined;
      if (t?.id) type = t;
    }
    if (!type.id) throw new ApiError('marketo', 'NO_TYPE_ID', `custom activity type ${spec.apiName} has no id`, false);
    return type.id;
  }

  /**
   * Adds custom activities, ≤300 per call; one result per input, in order.
   *
   * Adding is not idempotent (Marketo has no key to dedupe on), so a call whose answer is lost is not simply sent
   * again: with `settle`, which says for each activity sent whether Marketo already holds it (its id) or not
   * (undefined), only the missing ones are sent again, after the usual backoff. Without `settle`, the client's
   * retries apply (an activity may then be added twice).
   */
  async addActivities(input: CustomActivityInput[], settle?: (sent: CustomActivityInput[]) => Promise<Array<number | undefined>>): Promise<AddActivityResult[]> {
    const out: AddActivityResult[] = [];
    const once: RetryPolicy = { ...this.retry, maxAttempts: 1 };
    for (let i = 0; i < input.length; i += MKTO_BATCH) {
      const chunk = input.slice(i, i + MKTO_BATCH);
      const results: Array<AddActivityResult | undefined> = chunk.map(() => undefined);
      let pending = chunk.map((_, j) => j);
      for (let attempt = 1; pending.length > 0; attempt++) {
        try {
          const env = await this.call('addActivities', 'POST', '/rest/v1/activities/external.json', { body: { input: pending.map((j) => chunk[j]!) } }, settle ? once : this.retry);
          const got = (env.result ?? []) as AddActivityResult[];
          pending.forEach((j, n) => (results[j] = got[n] ?? { status: 'skipped', reasons: [{ code: 'MISSING', message: 'no result' }] }));
          break;
        } catch (err) {
          if (!settle || !isTransient(err) || attempt >= this.retry.maxAttempts) throw err;
          const delay = err instanceof RetryAfter ? err.delayMs : backoffDelay(this.retry, attempt);
          this.opts.onRetry?.('addActivities', attempt, delay, err);
          await this.opts.clock.sleep(delay);
          const held = await settle(pending.map((j) => chunk[j]!));
          pending.forEach((j, n) => {
            const id = held[n];
            if (id !== undefined) results[j] = { id, status: 'added' };
          });
          pending = pending.filter((j) => results[j] === undefined);
        }
      }
      out.push(...results.map((r) => r ?? { status: 'skipped' as const, reasons: [{ code: 'MISSING', message: 'no result' }] }));
    }
    return out;
  }

  /** Activities of the given types on the given people since `sinceMs` (activities.json, ≤30 people per call). */
  async activities(sinceMs: number, typeIds: readonly number[], leadIds: readonly number[]): Promise<ActivityRecord[]> {
    const out: ActivityRecord[] = [];
    for (let i = 0; i < leadIds.length; i += 30) {
      let token = await this.pagingToken(sinceMs);
      for (;;) {
        const env = await this.call('getActivities', 'GET', '/rest/v1/activities.json', {
          query: { nextPageToken: token, activityTypeIds: typeIds.join(','), leadIds: leadIds.slice(i, i + 30).join(','), batchSize: String(MKTO_BATCH) },
        });
        out.push(...((env.result ?? []) as ActivityRecord[]));
        if (env.nextPageToken) token = env.nextPageToken;
        if (!env.moreResult) break;
      }
    }
    return out;
  }
}

/** One activity as activities.json answers it (attributes by display name; custom types also carry apiName). */
export interface ActivityRecord {
  id: number;
  leadId: number;
  activityDate: string;
  activityTypeId: number;
  primaryAttributeValue?: string;
  attributes?: Array<{ name?: string; apiName?: string; value?: unknown }>;
}

export interface CustomActivityTypeSpec {
  apiName: string;
  name: string;
  description?: string;
  triggerName: string;
  filterName: string;
  primaryAttribute: { apiName: string; name: string; dataType: string; description?: string };
  attributes: Array<{ apiName: string; name: string; dataType: string; description?: string }>;
}

export interface CustomActivityInput {
  leadId: number;
  activityDate: string;
  activityTypeId: number;
  primaryAttributeValue: string;
  attributes: Array<{ apiName: string; value: string }>;
}

/** Marketo's daily quota resets at 12:00 AM US Central (reference B2); CST is UTC−6 (daylight time ignored). */
export function nextQuotaReset(nowMs: number): number {
  const offset = 6 * 3_600_000;
  const day = 86_400_000;
  return Math.floor((nowMs - offset) / day) * day + day + offset;
}
