/**
 * A fetch that answers from msw handlers in this process, with no socket,
 * HTTP parser or interceptor in between: the Request goes to the handlers
 * (msw's `getResponse`, through mocks/dispatch.ts which skips handlers that
 * cannot match) and the handler's Response comes back.
 * The handlers are the same msw handlers setupServer would serve (the world's
 * crash switch and request hook, the fault wrappers, the emulators), so what
 * the emulators see and answer does not change; only the cost of getting
 * there does (issue 8: a call through setupServer costs milliseconds of CPU).
 *
 * It behaves as `fetch` does where a client can tell: a network error
 * (`HttpResponse.error()`) rejects with TypeError('Failed to fetch'), as
 * global fetch does through msw; a request no handler answers rejects too
 * (setupServer's `onUnhandledRequest: 'error'`); a handler that throws is
 * answered 500 "Unhandled Exception" with the error as JSON, as msw's
 * interceptors answer it under setupServer, so an emulator bug looks the same
 * to the engine under both transports.
 */
import type { RequestHandler } from 'msw';
import { dispatch } from '../../mocks/dispatch.ts';
import { lightRequest } from '../../mocks/light-request.ts';

export type InProcessFetch = (input: Request) => Promise<Response>;

/** Thrown for a request that no handler answers; names the request. */
export class UnhandledRequestError extends TypeError {
  constructor(readonly method: string, readonly url: string) {
    super(`in-process fetch: no handler answers ${method} ${url}`);
    this.name = 'UnhandledRequestError';
  }
}

/**
 * A fetch over `handlers()` (read on every request, so a world can swap its
 * handler list). Accepts a Request, or fetch's (input, init) for callers
 * written against the global fetch. Given (url, init), the handlers get a
 * light request (mocks/light-request.ts): the same Request to them, without
 * the cost of undici building one (the engine's clients call it so).
 */
export function inProcessFetch(handlers: () => RequestHandler[]): InProcessFetch & typeof fetch {
  const send = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : lightRequest(input, init);
    let response: Response | undefined;
    try {
      response = await dispatch(handlers(), request);
    } catch (error) {
      response = unhandledException(error);
    }
    if (!response) throw new UnhandledRequestError(request.method, request.url);
    if (response.type === 'error') {
      // What fetch reports for a connection that failed; the cause is what node's HTTP stack
      // reports through msw (jsforce's node-fetch shows it as the reason).
      throw new TypeError('Failed to fetch', { cause: new Error('Network error') });
    }
    return response;
  };
  return send as InProcessFetch & typeof fetch;
}

/** @mswjs/interceptors' createServerErrorResponse: what setupServer answers for a handler that throws. */
function unhandledException(error: unknown): Response {
  const body = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : error;
  return new Response(JSON.stringify(body), {
    status: 500,
    statusText: 'Unhandled Exception',
    headers: { 'Content-Type': 'application/json' },
  });
}
