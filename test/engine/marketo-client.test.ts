/**
 * The Marketo client's requests on the wire and its token's life on the
 * clock: one identity call while the token is good, a new one a minute before
 * it expires, and each REST call as Marketo expects it (query string, bearer
 * token, JSON body with its content type).
 */
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { MarketoClient } from '../../src/engine/marketo.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { inProcessFetch } from '../../src/sim/in-process-fetch.ts';

const BASE = 'https://123-ABC-456.mktorest.com';
/** As a Request spells it: URL parsing lower-cases the host. */
const SENT = 'https://123-abc-456.mktorest.com';

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  contentType: string | null;
  body: string;
}

function client() {
  const clock = new VirtualClock();
  const seen: Seen[] = [];
  let tokens = 0;
  const f = inProcessFetch(() => [
    http.get('*/identity/oauth/token', () => HttpResponse.json({ access_token: `tok-${++tokens}`, token_type: 'bearer', expires_in: 3600, scope: 'api@x' })),
    http.all('*/rest/v1/*', () => HttpResponse.json({ requestId: 'r#1', success: true, result: [{ id: 1, status: 'updated' }] })),
  ]);
  // Given fetch's (url, init), as the client sends it; the Request is made here only to read it back.
  const fetchFn = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      body: await request.clone().text(),
    });
    return f(request);
  };
  const mk = new MarketoClient({ baseUrl: `${BASE}/`, clientId: 'syncsim', clientSecret: 's&cret' }, { clock, fetch: fetchFn });
  return { mk, clock, seen };
}

describe('Marketo client requests', () => {
  it('sends a GET with its query string and a POST with a JSON body, both with the bearer token', async () => {
    const { mk, seen } = client();
    await mk.call('getLeads', 'GET', '/rest/v1/leads.json', { query: { filterType: 'email', filterValues: 'a@acme.test,b@acme.test' } });
    await mk.call('syncLeads', 'POST', '/rest/v1/leads.json', { body: { action: 'updateOnly', input: [{ id: 1 }] } });
    await mk.call('describe', 'GET', '/rest/v1/leads/describe.json');
    expect(seen).toEqual([
      { method: 'GET', url: `${SENT}/identity/oauth/token?grant_type=client_credentials&client_id=syncsim&client_secret=s%26cret`, authorization: null, contentType: null, body: '' },
      { method: 'GET', url: `${SENT}/rest/v1/leads.json?filterType=email&filterValues=a%40acme.test%2Cb%40acme.test`, authorization: 'Bearer tok-1', contentType: null, body: '' },
      { method: 'POST', url: `${SENT}/rest/v1/leads.json`, authorization: 'Bearer tok-1', contentType: 'application/json', body: '{"action":"updateOnly","input":[{"id":1}]}' },
      { method: 'GET', url: `${SENT}/rest/v1/leads/describe.json`, authorization: 'Bearer tok-1', contentType: null, body: '' },
    ]);
    expect(mk.calls).toBe(4);
  });

  it('keeps the token until a minute before it expires on the clock, then fetches a new one', async () => {
    const { mk, clock, seen } = client();
    const identity = () => seen.filter((s) => s.url.includes('/identity/')).length;
    await mk.call('describe', 'GET', '/rest/v1/leads/describe.json');
    clock.advanceBy(3600_000 - 60_000 - 1);
    await mk.call('describe', 'GET', '/rest/v1/leads/describe.json');
    expect(identity()).toBe(1);
    expect(seen.at(-1)!.authorization).toBe('Bearer tok-1');
    clock.advanceBy(1);
    await mk.call('describe', 'GET', '/rest/v1/leads/describe.json');
    expect(identity()).toBe(2);
    expect(seen.at(-1)!.authorization).toBe('Bearer tok-2');
  });
});
