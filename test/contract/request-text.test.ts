// requestText / requestBytesAndText must give exactly what the body's own text() / arrayBuffer() give.
import { describe, expect, it } from 'vitest';
import { peekRequestText, requestBytesAndText, requestText } from '../../mocks/request-text.ts';

type BodyInit = NonNullable<RequestInit['body']>;

const URL_ = 'https://x.my.salesforce.com/services/data/v60.0/sobjects/Lead';

function post(body: BodyInit | null | undefined, init: RequestInit = {}): Request {
  // duplex: Node's fetch asks for it with a stream body.
  return new Request(URL_, { method: 'POST', ...(body !== undefined ? { body } : {}), duplex: 'half', ...init } as RequestInit);
}

function streamOf(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(text));
      c.close();
    },
  });
}

const bodies: Array<[string, () => BodyInit | null]> = [
  ['a JSON string', () => '{"LastName":"Ng","Company":"Acme"}'],
  ['non-ASCII text', () => '{"LastName":"Müller – 李 😀"}'],
  ['a lone surrogate (becomes U+FFFD)', () => 'a\uD800b\uDC00c'],
  ['a leading byte-order mark (dropped)', () => '\uFEFF{"a":1}'],
  ['three leading byte-order marks (text() drops two, a decoder one)', () => '\uFEFF\uFEFF\uFEFF{"a":1}'],
  ['an empty string', () => ''],
  ['bytes', () => new TextEncoder().encode('{"b":"é"}')],
  ['bytes with a byte-order mark and an invalid sequence', () => new Uint8Array([0xef, 0xbb, 0xbf, 0x41, 0xff, 0x42])],
  ['bytes with two byte-order marks', () => new Uint8Array([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x41])],
  ['URLSearchParams', () => new URLSearchParams({ grant_type: 'password', username: 'a b@c' })],
  ['a stream', () => streamOf('{"streamed":true}')],
  ['no body', () => null],
];

describe('requestText', () => {
  it.each(bodies)('gives what text() gives for %s', async (_, make) => {
    const expected = await post(make()).text();
    expect(await requestText(post(make()))).toBe(expected);
  });

  it('gives what text() gives for a Request copied from another', async () => {
    const copy = () => new Request(post('{"copied":1}'), { headers: { 'X-A': '1' } });
    expect(await requestText(copy())).toBe(await copy().text());
  });

  it('reads a body once: a second read fails as text() does', async () => {
    const r = post('{"a":1}');
    expect(await requestText(r)).toBe('{"a":1}');
    await expect(requestText(r)).rejects.toThrow(TypeError);
    const s = post(streamOf('x'));
    expect(await requestText(s)).toBe('x');
    await expect(requestText(s)).rejects.toThrow(TypeError);
  });

  it('fails for a body already read through text()', async () => {
    const r = post('{"a":1}');
    await r.text();
    await expect(requestText(r)).rejects.toThrow(TypeError);
  });

  it('leaves a clone readable, and reads a clone', async () => {
    const r = post('{"a":1}');
    const c = r.clone();
    expect(await requestText(r)).toBe('{"a":1}');
    expect(await c.text()).toBe('{"a":1}');
    expect(await requestText(post('{"b":2}').clone())).toBe('{"b":2}');
  });
});

describe('requestBytesAndText', () => {
  it.each(bodies)('gives the byte size and decoded text of arrayBuffer() for %s', async (_, make) => {
    const bytes = new Uint8Array(await post(make()).arrayBuffer());
    expect(await requestBytesAndText(post(make()))).toEqual({ size: bytes.length, text: new TextDecoder().decode(bytes) });
  });

  it('reads a body once', async () => {
    const r = post('{"a":1}');
    await requestBytesAndText(r);
    await expect(requestBytesAndText(r)).rejects.toThrow(TypeError);
    await expect(requestText(r)).rejects.toThrow(TypeError);
  });
});

describe('the fast path', () => {
  it('reads a string body from its source, leaving the stream unread (what makes it cheap)', async () => {
    const r = post('{"a":1}');
    await requestText(r);
    expect(r.bodyUsed).toBe(false);
  });
});

describe('peekRequestText', () => {
  it.each(bodies)('gives what clone().text() gives for %s (or nothing), and leaves the body to read', async (_, make) => {
    const r = post(make());
    const peeked = peekRequestText(r);
    const expected = await post(make()).text();
    if (peeked !== undefined) expect(peeked).toBe(expected);
    expect(await requestText(r)).toBe(expected);
    // A body read is gone (a request without one has none to use up).
    expect(peekRequestText(r)).toBe(r.body === null ? '' : undefined);
  });

  it('peeks a string body without its stream', () => {
    expect(peekRequestText(post('{"a":1}'))).toBe('{"a":1}');
  });
});
