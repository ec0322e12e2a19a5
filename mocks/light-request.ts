/**
 * A Request for a call that never leaves this process: the in-process
 * fetch's requests and the Composite resource's subrequests (issue 8).
 * Node's `new Request(url, init)` costs ~16 µs for a GET and ~45 µs with a
 * string body (URL parse, Headers, an AbortController whose signal goes
 * through makeTransferable, a body stream), and the emulators read only the
 * URL, the method, a few headers and the body's text.
 *
 * To a handler it is the Request it would have been: `instanceof Request`,
 * the URL serialized as Request serializes it, the method normalized, a real
 * Headers holding what the Request's would (a string body without a
 * Content-Type gets `text/plain;charset=UTF-8`, as undici adds), and
 * `text()`, `json()`, `arrayBuffer()`, `bodyUsed` and `clone()` answer from the
 * string as undici would. Anything else (`body` as a stream, `signal`, `cache`,
 * `blob()`, `formData()`, ...) is read from a real Request built then with the
 * same URL, method, headers and body, which from that moment owns the body
 * (so every reader sees one body, used once). A request that is not plain (a
 * body that is not a string, an unusual method, other init members, a URL
 * with credentials, anything Request would refuse) is a real Request from the
 * start, with Request's own errors.
 *
 * Not for anything that hands the request on to a real network stack: Node's
 * `fetch(request)` and `new Request(request)` need a Request of undici's own
 * making. The handlers build new Requests from `request.url` when they need
 * one (fallback.ts).
 */

/** Where a light request keeps its body text (null: no body). */
const SOURCE = Symbol('syncsim.lightRequest.source');
/** The real Request behind a light one, built on first use of anything the light one does not answer itself. */
const REAL = Symbol('syncsim.lightRequest.real');

/** Methods Request upper-cases (fetch's "normalize a method"); PATCH is kept only as PATCH, as Request keeps its case. */
const NORMAL_METHODS: Record<string, string> = { DELETE: 'DELETE', GET: 'GET', HEAD: 'HEAD', OPTIONS: 'OPTIONS', POST: 'POST', PUT: 'PUT' };
/** The init members a light request takes; any other member makes a real Request. */
const PLAIN_INIT = new Set(['method', 'headers', 'body']);
const ENCODER = new TextEncoder();

/** The string as UTF-8 encoding gives it back: each lone surrogate U+FFFD (ES2024 methods, in Node 20). */
function wellFormed(text: string): string {
  const s = text as string & { isWellFormed(): boolean; toWellFormed(): string };
  return s.isWellFormed() ? text : s.toWellFormed();
}

/** `text` without up to `count` leading byte-order marks. */
function withoutBoms(text: string, count: number): string {
  let at = 0;
  while (at < count && text.charCodeAt(at) === 0xfeff) at++;
  return at === 0 ? text : text.slice(at);
}

/**
 * A string body's text as `text()` and `json()` read it: its UTF-8 round trip (see wellFormed) without up to two
 * leading byte-order marks (Node 20's undici drops a BOM's bytes, then decodes with a TextDecoder that drops one more).
 */
export function stringBodyText(source: string): string {
  return withoutBoms(wellFormed(source), 2);
}

/** A string body's text as decoding its UTF-8 bytes (`arrayBuffer()`) with a TextDecoder gives it: one BOM dropped. */
export function stringBodyDecoded(source: string): string {
  return withoutBoms(wellFormed(source), 1);
}

/**
 * `new Request(input, init)`, light when the request is plain (see the file comment). A URL object is taken as its
 * href, as Request takes it.
 */
