/**
 * Issue 8's in-process transport: the engine's clients send through a given
 * fetch, the world's in-process fetch answers from the same msw handlers as
 * setupServer, and a seeded world runs the same under both transports.
 */
import { http, HttpResponse } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { createMarketo } from '../../mocks/marketo/index.ts';
import { createSalesforce } from '../../mocks/salesforce/index.ts';
import { MarketoClient } from '../../src/engine/marketo.ts';
import { ApiError } from '../../src/engine/retry.ts';
import { SalesforceClient } from '../../src/engine/salesforce.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { inProcessFetch, UnhandledRequestError } from '../../src/sim/in-process-fetch.ts';
import { closeAllWorlds, createWorld, type WorldTransport } from '../../src/sim/world.ts';
import { mustPersonOf } from './helpers.ts';

afterAll(() => closeAllWorlds());

const LOGIN = 'https://login.salesforce.com';
const MKTO = 'https://123-ABC-456.mktorest.com';
const NO_RETRY = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

/** A fetch over the emulators' handlers that records every request it is given. */
function recordingFetch(handlers: Parameters<typeof inProcessFetch>[0]) {
  const inner = inProcessFetch(handlers);
  const seen: string[] = [];
  // jsforce's transport hands it a Request, the Marketo client fetch's (url, init): both are recorded the same.
  const fetchFn = (input: string | URL | Request, init?: RequestInit) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
    return inner(request);
  };
  return { fetchFn, seen };
}

