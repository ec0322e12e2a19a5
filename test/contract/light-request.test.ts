// A light request (mocks/light-request.ts) must look to a handler exactly like the Request undici builds from the same
// (url, init): every member, body reads and their order, clones, errors; and requests it does not take are real ones.
import fc from 'fast-check';
import { getResponse, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { isLightRequest, lightRequest } from '../../mocks/light-request.ts';
import { peekRequestText, requestBytesAndText, requestText } from '../../mocks/request-text.ts';

const URL_ = 'https://x.my.salesforce.com/services/data/v60.0/sobjects/Lead';

/**
 * What a handler reads off a request: the members a light request answers itself, its body's text, then the rest
 * (which a light request reads from a real Request it builds then, so they come after the body's own read).
 */
async function seen(r: Request): Promise<Record<string, unknown>> {
  const own = { instance: r instanceof Request, tag: Object.prototype.toString.call(r), url: r.url, method: r.method, headers: [...r.headers], bodyUsed: r.bodyUsed };
  const text = await r.text();
  return {
    ...own,
    text,
    usedAfter: r.bodyUsed,
    hasBody: r.body !== null,
    cache: r.cache,
    credentials: r.credentials,
    mode: r.mode,
    redirect: r.redirect,
    referrer: r.referrer,
    keepalive: r.keepalive,
    aborted: r.signal.aborted,
    destination: r.destination,
  };
}

const inits: Array<[string, string, RequestInit | undefined]> = [
  ['no init', URL_, undefined],
  ['a GET with headers in two cases', `${URL_}?q=SELECT+Id&x=a%20b`, { method: 'get', headers: { Authorization: 'Bearer t', 'X-A': ' padded ', 'x-b': '1' } }],
  ['a POST with JSON', URL_, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"LastName":"Ng"}' }],
  ['a POST without a content type', URL_, { method: 'post', body: 'a=1' }],
  ['PATCH with non-ASCII text', `${URL_}/00Q1`, { method: 'PATCH', headers: [['content-type', 'application/json']], body: '{"LastName":"Müller – 李 😀"}' }],
  ['a lone surrogate and a byte-order mark', URL_, { method: 'PUT', body: '\uFEFFa\uD800b' }],
  ['an empty body', URL_, { method: 'DELETE', body: '' }],
  ['a URL to normalize', 'HTTPS://X.Example.COM:443/a/./b/../c d?e f#g', { method: 'head' }],
  ['a Headers object', URL_, { method: 'OPTIONS', headers: new Headers({ Cookie: 'a=1; b=2' }) }],
];

describe('lightRequest', () => {
  it.each(inits)('looks like the Request undici builds: %s', async (_, url, init) => {
    const light = lightRequest(url, init);
    expect(isLightRequest(light)).toBe(true);
    expect(await seen(light)).toEqual(await seen(new Request(url, init)));
  });

  it.each(inits)('answers json(), arrayBuffer() and clone() as Request does: %s', async (_, url, init) => {
    const outcome = async (make: () => Request) => {
      const r = make();
      const c = r.clone();
      const json = await r.json().then(
        (v) => ({ v }),
        (e: Error) => ({ e: e.name }),
      );
      const bytes = [...new Uint8Array(await c.arrayBuffer())];
      return { json, bytes, used: [r.bodyUsed, c.bodyUsed] };
    };
    expect(await outcome(() => lightRequest(url, init))).toEqual(await outcome(() => new Request(url, init)));
  });

  it('a used body stays used, with undici errors, whichever reader comes next', async () => {
    const errorsOf = async (make: () => Request) => {
      const out: string[] = [];
      const r = make();
      await r.text();
      for (const read of [() => r.text(), () => r.json(), () => r.arrayBuffer(), () => r.blob()]) {
        out.push(await read().then(() => 'ok', (e: Error) => `${e.name}: ${e.message}`));
      }
      try {
        r.clone();
        out.push('cloned');
      } catch (e) {
        out.push(`${(e as Error).name}: ${(e as Error).message}`);
      }
      out.push(String(r.bodyUsed));
      return out;
    };
    const init = { method: 'POST', body: '{"a":1}' };
    expect(await errorsOf(() => lightRequest(URL_, init))).toEqual(await errorsOf(() => new Request(URL_, init)));
  });

  it('a stream-level read hands the body to a real Request: one body, read once', async () => {
    const r = lightRequest(URL_, { method: 'POST', body: 'streamed' });
    const reader = r.body!.getReader();
    const chunk = await reader.read();
    expect(new TextDecoder().decode(chunk.value)).toBe('streamed');
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
    expect(peekRequestText(r)).toBeUndefined();
  });

  it('a clone is light and independent; a request without a body reads as empty every time', async () => {
    const r = lightRequest(URL_, { method: 'POST', body: 'x' });
    const c = r.clone();
    expect(isLightRequest(c)).toBe(true);
    expect(await r.text()).toBe('x');
    expect(c.bodyUsed).toBe(false);
    expect(await c.text()).toBe('x');
    const empty = lightRequest(URL_);
    expect([await empty.text(), await empty.text(), empty.bodyUsed]).toEqual(['', '', false]);
  });

  it('is a real Request when it is not plain, with Request’s own errors', () => {
    const real: Array<[string | URL, RequestInit | undefined]> = [
      [URL_, { method: 'POST', body: new URLSearchParams({ a: '1' }) }],
      [URL_, { method: 'POST', body: new Uint8Array([1]) }],
      [URL_, { method: 'MOVE' }],
      [URL_, { method: 'patch' }],
      [URL_, { signal: new AbortController().signal }],
      [new URL(URL_), { redirect: 'manual' }],
    ];
    for (const [url, init] of real) {
      const r = lightRequest(url, init);
      expect(r).toBeInstanceOf(Request);
      expect(isLightRequest(r)).toBe(false);
    }
    const failures: Array<[string, RequestInit | undefined]> = [
      [URL_, { method: 'GET', body: 'x' }],
      [URL_, { method: 'CONNECT' }],
      [URL_, { method: 'BAD METHOD' }],
      ['/relative', undefined],
      ['https://user:pw@x.test/a', undefined],
      [URL_, { headers: { 'bad name': 'x' } }],
    ];
    for (const [url, init] of failures) {
      let expected: unknown;
      try {
        new Request(url, init);
      } catch (e) {
        expected = e;
      }
      expect(expected).toBeInstanceOf(TypeError);
      expect(() => lightRequest(url, init)).toThrow((expected as Error).message);
    }
  });

  it('a light request given to Request or lightRequest again copies its real one', async () => {
    const light = lightRequest(URL_, { method: 'POST', body: 'copied', headers: { 'X-A': '1' } });
    const copy = lightRequest(light, { headers: { 'X-B': '2' } });
    expect(isLightRequest(copy)).toBe(false);
    expect([copy.method, copy.headers.get('x-b'), await copy.text()]).toEqual(['POST', '2', 'copied']);
  });

  it("request-text's readers give what the body's readers give, and use a light body up", async () => {
    for (const [, url, init] of inits) {
      const expectedText = await new Request(url, init).text();
      const bytes = new Uint8Array(await new Request(url, init).arrayBuffer());
      const a = lightRequest(url, init);
      expect(peekRequestText(a)).toBe(expectedText);
      expect(await requestText(a)).toBe(expectedText);
      expect(await requestBytesAndText(lightRequest(url, init))).toEqual({ size: bytes.length, text: new TextDecoder().decode(bytes) });
      if (init?.body !== undefined) {
        expect(a.bodyUsed).toBe(true);
        await expect(requestText(a)).rejects.toThrow(TypeError);
      }
    }
  });

  it("msw's own handler run takes a light request as it takes a real one", async () => {
    const handlers = [
      http.post('https://x.test/echo/:id', async ({ request, params, cookies }) =>
        HttpResponse.json({ id: params.id, cookies, body: await request.json(), type: request.headers.get('content-type') }),
      ),
    ];
    const init = { method: 'POST', headers: { cookie: 'a=1', 'content-type': 'application/json' }, body: '{"n":1}' };
    const answer = async (r: Request) => (await getResponse(handlers, r))?.json();
    expect(await answer(lightRequest('https://x.test/echo/7', init))).toEqual(await answer(new Request('https://x.test/echo/7', init)));
  });

  it('matches Request on generated URLs, methods, headers and bodies', async () => {
    const token = fc.stringMatching(/^[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,12}$/);
    const value = fc.string({ maxLength: 20 }).map((s) => s.replace(/[\0\r\n]/g, ''));
    // URLs with what serializing changes: case, default ports, dot segments, characters to percent-encode, escapes.
    const part = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '.', '..', '%', '%41', ' ', '"', "'", '<', '`', '{', '^', '|', '\\', 'é', '?', '&', '=', '/', ':', '@'), maxLength: 8 });
    const url = fc
      .tuple(fc.constantFrom('https://', 'HTTP://', 'https://'), fc.constantFrom('x.test', 'X.Example.COM', '127.0.0.1', 'h.test:443', 'h.test:8443'), part, fc.option(part), fc.option(part))
      .map(([scheme, host, path, query, hash]) => `${scheme}${host}/${path}${query !== null ? `?${query}` : ''}${hash !== null ? `#${hash}` : ''}`);
    await fc.assert(
      fc.asyncProperty(
        url,
        fc.constantFrom('GET', 'get', 'POST', 'post', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'options'),
        fc.dictionary(token, value, { maxKeys: 4 }),
        // Bodies with what the UTF-8 round trip changes: lone surrogates, a byte-order mark, multi-byte characters.
        fc.option(fc.string({ unit: fc.constantFrom('a', '{', '"', 'é', '李', '😀', '\uD800', '\uDC00', '\uFEFF', '\0'), maxLength: 12 }), { nil: undefined }),
        async (url, method, headers, body) => {
          const init: RequestInit = { method, headers, ...(body !== undefined ? { body } : {}) };
          let expected: Record<string, unknown> | string;
          try {
            expected = await seen(new Request(url, init));
          } catch (e) {
            expected = `throws ${(e as Error).message}`;
          }
          let actual: Record<string, unknown> | string;
          try {
            actual = await seen(lightRequest(url, init));
          } catch (e) {
            actual = `throws ${(e as Error).message}`;
          }
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 200, seed: 8 },
    );
  });
});
