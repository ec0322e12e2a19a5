/**
 * A request body's text without pulling it through the body's web stream
 * (issue 8). Reading `request.text()` costs ~50 µs of stream machinery per
 * call even for a few bytes, and every write the engine makes carries a body.
 *
 * Node's fetch (undici) keeps what a Request was made with beside its stream:
 * a string body (and URLSearchParams, serialized) as that string, bytes as a
 * Uint8Array. When that source is there and the body was never read, its text
 * is what `text()` would give: UTF-8 encoded then decoded, so a lone surrogate
 * becomes U+FFFD and leading byte-order marks are dropped (up to two, as
 * Node 20's undici drops them; see light-request.ts). Anything else (a
 * stream body, as under setupServer; a body already read; another fetch
 * implementation) goes through `text()` itself, with its own errors.
 *
 * Like `text()`, it uses the body up: a second read through this module fails
 * as it would (the stream itself is left unread, so `bodyUsed` stays false).
 * A light request (light-request.ts) answers from the string it holds, and
 * its `bodyUsed` does turn true.
 */
import { isLightRequest, peekLightText, stringBodyDecoded, stringBodyText, takeLightSource } from './light-request.ts';

const UTF8 = new TextDecoder();

/** undici's per-Request state slot (`Symbol(state)`), found on a probe Request; null when this runtime has none. */
const STATE: symbol | null = findStateSymbol();

/** Requests whose body this module read from its source: their stream is untouched, so bodyUsed cannot tell. */
const taken = new WeakSet<Request>();

function findStateSymbol(): symbol | null {
  try {
    const probe = new Request('http://probe.invalid/', { method: 'POST', body: 'probe' });
    for (const s of Object.getOwnPropertySymbols(probe)) {
      const state = (probe as unknown as Record<symbol, { body?: { source?: unknown } } | undefined>)[s];
      if (s.description === 'state' && state?.body?.source === 'probe') return s;
    }
  } catch {
    // no usable Request here: always read through text()
  }
  return null;
}

/** undici's error for a second read of a body. */
function usedUp(): TypeError {
  return new TypeError('Body is unusable: Body has already been read');
}

/** The body's source as undici holds it, if it is a string or bytes. */
function sourceOf(request: Request): string | Uint8Array | undefined {
  if (STATE === null) return undefined;
  const state = (request as unknown as Record<symbol, { body?: { source?: unknown } | null } | undefined>)[STATE];
  const source = state?.body?.source;
  return typeof source === 'string' || source instanceof Uint8Array ? source : undefined;
}

/** A body source's text as `text()` gives it (see stringBodyText): bytes decoded as UTF-8 (the decoder drops one BOM), one more BOM dropped. */
function sourceText(source: string | Uint8Array): string {
  if (typeof source === 'string') return stringBodyText(source);
  const text = UTF8.decode(source);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A body source's bytes decoded with a TextDecoder (one BOM dropped), as `arrayBuffer()` then decoding gives it. */
function sourceDecoded(source: string | Uint8Array): string {
  return typeof source === 'string' ? stringBodyDecoded(source) : UTF8.decode(source);
}

/** `await request.text()`, from the body's source when the Request holds one (see the file comment). */
export function requestText(request: Request): Promise<string> {
  // A light request's text() is this module's fast path already.
  if (isLightRequest(request)) return request.text();
  if (taken.has(request)) return Promise.reject(usedUp());
  const text = peekRequestText(request);
  if (text === undefined) return request.text();
  if (request.body !== null) taken.add(request);
  return Promise.resolve(text);
}

/**
 * What `request.clone().text()` would give, without cloning (a tee of the body stream) and without using the
 * body up; undefined when the Request holds no string or bytes source, or its body was read.
 */
export function peekRequestText(request: Request): string | undefined {
  if (isLightRequest(request)) return peekLightText(request);
  if (taken.has(request) || request.bodyUsed) return undefined;
  if (request.body === null) return '';
  const source = sourceOf(request);
  return source === undefined ? undefined : sourceText(source);
}

/** The body's size in UTF-8 bytes and its text, as `arrayBuffer()` then decoding would give them. */
export async function requestBytesAndText(request: Request): Promise<{ size: number; text: string }> {
  const light = takeLightSource(request);
  if (light !== undefined) return { size: Buffer.byteLength(light, 'utf8'), text: stringBodyDecoded(light) };
  if (taken.has(request)) throw usedUp();
  if (!request.bodyUsed && request.body !== null) {
    const source = sourceOf(request);
    if (source !== undefined) {
      taken.add(request);
      // A lone surrogate counts 3 bytes, as the U+FFFD its encoding writes.
      return { size: typeof source === 'string' ? Buffer.byteLength(source, 'utf8') : source.byteLength, text: sourceDecoded(source) };
    }
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  return { size: bytes.length, text: UTF8.decode(bytes) };
}