describe('in-process fetch', () => {
  it('answers a Request from the handlers, and takes (url, init) like fetch', async () => {
    const f = inProcessFetch(() => [http.post('*/echo', async ({ request }) => HttpResponse.json({ got: await request.text() }, { status: 201 }))]);
    const a = await f(new Request('https://x.test/echo', { method: 'POST', body: 'one' }));
    expect(a.status).toBe(201);
    expect(await a.json()).toEqual({ got: 'one' });
    const b = await f('https://elsewhere.test/echo', { method: 'POST', body: 'two' });
    expect(await b.json()).toEqual({ got: 'two' });
  });

  it('a network error rejects as fetch does; a request no handler answers is named in the error', async () => {
    const f = inProcessFetch(() => [http.get('*/down', () => HttpResponse.error())]);
    await expect(f(new Request('https://x.test/down'))).rejects.toThrow(TypeError);
    await expect(f(new Request('https://x.test/down'))).rejects.toThrow('Failed to fetch');
    const err = await f(new Request('https://x.test/nowhere', { method: 'DELETE' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnhandledRequestError);
    expect((err as Error).message).toBe('in-process fetch: no handler answers DELETE https://x.test/nowhere');
  });
});

describe('in-process fetch, a handler that throws', () => {
  it('is answered 500 Unhandled Exception with the error as JSON, as under setupServer', async () => {
    const f = inProcessFetch(() => [
      http.get('*/broken', () => {
        throw new RangeError('emulator bug');
      }),
    ]);
    const r = await f(new Request('https://x.test/broken'));
    expect(r.status).toBe(500);
    expect(r.statusText).toBe('Unhandled Exception');
    expect(await r.json()).toMatchObject({ name: 'RangeError', message: 'emulator bug' });
  });
});

describe("the engine's clients over a given fetch", () => {
  it('jsforce sends login, describe, query and collection writes through it, and nothing else', async () => {
    const clock = new VirtualClock();
    const sf = createSalesforce({ clock });
    const id = sf.org.create('Lead', { LastName: 'Smith', Company: 'Acme', Title: 'CFO' }, sf.org.adminUser.id);
    if (!id.success) throw new Error('seed');
    const { fetchFn, seen } = recordingFetch(() => sf.handlers);
    const client = new SalesforceClient(
      { loginUrl: LOGIN, username: 'sync@example.com', password: 'sync-password', clientId: 'syncsim', clientSecret: 'syncsim-secret' },
      { clock, fetch: fetchFn },
    );
    const fields = await client.describe('Lead');
    expect(fields.find((f) => f.name === 'Title')).toMatchObject({ updateable: true });
    const rows = await client.query('SELECT Id, Title FROM Lead');
    expect(rows).toEqual([{ Id: id.id, Title: 'CFO' }]);
    const [r] = await client.update('Lead', [{ Id: id.id, Title: 'CEO' }]);
    expect(r).toEqual({ id: id.id, success: true, errors: [] });
    expect(sf.org.get('Lead', id.id)?.Title).toBe('CEO');
    expect(seen).toEqual([
      'POST /services/oauth2/token',
      expect.stringMatching(/^GET \/services\/data\/v\d+\.\d\/sobjects\/Lead\/describe$/),
      expect.stringMatching(/^GET \/services\/data\/v\d+\.\d\/query$/),
      expect.stringMatching(/^PATCH \/services\/data\/v\d+\.\d\/composite\/sobjects$/),
    ]);
    expect(client.calls).toBe(seen.length);
  });

  it('jsforce: a session expiry is refreshed through the same fetch; a lost answer is a retryable NETWORK_ERROR', async () => {
    const clock = new VirtualClock();
    const sf = createSalesforce({ clock });
    let lose = false;
    const { fetchFn, seen } = recordingFetch(() => [http.all('*', () => (lose ? HttpResponse.error() : undefined)), ...sf.handlers]);
    const client = new SalesforceClient(
      { loginUrl: LOGIN, username: 'sync@example.com', password: 'sync-password' },
      { clock, fetch: fetchFn, retry: NO_RETRY },
    );
    await client.describe('Lead');
    sf.org.expireSessions();
    await client.describe('Contact');
    expect(seen.filter((s) => s === 'POST /services/oauth2/token')).toHaveLength(2);
    lose = true;
    const err = await client.query('SELECT Id FROM Lead').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', transient: true });
    // As jsforce's own node-fetch words a failed connection through msw.
    expect((err as Error).message).toMatch(/^request to https:\/\/\S+\/query\?q=\S+ failed, reason: Network error$/);
  });

  it('Marketo: every call goes through the given fetch', async () => {
    const clock = new VirtualClock();
    const mk = createMarketo({ clock });
    mk.instance.createPerson({ email: 'a@acme.test', lastName: 'A' }, { source: 'user' });
    const { fetchFn, seen } = recordingFetch(() => mk.handlers);
    const client = new MarketoClient({ baseUrl: MKTO, clientId: 'syncsim', clientSecret: 'syncsim-secret' }, { clock, fetch: fetchFn });
    const people = await client.getLeads('email', ['a@acme.test'], ['email', 'lastName']);
    expect(people).toEqual([expect.objectContaining({ email: 'a@acme.test', lastName: 'A' })]);
    expect(seen).toEqual(['GET /identity/oauth/token', 'GET /rest/v1/leads.json']);
    expect(client.calls).toBe(2);
  });
});

/** A day in a small world that touches every transport path: writes, rejections, every fault kind, a crash. */
async function workload(transport: WorldTransport) {
  const w = createWorld({ seed: 42, transport });
  const ids = ['Ann', 'Bob', 'Cyd'].map((n, i) => w.salesforceUser.create('Lead', { LastName: n, Company: 'Acme', Email: `${n.toLowerCase()}@acme.test`, Title: `T${i}` }));
  await w.advance('5m');
  const people = ids.map((id) => mustPersonOf(w, id).id);
  w.org.setRule({ object: 'Lead', name: 'Hot_Needs_Phone', formula: 'AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))', message: 'Hot leads need a phone number', field: 'Phone' });
  w.marketoUser.update(people[0]!, { rating: 'Hot' });
  const kinds = ['unavailable', 'timeout', 'timeout-after-commit', 'rate-limit', 'session-expired', 'lock'] as const;
  for (const [i, kind] of kinds.entries()) {
    w.salesforceUser.update('Lead', ids[i % 3]!, { Title: `SF ${kind}` });
    w.marketoUser.update(people[(i + 1) % 3]!, { city: `MK ${kind}` });
    w.fault({ system: i % 2 ? 'marketo' : 'salesforce', kind, times: 2 });
    w.fault({ system: i % 2 ? 'salesforce' : 'marketo', kind, probability: 0.5, forMs: 10 * 60_000 });
    await w.advance('5m');
  }
  const fresh = w.marketoUser.create({ email: 'dee@acme.test', lastName: 'Dee', company: 'Acme' });
  await w.syncPersonToSfdc(fresh.id);
  w.crashEngineAfter(3);
  await w.advance('5m');
  w.restartEngine();
  w.faults.clear();
  await w.advance('30m');
  return w;
}

describe('the same seeded world under both transports', () => {
  it('gives the same trace hash and the same request logs (msw-server: jsforce and fetch through setupServer)', async () => {
    const viaServer = await workload('msw-server');
    const server = {
      hash: viaServer.trace.hash(),
      text: viaServer.trace.toText(),
      sf: JSON.stringify(viaServer.org.requestLog),
      mk: JSON.stringify(viaServer.instance.requestLog),
      fired: viaServer.faults.fired.length,
      retries: viaServer.engineEvents.filter((e) => e.type === 'retry').length,
    };
    const inProcess = await workload('in-process');
    expect(inProcess.transport).toBe('in-process');
    // The workload did reach every path: faults fired and were retried, a rejection was logged, the flow created a lead.
    expect(server.fired).toBeGreaterThan(10);
    expect(server.retries).toBeGreaterThan(5);
    expect(inProcess.engineEvents.some((e) => e.type === 'rejection')).toBe(true);
    expect(inProcess.org.count('Lead')).toBe(4);
    expect(inProcess.trace.toText()).toBe(server.text);
    expect(inProcess.trace.hash()).toBe(server.hash);
    expect(JSON.stringify(inProcess.org.requestLog)).toBe(server.sf);
    expect(JSON.stringify(inProcess.instance.requestLog)).toBe(server.mk);
  });

  it('an in-process run leaves no timer behind per write (jsforce would schedule a setTimeout(0) per request body)', async () => {
    const w = createWorld();
    for (let i = 0; i < 5; i++) w.salesforceUser.create('Lead', { LastName: `T${i}`, Company: 'Acme' });
    await w.advance('5m');
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    for (const p of w.instance.listPeople()) w.marketoUser.update(p.id, { title: 'CEO' });
    await w.advance('5m');
    // The cycle wrote to Salesforce (a PATCH with a body) without the event loop turning in between.
    expect(w.org.requestLog.some((e) => e.method === 'PATCH')).toBe(true);
    expect(timers()).toBe(before);
  });

  it('an in-process world answers other clients through world.fetch; a closed one answers nothing', async () => {
    const w = createWorld();
    const res = await w.fetch(`${LOGIN}/services/data`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(expect.arrayContaining([expect.objectContaining({ version: expect.any(String) })]));
    w.close();
    await expect(w.fetch(`${LOGIN}/services/data`)).rejects.toThrow(UnhandledRequestError);
  });
});
