/**
 * A jsforce 3.10.16 transport that sends each request through a WHATWG
 * `fetch` instead of jsforce's own node-fetch stack. The engine uses it when
 * it is given a fetch (the simulator's in-process one); without one, jsforce's
 * own transport is left alone, so against a real org nothing changes.
 *
 * jsforce's HttpApi reads a Duplex stream that emits 'response' and then
 * 'complete' (lib/request.js). We build that stream with jsforce's own
 * `createHttpRequestHandlerStreams`, so HttpApi sees exactly what it sees from
 * lib/request.js: the same events, the same body reading, the same redirects.
 */
import type { Duplex } from 'node:stream';
import { createHttpRequestHandlerStreams, isRedirect, performRedirectRequest } from 'jsforce/lib/request-helper.js';
import type { HttpRequest, HttpRequestOptions } from 'jsforce/lib/types/common.js';
import type { FetchFn } from './fetch-fn.ts';

/** What jsforce's Connection and OAuth2 objects hold as `_transport`. */
export interface JsforceTransport {
  getRequestStreamCreator(): (req: HttpRequest, options: HttpRequestOptions) => Duplex;
}

/**
 * Makes `transport` (a Connection's or an OAuth2's `_transport`) send through
 * `fetchFn`. jsforce's httpRequest (and any wrapper around it, such as the
 * client's call counter) stays in place; only the stream under it changes.
 */
export function useFetchTransport(transport: JsforceTransport, fetchFn: FetchFn): void {
  const send = fetchFn as (input: Request) => Promise<Response>;
  transport.getRequestStreamCreator = () => (req, options) => {
    // The body goes out in the Request (toRequest), not through the stream's input. Given a body,
    // createHttpRequestHandlerStreams writes it to that input from a real setTimeout(0), and a run
    // answered in-process is all microtasks: the timer cannot fire until the event loop turns, so a
    // fuzz campaign piled one up per write, each holding its stream, the transport and so the World.
    const { output, stream } = createHttpRequestHandlerStreams({ ...req, body: undefined }, options);
    void start(send, req, options, output, stream, 0);
    return stream;
  };
}

async function start(
  send: (input: Request) => Promise<Response>,
  req: HttpRequest,
  options: HttpRequestOptions,
  output: NodeJS.WritableStream,
  emitter: Duplex,
  redirects: number,
): Promise<void> {
  let res: Response;
  let body: Buffer;
  try {
    res = await send(toRequest(req));
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    emitter.emit('error', fetchError(req.url, err));
    return;
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  const response = { statusCode: res.status, headers };
  if (options.followRedirect && isRedirect(response.statusCode)) {
    try {
      performRedirectRequest(req, response, options.followRedirect, redirects, (next) => void start(send, next, options, output, emitter, redirects + 1));
    } catch (err) {
      emitter.emit('error', err);
    }
    return;
  }
  emitter.emit('response', response);
  output.end(body);
}

/** jsforce's request as a WHATWG Request: a body only for POST/PUT/PATCH, as lib/request.js sends it. */
function toRequest(req: HttpRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers ?? {})) if (value !== undefined && value !== null) headers.set(name, String(value));
  const hasBody = req.body !== undefined && req.body !== null && /^(post|put|patch)$/i.test(req.method);
  if (hasBody && typeof req.body !== 'string' && !(req.body instanceof URLSearchParams) && !Buffer.isBuffer(req.body)) {
    // Streams and FormData (bulk uploads) are not used by the engine; refuse rather than send something else.
    throw new TypeError(`jsforce fetch transport: unsupported request body for ${req.method} ${req.url}`);
  }
  return new Request(req.url, {
    method: req.method,
    headers,
    ...(hasBody ? { body: req.body as string | URLSearchParams | Buffer } : {}),
  });
}

/**
 * A failed fetch reported the way jsforce's node-fetch reports a network
 * failure (`FetchError: request to URL failed, reason: …`), with the reason
 * taken from the underlying cause when fetch gives one (undici does).
 */
function fetchError(url: string, err: unknown): Error {
  const e = err as { message?: string; cause?: { message?: string } };
  const reason = e?.cause?.message ?? e?.message ?? String(err);
  const out = new Error(`request to ${url} failed, reason: ${reason}`);
  out.name = 'FetchError';
  return out;
}
