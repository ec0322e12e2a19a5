// mocks/dispatch.ts remembers which handlers a (method, URL) pair reaches: the answers must stay msw's.
import { getResponse, http, HttpResponse, passthrough, type RequestHandler } from 'msw';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../mocks/dispatch.ts';

const base = 'https://x.my.salesforce.com';

async function both(handlers: RequestHandler[], url: string, method = 'GET'): Promise<[string | undefined, string | undefined]> {
  const a = await dispatch(handlers, new Request(url, { method }));
  const b = await getResponse(handlers, new Request(url, { method }));
  return [a ? await a.text() : undefined, b ? await b.text() : undefined];
}

describe('dispatch, asked the same URL again', () => {
  it('gives each request its own params, whatever an earlier resolver did to its copy', async () => {
    const seen: string[] = [];
    const handlers = [
      http.get('*/sobjects/:type/:id', ({ params }) => {
        seen.push(`${String(params['type'])}/${String(params['id'])}`);
        (params as Record<string, string>)['type'] = 'Changed';
        return HttpResponse.text(`${String(params['id'])}`);
      }),
    ];
    for (let i = 0; i < 3; i++) await dispatch(handlers, new Request(`${base}/sobjects/Lead/00Q1`));
    expect(seen).toEqual(['Lead/00Q1', 'Lead/00Q1', 'Lead/00Q1']);
  });

  it('still tries the next handler when a matching one passes, each time', async () => {
    let calls = 0;
    const handlers = [
      http.get('*/a/:x', ({ params }) => (params['x'] === 'skip' ? undefined : HttpResponse.text('first'))),
      http.get('*/a/skip', () => {
        calls++;
        return HttpResponse.text('second');
      }),
    ];
    for (let i = 0; i < 2; i++) {
      expect(await both(handlers, `${base}/a/skip`)).toEqual(['second', 'second']);
      expect(await both(handlers, `${base}/a/other`)).toEqual(['first', 'first']);
    }
    expect(calls).toBe(4);
  });

  it('answers by method: a URL planned for GET is planned again for POST', async () => {
    const handlers = [http.get('*/r', () => HttpResponse.text('get')), http.post('*/r', () => HttpResponse.text('post'))];
    for (let i = 0; i < 2; i++) {
      expect(await both(handlers, `${base}/r`, 'GET')).toEqual(['get', 'get']);
      expect(await both(handlers, `${base}/r`, 'POST')).toEqual(['post', 'post']);
    }
  });

  it('throws for a malformed escape only when no earlier handler answers, as msw does', async () => {
    // A RegExp path decodes nothing: it answers before the parameter handler's decoding is reached.
    const handlers = [
      http.get(/\/ok\//, () => HttpResponse.text('ok')),
      http.get('*/:where/:name', ({ params }) => HttpResponse.text(String(params['name']))),
    ];
    for (let i = 0; i < 2; i++) {
      expect(await both(handlers, `${base}/ok/%E0%A4%A`)).toEqual(['ok', 'ok']);
      await expect(dispatch(handlers, new Request(`${base}/bad/%E0%A4%A`))).rejects.toThrow(URIError);
      await expect(getResponse(handlers, new Request(`${base}/bad/%E0%A4%A`))).rejects.toThrow(URIError);
    }
  });

  it('answers right past the number of URLs it remembers', async () => {
    const handlers = [http.get('*/n/:i', ({ params }) => HttpResponse.text(`n${String(params['i'])}`))];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 1100; i++) {
        const r = await dispatch(handlers, new Request(`${base}/n/${i}`));
        expect(await r?.text()).toBe(`n${i}`);
      }
    }
  });

  it('sees a handler list edited in place', async () => {
    const handlers: RequestHandler[] = [http.get('*/e', () => HttpResponse.text('old'))];
    expect(await (await dispatch(handlers, new Request(`${base}/e`)))?.text()).toBe('old');
    handlers.unshift(http.get('*/e', () => HttpResponse.text('new')));
    expect(await both(handlers, `${base}/e`)).toEqual(['new', 'new']);
    handlers.splice(0, 2);
    expect(await dispatch(handlers, new Request(`${base}/e`))).toBeUndefined();
  });

  it('runs a handler msw must run itself (passthrough, RegExp path) in its place every time', async () => {
    const handlers = [
      http.get(/\/p$/, () => passthrough()),
      http.get('*/p', () => HttpResponse.text('after')),
    ];
    for (let i = 0; i < 2; i++) {
      const a = await dispatch(handlers, new Request(`${base}/p`));
      const b = await getResponse(handlers, new Request(`${base}/p`));
      expect([a?.status, b?.status]).toEqual([b?.status, a?.status]);
    }
  });
});
