/**
 * A jsforce 3.10.16 transport that sends each request through a WHATWG
 * `fetch` instead of jsforce's own node-fetch stack. The engine uses it when
 * it is given a fetch (the simulator's in-process one); without one, jsforce's
 * own transport is left alone, so against a real org nothing changes.
 *
 * What jsforce needs from the object a request-stream creator returns
 * (lib/transport.js, lib/http-api.js, lib/util/stream.js):
 * - Transport.httpRequest listens for 'complete' (`{statusCode, headers, body}`,
 *   the body a string) and 'error' on it, chaining `.on`;
 * - HttpApi's lazy stream pipes into it (`ins.pipe(str)`: listeners, 'pipe')
 *   and pipes it onward (`str.pipe(outs)`), so `request(...).stream()` users
 *   (blob downloads) get the body's bytes.
 * jsforce's own stream (createHttpRequestHandlerStreams: a Duplex over two
 * PassThroughs, pipes, and a MemoryWriteStream to read the body back) costs
 * more than the rest of a call's client side; a bare EventEmitter that hands
 * the body over directly gives HttpApi the same events and bytes (issue 8).
 * Like the stream it replaces, the writable side ignores what is written to it:
 * the request body goes out with the fetch.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { isRedirect, performRedirectRequest } from 'jsforce/lib/request-helper.js';
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
  const send = fetchFn as Send;
  transport.getRequestStreamCreator = () => (req, options) => {
    // No timer of any kind here: a run answered in-process is all microtasks, and a timer that cannot fire
    // until the event loop turns kept its stream, the transport and so the World alive (issue 6; jsforce's
    // createHttpRequestHandlerStreams writes a request body from a setTimeout(0)).
    const stream = new ResponseEmitter();
    void start(send, req, options, stream, 0);
    return stream as unknown as Duplex;
  };
}

/**
 * The fetch called as `fetch(url, init)`, as any client calls it: a real fetch treats it as the Request it would
 * build, and the in-process one then builds none it does not need (issue 8: ~16-45 µs per request).
 */
type Send = (url: string, init: RequestInit) => Promise<Response>;

/** The least of a stream that jsforce's HttpApi and Transport use: events, and pipes in and out. */
class ResponseEmitter extends EventEmitter {
  private readonly targets: PipeTarget[] = [];

  /** A pipe into this stream (HttpApi's empty lazy input): accepted and dropped, as jsforce's own stream did here. */
  write(): boolean {
    return true;
  }

  end(): this {
    return this;
  }

  /** `request(...).stream()` readers: they get the body's bytes when it arrives, or when they ask, if later. */
  pipe<T extends NodeJS.WritableStream>(target: T): T {
    this.targets.push(new PipeTarget(target));
    return target;
  }

  deliver(response: { statusCode: number; headers: Record<string, string> }, body: Body): Promise<void> {
    this.emit('response', response);
    let bytes = body.bytes;
    const bytesOf = () => (bytes ??= Buffer.from(body.text!, 'utf-8'));
    for (const target of this.targets) target.deliver(bytesOf);
    // HttpApi's own streams queue process.nextTick work on every request (its pipe into this stream resumes its
    // input; bytes given to a reader flow through its PassThrough). Ticks run only once the microtask queue is empty,
    // and an in-process run is one long chain of microtasks: unless each request waits for the tick queue, those ticks
    // pile up for the whole run, and each holds its stream, the transport and so the World (test/property/
    // run-memory.test.ts). jsforce's own stream waited on them too, to read the body back.
    return ticksDone().then(() => {
      // lib/util/stream.js readAll: the bytes decoded as one string (utf-8 unless the options say otherwise).
      this.emit('complete', { ...response, body: body.text ?? body.bytes!.toString(body.encoding) });
      this.finished();
    });
  }

  fail(err: unknown): void {
    this.emit('error', err);
    this.finished();
  }

  /**
   * 'complete' and 'error' are the last events: let go of jsforce's listeners (they reach the transport, its fetch
   * and so the World). HttpApi's streams still point here, and the last of them can outlive the request in a stale
   * stack slot (the tick loop's arguments); the World must not live on through it.
   */
  private finished(): void {
    this.removeAllListeners();
    this.targets.length = 0;
  }
}

