/** The engine's two HTTP clients against minimal msw handlers: retries, tokens, paging, batching. */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MarketoClient } from '../../../src/engine/marketo.ts';
import { ApiError, QuotaExhausted } from '../../../src/engine/retry.ts';
import { SalesforceClient } from '../../../src/engine/salesforce.ts';
import { VirtualClock } from '../../../src/sim/clock.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const SF = 'https://login.salesforce.com';
const INSTANCE = 'https://na1.my.salesforce.com';
const MK = 'https://123-ABC-456.mktorest.com';

function oauth(counter: { n: number }) {
  return http.post('*/services/oauth2/token', async ({ request }) => {
    counter.n++;
    const body = new URLSearchParams(await request.text());
    return HttpResponse.json({
      access_token: `token-${counter.n}`,
      instance_url: INSTANCE,
      id: `${SF}/id/00D000000000001AAA/005000000000001AAA`,
      token_type: 'Bearer',
      issued_at: '0',
      signature: 'x',
      grant: body.get('grant_type'),
    });
  });
}

describe('SalesforceClient (jsforce 3.10.16)', () => {
  it("jsforce's own retries are off: a 503 on a GET is sent once per engine attempt, backoff on the virtual clock", async () => {
    const logins = { n: 0 };
    let hits = 0;
    server.use(
      oauth(logins),
      http.get('*/services/data/:v/sobjects/Lead/describe', () => {
        hits++;
        return HttpResponse.json([{ errorCode: 'SERVER_UNAVAILABLE', message: 'down' }], { status: 503 });
      }),
    );
    const clock = new VirtualClock(0);
    const sf = new SalesforceClient({ loginUrl: SF }, { clock, retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1000 } });
    const err = await sf.describe('Lead').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).transient).toBe(true);
    expect(hits).toBe(3); // jsforce alone would have sent 6 for one call
    expect(clock.now()).toBe(2000);
    expect(sf.userId).toBe('005000000000001AAA');
  });

  it('a 401 makes jsforce log in again with the password and resend the request', async () => {
    const logins = { n: 0 };
    server.use(
      oauth(logins),
      http.get('*/services/data/:v/sobjects/Lead/describe', ({ request }) => {
        if (request.headers.get('authorization') === 'Bearer token-1') {
          return HttpResponse.json([{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }], { status: 401 });
        }
        return HttpResponse.json({ name: 'Lead', fields: [{ name: 'Title', type: 'string', createable: true, updateable: true }] });
      }),
    );
    const sf = new SalesforceClient({ loginUrl: SF, username: 'sync@example.com', password: 'sync-password' }, { clock: new VirtualClock(0) });
    const fields = await sf.describe('Lead');
    expect(fields.map((f) => f.name)).toEqual(['Title']);
    expect(logins.n).toBe(2);
  });

  it('client credentials: logs in with that grant and refreshes with it on a 401', async () => {
    const grants: string[] = [];
    let first = true;
    server.use(
      http.post('*/services/oauth2/token', async ({ request }) => {
        grants.push(new URLSearchParams(await request.text()).get('grant_type')!);
        return HttpResponse.json({ access_token: `t${grants.length}`, instance_url: INSTANCE, id: `${SF}/id/00D000000000001AAA/005000000000009AAA` });
      }),
      http.get('*/services/data/:v/sobjects/Lead/describe', () => {
        if (first) {
          first = false;
          return HttpResponse.json([{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }], { status: 401 });
        }
        return HttpResponse.json({ fields: [] });
      }),
    );
    const sf = new SalesforceClient({ loginUrl: SF, clientId: 'syncsim', clientSecret: 'syncsim-secret', grant: 'client_credentials' }, { clock: new VirtualClock(0) });
    await sf.describe('Lead');
    expect(grants).toEqual(['client_credentials', 'client_credentials']);
  });

  it('writes go in composite batches of ≤200 with allOrNone=false, per-record results kept in order', async () => {
    const bodies: Array<{ allOrNone: boolean; records: unknown[] }> = [];
    server.use(
      oauth({ n: 0 }),
      http.patch('*/services/data/:v/composite/sobjects', async ({ request }) => {
        const body = (await request.json()) as { allOrNone: boolean; records: Array<{ id: string }> };
        bodies.push(body);
        return HttpResponse.json(
          body.records.map((r, i) => (i === 0 ? { success: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'no', fields: ['Phone'] }] } : { id: r.id, success: true, errors: [] })),
        );
      }),
    );
    const sf = new SalesforceClient({ loginUrl: SF }, { clock: new VirtualClock(0) });
    const records = Array.from({ length: 450 }, (_, i) => ({ Id: `00Q${String(i).padStart(15, '0')}`, Title: 'x' }));
    const results = await sf.update('Lead', records);
    expect(bodies.map((b) => b.records.length)).toEqual([200, 200, 50]);
    expect(bodies.every((b) => b.allOrNone === false)).toBe(true);
    expect(results).toHaveLength(450);
    expect(results[0]).toEqual({ success: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'no', fields: ['Phone'] }] });
    expect(results[200]!.success).toBe(false);
    expect(results[1]!.success).toBe(true);
  });

  it('query follows nextRecordsUrl page by page (queryAll for the first page, the cursor after)', async () => {
    const paths: string[] = [];
    server.use(
      oauth({ n: 0 }),
      http.get('*/services/data/:v/queryAll', ({ request }) => {
        paths.push(new URL(request.url).pathname);
        return HttpResponse.json({ totalSize: 3, done: false, nextRecordsUrl: '/services/data/v50.0/query/01gXX-2', records: [{ attributes: { type: 'Lead' }, Id: 'a' }, { Id: 'b' }] });
      }),
      http.get('*/services/data/:v/query/:cursor', ({ request }) => {
        paths.push(new URL(request.url).pathname);
        return HttpResponse.json({ totalSize: 3, done: true, records: [{ Id: 'c' }] });
      }),
    );
    const sf = new SalesforceClient({ loginUrl: SF }, { clock: new VirtualClock(0) });
    const rows = await sf.query('SELECT Id FROM Lead', true);
    expect(rows).toEqual([{ Id: 'a' }, { Id: 'b' }, { Id: 'c' }]);
    expect(paths).toEqual(['/services/data/v50.0/queryAll', '/services/data/v50.0/query/01gXX-2']);
  });

  it("query's requests are the ones jsforce's conn.query and conn.queryMore send (method, URL, headers); a page without done is the last", async () => {
    const seen: string[] = [];
    const record = (request: Request) => seen.push(`${request.method} ${request.url} ${JSON.stringify([...request.headers].filter(([k]) => k !== 'user-agent'))}`);
    server.use(
      oauth({ n: 0 }),
      http.get('*/services/data/:v/:resource', ({ request }) => {
        record(request);
        return HttpResponse.json({ totalSize: 2, done: false, nextRecordsUrl: '/services/data/v50.0/queryAll/01gYY-1', records: [{ attributes: { type: 'Lead' }, Id: 'a' }] });
      }),
      http.get('*/services/data/:v/query/:cursor', ({ request, params }) => {
        record(request);
        // No `done`: jsforce's Query takes such a page as the last, whatever else it says.
        if (params.cursor === '01gYY-1') return HttpResponse.json({ totalSize: 2, nextRecordsUrl: '/services/data/v50.0/query/01gYY-2', records: [{ attributes: { type: 'Lead' }, Id: 'b' }] });
        return HttpResponse.json({ totalSize: 3, done: true, records: [{ Id: 'never' }] });
      }),
    );
    const soql = "SELECT Id, Name FROM Lead WHERE Name = 'O''Brien & Co' AND CreatedDate > 2026-01-05T09:00:00Z";
    const sf = new SalesforceClient({ loginUrl: SF }, { clock: new VirtualClock(0) });
    expect(await sf.query(soql, true)).toEqual([{ Id: 'a' }, { Id: 'b' }]);
    expect(await sf.query(soql)).toEqual([{ Id: 'a' }, { Id: 'b' }]);
    const ours = seen.splice(0);
    const conn = sf.conn;
    for (const scanAll of [true, false]) {
      const first = await conn.query(soql, { scanAll, autoFetch: false });
      expect(first.done).toBe(false);
      const more = await conn.queryMore(first.nextRecordsUrl!.split('/').pop()!);
      expect(more.done).toBe(true);
    }
    expect(ours).toHaveLength(4);
    expect(ours).toEqual(seen);
  });

  it('a network failure is transient; a create is never retried blindly', async () => {
    let creates = 0;
    server.use(
      oauth({ n: 0 }),
      http.post('*/services/data/:v/composite/sobjects', () => {
        creates++;
        return HttpResponse.error();
      }),
    );
    const sf = new SalesforceClient({ loginUrl: SF }, { clock: new VirtualClock(0) });
    const err = await sf.create('Lead', [{ LastName: 'X', Company: 'Y' }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', transient: true });
    expect(creates).toBe(1);
  });
});

