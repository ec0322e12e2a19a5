/**
 * mocks/dispatch.ts answers exactly as msw's getResponse: two identical
 * emulator pairs, one served by each, get the same requests (real clients'
 * traffic and raw edge cases); every answer must be the same, byte for byte.
 * The clients call fetch as (url, init): dispatch gets the light request the
 * in-process fetch makes of it (mocks/light-request.ts), msw the Request
 * undici makes, so the two kinds of request are compared as well.
 */
import { getResponse, http, HttpResponse, type RequestHandler } from 'msw';
import { Connection } from 'jsforce';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../mocks/dispatch.ts';
import { isLightRequest, lightRequest } from '../../mocks/light-request.ts';
import { createMarketo } from '../../mocks/marketo/index.ts';
import { createSalesforce } from '../../mocks/salesforce/index.ts';
import { useFetchTransport, type JsforceTransport } from '../../src/engine/jsforce-fetch.ts';
import { MarketoClient } from '../../src/engine/marketo.ts';
import { SalesforceClient } from '../../src/engine/salesforce.ts';
import { VirtualClock } from '../../src/sim/clock.ts';

function emulators() {
  const clock = new VirtualClock();
  const sf = createSalesforce({ clock });
  const mk = createMarketo({ clock });
  for (let i = 0; i < 3; i++) sf.org.create('Lead', { LastName: `L${i}`, Company: 'Acme', Email: `l${i}@acme.test` }, sf.org.adminUser.id);
  mk.instance.createPerson({ email: 'p@acme.test', lastName: 'P' }, { source: 'user' });
  return [...sf.handlers, ...mk.handlers];
}

interface Answer {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: string;
}

async function answerOf(r: Response | undefined): Promise<Answer | undefined> {
  if (!r) return undefined;
  return { status: r.status, statusText: r.statusText, headers: [...r.headers], body: await r.text() };
}

/** A fetch that asks both dispatchers (each over its own emulators) and records where their answers differ. */
function comparingFetch() {
  const viaDispatch = emulators();
  const viaMsw = emulators();
  const compared: string[] = [];
  const differences: Array<{ request: string; dispatch?: Answer; msw?: Answer }> = [];
  let light = 0;
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    // As the in-process fetch takes it (a Request as given; (url, init) as a light request), and as undici builds it.
    const request = input instanceof Request && init === undefined ? input : lightRequest(input, init);
    const twin = input instanceof Request && init === undefined ? input.clone() : new Request(input, init);
    if (isLightRequest(request)) light++;
    const a = await answerOf(await dispatch(viaDispatch, request));
    const b = await answerOf(await getResponse(viaMsw, twin));
    const name = `${request.method} ${request.url}`;
    compared.push(name);
    if (JSON.stringify(a) !== JSON.stringify(b)) differences.push({ request: name, ...(a ? { dispatch: a } : {}), ...(b ? { msw: b } : {}) });
    if (!a) throw new TypeError(`no handler for ${name}`);
    return new Response(a.status === 204 || a.status === 304 ? null : a.body, { status: a.status, headers: a.headers });
  };
  return { fetchFn, compared, differences, lightCount: () => light };
}

