/**
 * mocks/text-response.ts: the emulators answer with a Response that holds
 * its text without a body stream until one is asked for. Whatever a client
 * does with it must go as with a plain Response of the same text.
 */
import { describe, expect, it } from 'vitest';
import { heldText, textResponse } from '../../mocks/text-response.ts';

const TEXT = '{"a":"é ✓","n":[1,2,3]}';
const INIT = { status: 201, statusText: 'Created', headers: { 'Content-Type': 'application/json;charset=UTF-8', 'X-One': '1' } };
const pair = (): Array<[string, Response]> => [
  ['plain', new Response(TEXT, INIT)],
  ['text', textResponse(TEXT, INIT)],
];

async function streamText(body: ReadableStream<Uint8Array> | null): Promise<string> {
  return body === null ? '<null>' : new Response(body).text();
}

describe('textResponse', () => {
  it('is a Response with the same status, status text, headers and body, whichever way it is read', async () => {
    const reads: Array<[string, (r: Response) => Promise<unknown>]> = [
      ['text', (r) => r.text()],
      ['json', (r) => r.json()],
      ['arrayBuffer', async (r) => [...new Uint8Array(await r.arrayBuffer())]],
      ['blob', async (r) => [(await r.blob()).size, await (await r.blob().catch(() => new Blob([]))).text()]],
      ['bytes', async (r) => [...(await (r as Response & { bytes(): Promise<Uint8Array> }).bytes())]],
      ['body', (r) => streamText(r.body)],
      ['clone', async (r) => [await r.clone().text(), await r.text()]],
    ];
    for (const [name, read] of reads) {
      const seen: Record<string, unknown> = {};
      for (const [kind, r] of pair()) {
        expect(r).toBeInstanceOf(Response);
        const head = { status: r.status, statusText: r.statusText, ok: r.ok, type: r.type, headers: [...r.headers], used: r.bodyUsed };
        const value = await read(r).then((v) => ({ v }), (e: Error) => ({ error: `${e.name}: ${e.message}` }));
        seen[kind] = { head, value, usedAfter: r.bodyUsed };
      }
      expect({ name, ...seen }).toEqual({ name, plain: seen['plain'], text: seen['plain'] });
    }
  });

  it('refuses a second read and a clone after a read, as any Response does', async () => {
    for (const [, r] of pair()) {
      await r.text();
      await expect(r.text()).rejects.toThrow(TypeError);
      await expect(r.json()).rejects.toThrow(TypeError);
      await expect(r.arrayBuffer()).rejects.toThrow(TypeError);
      expect(() => r.clone()).toThrow(TypeError);
    }
    const r = textResponse('x', { status: 200 });
    const reader = r.body!.getReader();
    expect(r.bodyUsed).toBe(false);
    await reader.read();
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(TypeError);
  });

  it('gives each clone its own body', async () => {
    const r = textResponse(TEXT, INIT);
    const c = r.clone();
    expect(await c.json()).toEqual(JSON.parse(TEXT));
    expect(await r.text()).toBe(TEXT);
    expect([...c.headers]).toEqual([...r.headers]);
    expect(c.status).toBe(201);
  });

  it('heldText gives the text it was made with, read or not; nothing for another Response', async () => {
    const r = textResponse(TEXT, INIT);
    expect(heldText(r)).toBe(TEXT);
    await r.text();
    expect(heldText(r)).toBe(TEXT);
    expect(heldText(new Response(TEXT, INIT))).toBeUndefined();
  });
});
