/**
 * A Response whose body is a string held as it is, for the emulators' own
 * answers (issue 8). A plain `new Response(text)` builds a web stream for
 * its body at once (most of its ~11 µs) and a reader pays again to pull the
 * bytes back through it (~30-45 µs for arrayBuffer()); an in-process client
 * reads each answer exactly once, whole.
 *
 * To a client it is the Response it would have been: same status, status
 * text, headers and bytes; `text()`, `json()` and `arrayBuffer()` answer
 * from the string, and whoever asks for anything else (`body` as a stream,
 * `blob()`, `formData()`, `bytes()`) gets it from a real Response built
 * then, which from that moment owns the body (used once, as any body).
 * Reading twice fails as it does on any Response.
 */
const ENCODER = new TextEncoder();

/**
 * The text's UTF-8 bytes in an ArrayBuffer of their own. Node's Buffer encodes a long string ~3x faster than
 * TextEncoder (a 110 KB Composite answer: ~30 µs against ~90 µs); a short one TextEncoder does faster, and
 * Buffer would take it from a shared pool. Both write a lone surrogate as U+FFFD.
 */
function utf8Bytes(text: string): ArrayBuffer {
  const bytes = text.length > 4096 ? Buffer.from(text, 'utf8') : ENCODER.encode(text);
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

type ResponseClass = new (body: null, init: ResponseInit) => object;

/**
 * The class for the Response global in force now. msw's interceptors replace `globalThis.Response` with a proxy
 * that records the headers a Response is made with (setupServer answers with those), so the class extends
 * whatever `Response` is at the time, as `new Response(...)` would use it.
 */
type TextClass = new (text: string, init: ResponseInit) => object;
const classes = new WeakMap<object, TextClass>();

/** Where a TextResponse keeps its text (a symbol, so that heldText can read it whatever class made it). */
const TEXT = Symbol('syncsim.textResponse.text');

/**
 * The text a TextResponse was made with, whether or not its body was read since (a Response's body never changes
 * once made); undefined for any other Response. The emulators read their own answers back with it (the Composite
 * resource, the request log) instead of a clone and a stream read.
 */
export function heldText(response: Response): string | undefined {
  return (response as { [TEXT]?: string })[TEXT];
}

/** A Response answering `text` (see the file comment). */
export function textResponse(text: string, init: ResponseInit): Response {
  const base = globalThis.Response as unknown as ResponseClass;
  let Text = classes.get(base);
  if (!Text) classes.set(base, (Text = textResponseClass(base)));
  return new Text(text, init) as unknown as Response;
}

// lib.dom declares Response's methods as properties, which a subclass may not redefine: the base is cast.
function textResponseClass(ResponseBase: ResponseClass): TextClass {
  return class TextResponse extends ResponseBase {
    readonly [TEXT]: string;
    #used = false;
    #real: Response | undefined;

    constructor(text: string, init: ResponseInit) {
      // No body stream now; the headers carry the content type the caller gives (undici would add text/plain).
      super(null, init);
      this[TEXT] = text;
    }

    get #self(): Response {
      return this as unknown as Response;
    }

    /** The real Response behind a stream-level use of the body; built once, with the same status and headers. */
    #materialized(): Response {
      if (!this.#real) {
        if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
        this.#real = new Response(this[TEXT], { status: this.#self.status, statusText: this.#self.statusText, headers: this.#self.headers });
      }
      return this.#real;
    }

    #take(): string {
      if (this.#used || this.#real?.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
      this.#used = true;
      return this[TEXT];
    }

    get body(): ReadableStream<Uint8Array> | null {
      if (this.#used) return null;
      return this.#materialized().body;
    }

    get bodyUsed(): boolean {
      return this.#used || (this.#real?.bodyUsed ?? false);
    }

    text(): Promise<string> {
      if (this.#real) return this.#real.text();
      try {
        return Promise.resolve(this.#take());
      } catch (err) {
        return Promise.reject(err);
      }
    }

    json(): Promise<unknown> {
      if (this.#real) return this.#real.json();
      try {
        return Promise.resolve(JSON.parse(this.#take()) as unknown);
      } catch (err) {
        return Promise.reject(err);
      }
    }

    arrayBuffer(): Promise<ArrayBuffer> {
      if (this.#real) return this.#real.arrayBuffer();
      try {
        return Promise.resolve(utf8Bytes(this.#take()));
      } catch (err) {
        return Promise.reject(err);
      }
    }

    blob(): Promise<Blob> {
      try {
        return this.#materialized().blob();
      } catch (err) {
        return Promise.reject(err);
      }
    }

    formData(): Promise<FormData> {
      try {
        return this.#materialized().formData();
      } catch (err) {
        return Promise.reject(err);
      }
    }

    bytes(): Promise<Uint8Array> {
      try {
        return (this.#materialized() as Response & { bytes(): Promise<Uint8Array> }).bytes();
      } catch (err) {
        return Promise.reject(err);
      }
    }

    clone(): Response {
      if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
      return textResponse(this[TEXT], { status: this.#self.status, statusText: this.#self.statusText, headers: new Headers(this.#self.headers) });
    }
  }
}