describe('mocks/dispatch.ts against msw getResponse', () => {
  it("gives the same answers to the engine's clients and to raw jsforce, route by route", async () => {
    const { fetchFn, compared, differences, lightCount } = comparingFetch();
    const clock = new VirtualClock();
    const login = 'https://login.salesforce.com';
    const sf = new SalesforceClient({ loginUrl: login, username: 'sync@example.com', password: 'sync-password', clientId: 'syncsim', clientSecret: 'syncsim-secret' }, { clock, fetch: fetchFn });
    await sf.describe('Lead');
    await sf.describe('Contact');
    const rows = await sf.query('SELECT Id, LastName FROM Lead ORDER BY LastName');
    expect(rows).toHaveLength(3);
    await sf.update('Lead', rows.map((r) => ({ Id: String(r.Id), Title: 'CEO' })));
    await sf.create('Lead', [{ LastName: 'New', Company: 'Acme' }, { LastName: 'NoCompany' }]);
    await sf.query('SELECT Id FROM Lead', true);
    // Raw jsforce: SOAP login, single-record CRUD, REST paths that 404 and 405.
    const conn = new Connection({ loginUrl: login, version: '60.0' });
    for (const t of [(conn as unknown as { _transport: JsforceTransport })._transport, (conn.oauth2 as unknown as { _transport: JsforceTransport })._transport]) {
      useFetchTransport(t, fetchFn);
    }
    await conn.login('sync@example.com', 'sync-password');
    const created = await conn.sobject('Lead').create({ LastName: 'Raw', Company: 'Acme' });
    const id = (created as { id: string }).id;
    await conn.sobject('Lead').retrieve(id);
    await conn.sobject('Lead').update({ Id: id, Title: 'CTO' });
    await conn.sobject('Lead').destroy(id);
    await conn.request('/sobjects/Lead/describe').catch(() => undefined);
    await conn.request('/sobjects/NoSuchObject__c/describe').catch(() => undefined);
    await conn.request('/nothing/here').catch(() => undefined);
    await conn.request({ method: 'PUT', url: '/sobjects/Lead' }).catch(() => undefined);
    await conn.request({ method: 'HEAD' as 'GET', url: '/limits' }).catch(() => undefined);
    await conn.request('/SOBJECTS/Lead/Describe/').catch(() => undefined);
    await conn.identity().catch(() => undefined);
    // Marketo.
    const mk = new MarketoClient({ baseUrl: 'https://123-ABC-456.mktorest.com', clientId: 'syncsim', clientSecret: 'syncsim-secret' }, { clock, fetch: fetchFn });
    await mk.describe();
    const people = await mk.getLeads('email', ['p@acme.test'], ['email', 'lastName']);
    await mk.syncLeads('updateOnly', 'id', people.map((p) => ({ id: p.id, title: 'CFO' })));
    const token = await mk.pagingToken(0);
    await mk.leadChanges(token, ['title']);
    await mk.call('bad', 'GET', '/rest/v1/nothing.json').catch(() => undefined);

    expect(compared.length).toBeGreaterThan(25);
    expect(lightCount()).toBe(compared.length);
    expect(differences).toEqual([]);
  });

  it('matches as msw does: wildcards, params, method, case, trailing slash, query; skips a handler that answers nothing', async () => {
    const seen: string[] = [];
    const handlers: RequestHandler[] = [
      http.all('*', ({ request }) => {
        seen.push(request.method);
        return undefined;
      }),
      http.get('*/a/:id', ({ params }) => HttpResponse.json({ route: 'a', params })),
      http.post('*/b/*', ({ params }) => HttpResponse.json({ route: 'b', params })),
      http.all('*/c/:x/d', ({ params, request }) => HttpResponse.json({ route: 'c', params, method: request.method })),
      http.get('*/thrown', () => {
        throw HttpResponse.json({ route: 'thrown' }, { status: 418 });
      }),
      http.get('*/Soap/u/:v', ({ params }) => HttpResponse.json({ route: 'soap', params })),
      http.get('*/e/:opt?/f', ({ params }) => HttpResponse.json({ route: 'e', params })),
      // Answers that come later: nothing (the next handler answers), a thrown Response, a Response.
      http.get('*/later/none', async () => undefined),
      http.get('*/later/:what', ({ params }) => HttpResponse.json({ route: 'later', params })),
      http.get('*/late-throw', async () => {
        await Promise.resolve();
        throw HttpResponse.json({ route: 'late-throw' }, { status: 409 });
      }),
    ];
    const urls = [
      ['GET', 'https://h.test/a/1'],
      ['GET', 'https://h.test/A/1'],
      ['GET', 'https://h.test/a/1/'],
      ['GET', 'https://h.test/a/x%20y?z=1#f'],
      ['GET', 'https://h.test/a/1/2'],
      ['POST', 'https://h.test/a/1'],
      ['POST', 'https://h.test/b/one/two'],
      ['PATCH', 'https://h.test/c/9/d'],
      ['GET', 'https://h.test/thrown'],
      ['GET', 'https://h.test/soap/U/5'],
      ['GET', 'https://h.test/e/f'],
      ['GET', 'https://h.test/e/1/f'],
      ['GET', 'https://h.test/x?to=/a/1'],
      ['GET', 'http://127.0.0.1:4010/a/2#x'],
      ['GET', 'https://h.test/none'],
      ['GET', 'https://h.test/later/none'],
      ['GET', 'https://h.test/late-throw'],
    ] as const;
    for (const [method, url] of urls) {
      const a = await answerOf(await dispatch(handlers, new Request(url, { method })));
      const b = await answerOf(await getResponse(handlers, new Request(url, { method })));
      expect({ method, url, answer: a }).toEqual({ method, url, answer: b });
    }
    expect(seen).toHaveLength(urls.length * 2);
    // A resolver's error (thrown at once or later) fails the request, as in msw.
    for (const fail of [() => { throw new Error('boom'); }, async () => { throw new Error('boom'); }]) {
      const list = [http.get('*/x', () => undefined), http.get('*/x', fail)];
      await expect(dispatch(list, new Request('https://h.test/x'))).rejects.toThrow('boom');
      await expect(getResponse(list, new Request('https://h.test/x'))).rejects.toThrow('boom');
    }
    // Each request gets params of its own: a resolver that changes them does not change the next request's.
    const changing = [
      http.get('*/m/:id', ({ params }) => {
        const got = params.id;
        params.id = 'changed';
        return HttpResponse.json({ got });
      }),
    ];
    for (let i = 0; i < 2; i++) expect(await (await dispatch(changing, new Request('https://h.test/m/7')))?.json()).toEqual({ got: '7' });
    // A list edited in place answers from its new order.
    handlers.splice(1, 0, http.get('*/a/:id', () => HttpResponse.json({ route: 'first' })));
    expect(await (await dispatch(handlers, new Request('https://h.test/a/1')))?.json()).toEqual({ route: 'first' });
  });
});
