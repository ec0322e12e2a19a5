/**
 * How the jsforce fetch transport reads an answer: a textual UTF-8 answer as
 * text (an emulator's answer hands over the string it holds), anything else
 * as bytes. Either way HttpApi gets the same string, and a
 * `request(...).stream()` reader the answer's bytes.
 */
import { Connection } from 'jsforce';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { useFetchTransport, type JsforceTransport } from '../../src/engine/jsforce-fetch.ts';
import { inProcessFetch } from '../../src/sim/in-process-fetch.ts';

const INSTANCE = 'https://na1.salesforce.test';

/** A Connection over `handlers`; `reads` records which body reader the transport called on each answer. */
function connection(handlers: Parameters<typeof inProcessFetch>[0]) {
  const inner = inProcessFetch(handlers);
  const reads: string[] = [];
  const conn = new Connection({ instanceUrl: INSTANCE, accessToken: 'token-1', version: '59.0' });
  useFetchTransport((conn as unknown as { _transport: JsforceTransport })._transport, async (input, init) => {
    const res = await inner(input, init);
    for (const reader of ['text', 'arrayBuffer'] as const) {
      const own = res[reader].bind(res);
      (res as unknown as Record<string, unknown>)[reader] = () => (reads.push(reader), own());
    }
    return res;
  });
  return { conn, reads };
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe('jsforce fetch transport: reading the answer', () => {
  const record = { Id: '00Q1', LastName: 'Müller', Title: '総務部長 🎯', Company: 'Ünïcode & Co' };

  it('a JSON answer is read as text: multi-byte characters reach jsforce intact, and a stream reader gets its UTF-8 bytes', async () => {
    const json = JSON.stringify(record);
    const { conn, reads } = connection(() => [http.get('*/sobjects/Lead/:id', () => new HttpResponse(json, { headers: { 'Content-Type': 'application/json;charset=UTF-8' } }))]);
    const request = conn.request('/sobjects/Lead/00Q1');
    const streamed = collect(request.stream());
    expect(await request).toEqual(record);
    expect((await streamed).equals(Buffer.from(json, 'utf-8'))).toBe(true);
    expect(reads).toEqual(['text']);
  });

  it('an XML answer is read as text too, and parsed by jsforce', async () => {
    const { conn, reads } = connection(() => [
      http.get('*/x', () => new HttpResponse('<?xml version="1.0"?><r><name>Müller</name></r>', { headers: { 'Content-Type': 'text/xml' } })),
    ]);
    expect(await conn.request('/x')).toEqual({ r: { name: 'Müller' } });
    expect(reads).toEqual(['text']);
  });

  it('a binary answer keeps its bytes (no decoding on the way to a stream reader)', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]);
    const { conn, reads } = connection(() => [http.get('*/blob', () => new HttpResponse(bytes, { headers: { 'Content-Type': 'application/octet-stream' } }))]);
    const request = conn.request('/blob');
    const streamed = collect(request.stream());
    await request;
    expect((await streamed).equals(bytes)).toBe(true);
    expect(reads).toEqual(['arrayBuffer']);
  });

  it('an encoding other than UTF-8 in the options decodes the bytes with it', async () => {
    const latin1 = Buffer.from('Müller', 'latin1');
    const { conn, reads } = connection(() => [http.get('*/latin', () => new HttpResponse(latin1, { headers: { 'Content-Type': 'text/plain' } }))]);
    expect(await conn.request('/latin', { encoding: 'latin1' } as never)).toBe('Müller');
    expect(reads).toEqual(['arrayBuffer']);
  });

  it('a textual error answer still becomes jsforce\'s error', async () => {
    const { conn, reads } = connection(() => [
      http.get('*/gone', () => HttpResponse.json([{ errorCode: 'NOT_FOUND', message: 'Ünknown record' }], { status: 404 })),
    ]);
    await expect(conn.request('/gone')).rejects.toMatchObject({ errorCode: 'NOT_FOUND', message: 'Ünknown record' });
    expect(reads).toEqual(['text']);
  });

  it('a stream reader that starts only after the request resolved still gets every byte', async () => {
    const json = JSON.stringify(record);
    const { conn } = connection(() => [http.get('*/late', () => new HttpResponse(json, { headers: { 'Content-Type': 'application/json' } }))]);
    const request = conn.request('/late');
    expect(await request).toEqual(record);
    await new Promise((resolve) => setImmediate(resolve)); // let every queued tick run first
    expect((await collect(request.stream())).toString('utf-8')).toBe(json);
  });

  it("no bytes go into HttpApi's stream while nobody reads it", async () => {
    const { conn } = connection(() => [http.get('*/unread', () => HttpResponse.json(record))]);
    const request = conn.request('/unread');
    const stream = request.stream() as unknown as NodeJS.ReadableStream & { readableLength: number; readableEnded: boolean };
    expect(await request).toEqual(record);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.readableLength).toBe(0);
    // And they are there once it is read.
    expect(JSON.parse((await collect(stream)).toString('utf-8'))).toEqual(record);
  });
});
