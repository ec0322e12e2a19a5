// A TextResponse's arrayBuffer(): the bytes a plain Response of the same text gives, short and long texts alike
// (long ones are encoded another way), lone surrogates and all; an ArrayBuffer of exactly those bytes.
import { describe, expect, it } from 'vitest';
import { textResponse } from '../../mocks/text-response.ts';

const INIT = { status: 200, statusText: 'OK', headers: { 'Content-Type': 'application/json;charset=UTF-8' } };

describe('textResponse arrayBuffer', () => {
  const texts: Array<[string, string]> = [
    ['short ASCII', '{"a":1}'],
    ['short non-ASCII with a lone surrogate', '{"a":"é \uD800 ✓ 😀"}'],
    ['just past the switch', 'x'.repeat(4097)],
    ['a long describe-sized answer', JSON.stringify({ fields: Array.from({ length: 2000 }, (_, i) => ({ name: `F${i}__c`, label: `Feld ${i} – ü` })) })],
    ['long with lone surrogates at the ends', `\uDC00${'ab😀'.repeat(3000)}\uD800`],
  ];
  it.each(texts)('%s', async (_, text) => {
    const got = await textResponse(text, INIT).arrayBuffer();
    const want = await new Response(text, INIT).arrayBuffer();
    expect(got).toBeInstanceOf(ArrayBuffer);
    expect(got.byteLength).toBe(want.byteLength);
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
  });
});
