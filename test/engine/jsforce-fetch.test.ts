/**
 * The jsforce fetch transport (src/engine/jsforce-fetch.ts) gives jsforce
 * 3.10.16 what its own transport gives it: the request as jsforce built it,
 * the answer parsed by HttpApi, errors named as node-fetch names them,
 * redirects as lib/request.js follows them, and the body's bytes to a
 * `request(...).stream()` reader.
 */
import { Connection } from 'jsforce';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { useFetchTransport, type JsforceTransport } from '../../src/engine/jsforce-fetch.ts';
import { inProcessFetch } from '../../src/sim/in-process-fetch.ts';

const INSTANCE = 'https://na1.salesforce.test';

/** A Connection with a bare access token whose requests go to `handlers` through the transport; `seen` records them. */
function connection(handlers: Parameters<typeof inProcessFetch>[0]) {
  const inner = inProcessFetch(handlers);
  const seen: Array<{ method: string; url: string; headers: Record<string, string>; body: string }> = [];
  const conn = new Connection({ instanceUrl: INSTANCE, accessToken: 'token-1', version: '59.0' });
  const forms: string[] = [];
  useFetchTransport((conn as unknown as { _transport: JsforceTransport })._transport, async (input, init) => {
    // Recorded as the Request a real fetch would build from what it is given.
    forms.push(typeof input === 'string' ? 'url, init' : 'other');
    const request = new Request(input, init);
    seen.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body: await request.clone().text() });
    return inner(input, init);
  });
  return { conn, seen, forms };
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe('jsforce over the fetch transport', () => {
  it('sends the request as jsforce built it and hands HttpApi the parsed answer', async () => {
    const { conn, seen, forms } = connection(() => [
      http.patch('*/services/data/v59.0/sobjects/Lead/:id', async ({ request, params }) =>
        HttpResponse.json({ id: params.id, got: await request.json() }, { headers: { 'Sforce-Limit-Info': 'api-usage=7/15000' } }),
      ),
    ]);
    const answer = await conn.request<{ id: string; got: unknown }>({
      method: 'PATCH',
      url: '/sobjects/Lead/00Q1',
      body: JSON.stringify({ Title: 'CEO' }),
      headers: { 'Content-Type': 'application/json', 'X-Empty': undefined as unknown as string },
    });
    expect(answer).toEqual({ id: '00Q1', got: { Title: 'CEO' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'PATCH', url: `${INSTANCE}/services/data/v59.0/sobjects/Lead/00Q1`, body: '{"Title":"CEO"}' });
    // jsforce's own headers (the session, the body's length) are there; an undefined one is left out.
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer token-1', 'content-type': 'application/json', 'content-length': '15' });
    expect(seen[0]!.headers).not.toHaveProperty('x-empty');
    // Response headers reach jsforce by lower-case name: it reads the API usage from them.
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 7, limit: 15000 } });
    // Called as any client calls fetch: a real fetch builds the same Request from it, the in-process one need not.
    expect(forms).toEqual(['url, init']);
  });

  it('a GET carries no body, and 204 No Content resolves to undefined', async () => {
    const { conn, seen } = connection(() => [http.delete('*/sobjects/Lead/:id', () => new HttpResponse(null, { status: 204 }))]);
    expect(await conn.request({ method: 'DELETE', url: '/sobjects/Lead/00Q1', body: 'ignored' })).toBeUndefined();
    expect(seen[0]).toMatchObject({ method: 'DELETE', body: '' });
  });

  it('an error answer becomes the error jsforce makes of it (errorCode, message)', async () => {
    const { conn } = connection(() => [
      http.get('*/sobjects/Lead/:id', () => HttpResponse.json([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }], { status: 404 })),
    ]);
    const err = await conn.request('/sobjects/Lead/00Q9').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NOT_FOUND', errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' });
  });

  it('a connection that fails is a FetchError naming the URL and the reason, as node-fetch words it', async () => {
    const { conn } = connection(() => [http.get('*/limits', () => HttpResponse.error())]);
    const err = (await conn.request('/limits').catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('FetchError');
    expect(err.message).toBe(`request to ${INSTANCE}/services/data/v59.0/limits failed, reason: Network error`);
  });

  it('a body it cannot send (a stream) is refused as a FetchError, not sent as something else', async () => {
    const { conn, seen } = connection(() => [http.post('*/x', () => HttpResponse.json({}))]);
    const { Readable } = await import('node:stream');
    const err = (await conn.request({ method: 'POST', url: '/x', body: Readable.from(['a']) }).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('FetchError');
    expect(err.message).toMatch(/unsupported request body for POST .*\/x/);
    expect(seen).toHaveLength(0);
  });

  it('the body reaches a request(...).stream() reader byte for byte (binary too), and the promise still resolves', async () => {
    const bytes = Buffer.from([0, 255, 1, 0xc3, 0x28, 10, 13]);
    const { conn } = connection(() => [
      http.get('*/sobjects/Document/:id/Body', () => new HttpResponse(bytes, { headers: { 'Content-Type': 'application/octet-stream' } })),
    ]);
    const request = conn.request('/sobjects/Document/015x/Body');
    const streamed = collect(request.stream());
    await request;
    expect((await streamed).equals(bytes)).toBe(true);
  });

  it('follows a redirect when the options say so (GET with the same headers), and not otherwise', async () => {
    const handlers = () => [
      http.get('*/old', () => new HttpResponse(null, { status: 302, headers: { Location: `${INSTANCE}/new` } })),
      http.get('*/new', ({ request }) => HttpResponse.json({ at: 'new', auth: request.headers.get('authorization') })),
    ];
    const { conn, seen } = connection(handlers);
    expect(await conn.request(`${INSTANCE}/old`, { followRedirect: true } as never)).toEqual({ at: 'new', auth: 'Bearer token-1' });
    expect(seen.map((s) => s.url)).toEqual([`${INSTANCE}/old`, `${INSTANCE}/new`]);
    // Without the option (HttpApi's default here) the 302 itself is the answer, with its empty body.
    const plain = connection(handlers);
    expect(await plain.conn.request(`${INSTANCE}/old`)).toBe('');
    expect(plain.seen).toHaveLength(1);
  });

  it('a redirect loop stops at jsforce\'s limit with its error', async () => {
    const { conn, seen } = connection(() => [http.get('*/loop', () => new HttpResponse(null, { status: 301, headers: { Location: `${INSTANCE}/loop` } }))]);
    const err = (await conn.request(`${INSTANCE}/loop`, { followRedirect: true } as never).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('Reached to maximum redirect count');
    expect(seen).toHaveLength(11);
  });

  it('leaves no listener, timer or stream behind: two hundred calls in a row without the event loop turning', async () => {
    const { conn } = connection(() => [http.post('*/echo', async ({ request }) => HttpResponse.json(await request.json()))]);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
    const before = timers();
    for (let i = 0; i < 200; i++) {
      expect(await conn.request({ method: 'POST', url: '/echo', body: JSON.stringify({ i }) })).toEqual({ i });
    }
    expect(timers()).toBe(before);
  });
});