async function start(
  send: Send,
  req: HttpRequest,
  options: HttpRequestOptions,
  emitter: ResponseEmitter,
  redirects: number,
): Promise<void> {
  let res: Response;
  let body: Body;
  try {
    const [url, init] = fetchArgs(req);
    res = await send(url, init);
    // Read here rather than in a helper of its own: an async layer is a promise and a microtask turn per request.
    const encoding = options.encoding ?? 'utf-8';
    body = readsAsText(res, encoding) ? { text: await res.text() } : { bytes: Buffer.from(await res.arrayBuffer()), encoding };
  } catch (err) {
    // A request refused before any await (fetchArgs, or the fetch building its Request) must not fail while jsforce is still attaching its listeners.
    await undefined;
    emitter.fail(fetchError(req.url, err));
    return;
  }
  // Header names from a Headers object are already lower-case.
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name] = value));
  const response = { statusCode: res.status, headers };
  if (options.followRedirect && isRedirect(response.statusCode)) {
    try {
      performRedirectRequest(req, response, options.followRedirect, redirects, (next) => void start(send, next, options, emitter, redirects + 1));
    } catch (err) {
      emitter.fail(err);
    }
    return;
  }
  // Nothing waits on this request's start: its end is the emitter's 'complete' (or 'error').
  void emitter.deliver(response, body);
}

/** A response body as read: its text, or its bytes and the encoding jsforce decodes them with. */
interface Body {
  text?: string;
  bytes?: Buffer;
  encoding?: BufferEncoding;
}

/** Textual answers (every REST, SOAP and OAuth answer jsforce parses): anything else is passed on as its bytes. */
const TEXTUAL = /^\s*(application\/(json|xml|x-www-form-urlencoded)|text\/)/i;

/**
 * A textual UTF-8 answer is read with text(): an emulator's answer hands over the string it holds, where reading its
 * bytes encoded it only for jsforce to decode them again (a Composite of two describes is ~110 KB). text() decodes
 * as Buffer#toString does (invalid sequences become U+FFFD) except that it drops a leading byte-order mark, which
 * no Salesforce JSON or XML answer starts with. Other answers (binary bodies, other encodings) keep their bytes.
 */
function readsAsText(res: Response, encoding: BufferEncoding): boolean {
  return (encoding === 'utf-8' || encoding === 'utf8') && TEXTUAL.test(res.headers.get('content-type') ?? '');
}

/**
 * One pipe target. HttpApi pipes every request's stream into the PassThrough behind `request(...).stream()`
 * (lib/util/stream.js createLazyStream), whether or not anyone will read that stream; the engine never does. Bytes
 * written there flow through two streams and a train of process.nextTick work (issue 8: ~60-100 µs of CPU per call,
 * ~270 µs for a describe). So a readable target gets the body once its reader asks for data (a read() of anything but 0, which is
 * how the lazy stream's Duplex pulls for its own reader), at delivery if it asked before; a target nobody reads is
 * never written to. Anything that is not readable gets the body at delivery.
 */
class PipeTarget {
  private asked = false;
  private pending: (() => Buffer) | undefined;
  private restore: (() => void) | undefined;

  constructor(private readonly target: NodeJS.WritableStream) {
    const readable = target as unknown as { read?: (n?: number) => unknown };
    const own = readable.read;
    if (typeof own !== 'function') {
      this.asked = true;
      return;
    }
    const hadOwn = Object.prototype.hasOwnProperty.call(readable, 'read');
    this.restore = () => {
      if (hadOwn) readable.read = own;
      else delete readable.read;
    };
    // No reference to the emitter from here: the target can outlive the request (see finished()).
    const self = this;
    readable.read = function (this: unknown, n?: number): unknown {
      if (n !== 0) self.demand();
      return own.call(this, n);
    };
  }

  deliver(bytes: () => Buffer): void {
    this.pending = bytes;
    if (this.asked) this.feed();
  }

  private demand(): void {
    this.asked = true;
    if (this.pending) this.feed();
  }

  private feed(): void {
    const bytes = this.pending!;
    this.pending = undefined;
    this.restore?.();
    this.restore = undefined;
    this.target.end(bytes());
  }
}

/** Resolves once every queued process.nextTick callback (and any they queue) has run. */
function ticksDone(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}

/** jsforce's request as fetch's (url, init): a body only for POST/PUT/PATCH, as lib/request.js sends it. */
function fetchArgs(req: HttpRequest): [string, RequestInit] {
  // A plain record: the Request copies it once (a Headers object would be filled, then copied again). Names
  // lower-cased so a name given twice in two cases keeps the last value, as Headers.set did.
  const headers: Record<string, string> = {};
  const given = req.headers;
  if (given) {
    for (const name in given) {
      const value = given[name] as unknown;
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
  }
  const body = req.body;
  if (body === undefined || body === null || !/^(post|put|patch)$/i.test(req.method)) return [req.url, { method: req.method, headers }];
  if (typeof body !== 'string' && !(body instanceof URLSearchParams) && !Buffer.isBuffer(body)) {
    // Streams and FormData (bulk uploads) are not used by the engine; refuse rather than send something else.
    throw new TypeError(`jsforce fetch transport: unsupported request body for ${req.method} ${req.url}`);
  }
  return [req.url, { method: req.method, headers, body: body as string | URLSearchParams | Buffer }];
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