export function lightRequest(input: string | URL | Request, init?: RequestInit): Request {
  // A light request as input gives its real one: Request copies only a Request of its own making.
  if (input instanceof Request) return new Request(isLightRequest(input) ? (input as unknown as LightRequest)[REAL]() : input, init);
  if (!isPlainInit(init)) return new Request(input, init);
  const href = typeof input === 'string' ? input : String(input);
  const method = methodOf(init?.method);
  const source = init?.body ?? null;
  if (method === undefined || (source !== null && (typeof source !== 'string' || method === 'GET' || method === 'HEAD'))) {
    return new Request(input, init);
  }
  let url: URL;
  let headers: Headers;
  try {
    url = new URL(href);
    headers = new Headers(init?.headers);
  } catch {
    // Request's own error for it.
    return new Request(input, init);
  }
  if (url.username !== '' || url.password !== '') return new Request(input, init);
  if (source !== null && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
  return new LightRequest(url.href, method, headers, source) as unknown as Request;
}

function isPlainInit(init: RequestInit | undefined): boolean {
  if (init === undefined) return true;
  if (init === null || typeof init !== 'object') return false;
  for (const key in init) if (!PLAIN_INIT.has(key)) return false;
  return true;
}

/** The method as Request normalizes it, or undefined for one to leave to Request (unusual, invalid or forbidden). */
function methodOf(method: string | undefined): string | undefined {
  if (method === undefined) return 'GET';
  if (method === 'PATCH') return method;
  return NORMAL_METHODS[method.toUpperCase()];
}

/** Whether `request` is a light request. */
export function isLightRequest(request: Request): boolean {
  return (request as unknown as Partial<LightRequest>)[SOURCE] !== undefined;
}

/**
 * A light request's body text as `text()` would give it, without using it up; undefined when `request` is not a
 * light request answering from its own string (used, or handed to a real Request). '' for no body.
 */
export function peekLightText(request: Request): string | undefined {
  if (!isLightRequest(request)) return undefined;
  return (request as unknown as LightRequest).peek();
}

/** A light request's body source, used up as `arrayBuffer()` uses it; undefined as for peekLightText (or no body). */
export function takeLightSource(request: Request): string | undefined {
  if (!isLightRequest(request)) return undefined;
  return (request as unknown as LightRequest).take();
}

/** The text's UTF-8 bytes in an ArrayBuffer of their own (TextEncoder writes each lone surrogate as U+FFFD). */
function utf8Bytes(text: string): ArrayBuffer {
  const bytes = ENCODER.encode(text);
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

class LightRequest {
  readonly [SOURCE]: string | null;
  #used = false;
  #real: Request | undefined;

  constructor(
    readonly url: string,
    readonly method: string,
    readonly headers: Headers,
    source: string | null,
  ) {
    this[SOURCE] = source;
  }

  /** The real Request for everything this class does not answer; used up if this one's body was. */
  [REAL](): Request {
    if (!this.#real) {
      const source = this[SOURCE];
      const real = new Request(this.url, { method: this.method, headers: this.headers, ...(source !== null ? { body: source } : {}) });
      // A read marks the body used at once; the rejection of a later read is undici's own.
      if (this.#used) real.text().catch(() => undefined);
      this.#real = real;
    }
    return this.#real;
  }

  /** Whether this object still answers body reads from its own string. */
  private get own(): boolean {
    return !this.#used && this.#real === undefined;
  }

  peek(): string | undefined {
    if (!this.own) return undefined;
    const source = this[SOURCE];
    return source === null ? '' : stringBodyText(source);
  }

  take(): string | undefined {
    const source = this[SOURCE];
    if (!this.own || source === null) return undefined;
    this.#used = true;
    return source;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this[SOURCE] === null) return null;
    return this[REAL]().body;
  }

  get bodyUsed(): boolean {
    return this.#real ? this.#real.bodyUsed : this.#used;
  }

  text(): Promise<string> {
    if (!this.own) return this[REAL]().text();
    const source = this[SOURCE];
    if (source === null) return Promise.resolve('');
    this.#used = true;
    return Promise.resolve(stringBodyText(source));
  }

  json(): Promise<unknown> {
    if (!this.own) return this[REAL]().json();
    const source = this[SOURCE];
    if (source !== null) this.#used = true;
    try {
      return Promise.resolve(JSON.parse(source === null ? '' : stringBodyText(source)) as unknown);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    if (!this.own) return this[REAL]().arrayBuffer();
    const source = this[SOURCE];
    if (source !== null) this.#used = true;
    return Promise.resolve(source === null ? new ArrayBuffer(0) : utf8Bytes(source));
  }

  clone(): Request {
    // A used body fails to clone with undici's own error.
    if (!this.own) return this[REAL]().clone();
    return new LightRequest(this.url, this.method, new Headers(this.headers), this[SOURCE]) as unknown as Request;
  }
}

// Everything else a Request has is the real Request's (see the file comment). The inherited symbols stay:
// Symbol.toStringTag says 'Request', and util.inspect reads the members through the getters here.
const OWN_FIELDS = new Set(['constructor', 'url', 'method', 'headers']);
for (const key of Object.getOwnPropertyNames(Request.prototype)) {
  if (OWN_FIELDS.has(key) || Object.prototype.hasOwnProperty.call(LightRequest.prototype, key)) continue;
  const own = Object.getOwnPropertyDescriptor(Request.prototype, key)!;
  if (own.get) {
    Object.defineProperty(LightRequest.prototype, key, {
      configurable: true,
      enumerable: own.enumerable ?? false,
      get(this: LightRequest) {
        return (this[REAL]() as unknown as Record<string, unknown>)[key];
      },
    });
  } else if (typeof own.value === 'function') {
    Object.defineProperty(LightRequest.prototype, key, {
      configurable: true,
      enumerable: own.enumerable ?? false,
      writable: true,
      value(this: LightRequest, ...args: unknown[]) {
        const real = this[REAL]() as unknown as Record<string, (...a: unknown[]) => unknown>;
        return real[key]!(...args);
      },
    });
  }
}
// `instanceof Request` holds, as for the Request it stands for.
Object.setPrototypeOf(LightRequest.prototype, Request.prototype);