describe('MarketoClient', () => {
  function identity(counter: { n: number }) {
    return http.get('*/identity/oauth/token', () => {
      counter.n++;
      return HttpResponse.json({ access_token: `mk-${counter.n}`, token_type: 'bearer', expires_in: 3599, scope: 'api@x' });
    });
  }

  it('caches the token, and on 601/602 fetches a new one and resends', async () => {
    const tokens = { n: 0 };
    const seen: string[] = [];
    server.use(
      identity(tokens),
      http.get('*/rest/v1/leads/describe.json', ({ request }) => {
        const auth = request.headers.get('authorization')!;
        seen.push(auth);
        if (seen.length === 2) return HttpResponse.json({ requestId: 'r', success: false, errors: [{ code: '602', message: 'Access token expired' }] });
        return HttpResponse.json({ requestId: 'r', success: true, result: [{ id: 1, displayName: 'Email', dataType: 'email', rest: { name: 'email', readOnly: false } }] });
      }),
    );
    const mk = new MarketoClient({ baseUrl: MK, clientId: 'c', clientSecret: 's' }, { clock: new VirtualClock(0) });
    expect(await mk.describe()).toEqual([{ name: 'email', dataType: 'email', readOnly: false }]);
    await mk.describe();
    expect(seen).toEqual(['Bearer mk-1', 'Bearer mk-1', 'Bearer mk-2']);
    expect(tokens.n).toBe(2);
  });

  it('606 waits out the 20-second window on the clock; 607 stops until the quota resets', async () => {
    let calls = 0;
    server.use(
      identity({ n: 0 }),
      http.get('*/rest/v1/leads/describe.json', () => {
        calls++;
        if (calls === 1) return HttpResponse.json({ success: false, errors: [{ code: '606', message: 'Max rate limit' }] });
        if (calls === 2) return HttpResponse.json({ success: true, result: [] });
        return HttpResponse.json({ success: false, errors: [{ code: '607', message: 'Daily quota reached' }] });
      }),
    );
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9));
    const mk = new MarketoClient({ baseUrl: MK, clientId: 'c', clientSecret: 's' }, { clock });
    await mk.describe();
    expect(clock.now()).toBe(Date.UTC(2026, 0, 5, 9) + 20_000);
    const err = await mk.describe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExhausted);
    expect(calls).toBe(3); // not retried
  });

  it('leadchanges: keeps paging while moreResult is true, even on an empty page', async () => {
    const pages: Record<string, unknown> = {
      T0: { success: true, result: [{ leadId: 1, activityTypeId: 13, fields: [{ name: 'title', newValue: 'CEO', oldValue: null }] }], moreResult: true, nextPageToken: 'T1' },
      T1: { success: true, moreResult: true, nextPageToken: 'T2' },
      T2: { success: true, result: [{ leadId: 2, activityTypeId: 12 }], moreResult: false, nextPageToken: 'T3' },
    };
    server.use(
      identity({ n: 0 }),
      http.get('*/rest/v1/activities/leadchanges.json', ({ request }) => HttpResponse.json(pages[new URL(request.url).searchParams.get('nextPageToken')!] as object)),
    );
    const mk = new MarketoClient({ baseUrl: MK, clientId: 'c', clientSecret: 's' }, { clock: new VirtualClock(0) });
    const { changes, nextToken } = await mk.leadChanges('T0', ['title']);
    expect(changes.map((c) => c.leadId)).toEqual([1, 2]);
    expect(changes[0]!.fields).toEqual([{ name: 'title', newValue: 'CEO' }]);
    expect(nextToken).toBe('T3');
  });

  it('reads ≤300 ids per call and writes ≤300 records per call, results in input order', async () => {
    const filterCounts: number[] = [];
    const writeCounts: number[] = [];
    server.use(
      identity({ n: 0 }),
      http.get('*/rest/v1/leads.json', ({ request }) => {
        const ids = new URL(request.url).searchParams.get('filterValues')!.split(',');
        filterCounts.push(ids.length);
        return HttpResponse.json({ success: true, result: ids.map((id) => ({ id: Number(id) })) });
      }),
      http.post('*/rest/v1/leads.json', async ({ request }) => {
        const body = (await request.json()) as { input: Array<{ id: number }> };
        writeCounts.push(body.input.length);
        return HttpResponse.json({ success: true, result: body.input.map((r) => ({ id: r.id, status: 'updated' })) });
      }),
    );
    const mk = new MarketoClient({ baseUrl: MK, clientId: 'c', clientSecret: 's' }, { clock: new VirtualClock(0) });
    const ids = Array.from({ length: 650 }, (_, i) => i + 1);
    expect(await mk.getLeads('id', ids, ['email'])).toHaveLength(650);
    expect(filterCounts).toEqual([300, 300, 50]);
    const res = await mk.syncLeads('updateOnly', 'id', ids.map((id) => ({ id })));
    expect(writeCounts).toEqual([300, 300, 50]);
    expect(res[649]).toEqual({ id: 650, status: 'updated' });
  });

  it('bad client credentials are a clear, permanent error', async () => {
    server.use(http.get('*/identity/oauth/token', () => HttpResponse.json({ error: 'invalid_client' }, { status: 401 })));
    const mk = new MarketoClient({ baseUrl: MK, clientId: 'c', clientSecret: 'wrong' }, { clock: new VirtualClock(0) });
    await expect(mk.describe()).rejects.toMatchObject({ code: 'IDENTITY_401', transient: false });
  });
});
