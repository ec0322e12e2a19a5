/**
 * The Salesforce emulator answers with plain Responses (cheaper than msw's
 * HttpResponse, issue 8): a client must see exactly what HttpResponse gave
 * it before: status, status text, headers and body.
 */
import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { apiError, json, jsonText, noContent, statusTextOf, xml } from '../../../mocks/salesforce/handlers/respond.ts';
import { heldText } from '../../../mocks/text-response.ts';

async function seen(r: Response) {
  return { status: r.status, statusText: r.statusText, headers: [...r.headers], body: await r.text() };
}

describe('respond helpers', () => {
  it('answer as new HttpResponse(text, {status, headers}) does', async () => {
    const JSON_TYPE = 'application/json;charset=UTF-8';
    const pairs: Array<[Response, Response]> = [
      [json({ id: 'x', success: true, errors: [] }, 201), new HttpResponse('{"id":"x","success":true,"errors":[]}', { status: 201, headers: { 'Content-Type': JSON_TYPE } })],
      [jsonText('[1]'), new HttpResponse('[1]', { status: 200, headers: { 'Content-Type': JSON_TYPE } })],
      [json([], 300, { Location: '/a' }), new HttpResponse('[]', { status: 300, headers: { 'Content-Type': JSON_TYPE, Location: '/a' } })],
      [noContent(), new HttpResponse(null, { status: 204 })],
      [apiError(404, 'NOT_FOUND', 'gone'), new HttpResponse('[{"message":"gone","errorCode":"NOT_FOUND"}]', { status: 404, headers: { 'Content-Type': JSON_TYPE } })],
      [apiError(400, 'X', 'y', ['F']), new HttpResponse('[{"message":"y","errorCode":"X","fields":["F"]}]', { status: 400, headers: { 'Content-Type': JSON_TYPE } })],
      [xml('<a/>', 500), new HttpResponse('<a/>', { status: 500, headers: { 'Content-Type': 'text/xml;charset=UTF-8' } })],
    ];
    for (const [ours, msw] of pairs) expect(await seen(ours)).toEqual(await seen(msw));
    expect(statusTextOf(201)).toBe('Created');
    expect(statusTextOf(503)).toBe('Service Unavailable');
  });

  it('keeps the written text beside a JSON answer, and a later header does not leak into the next answer', async () => {
    const a = jsonText('{"a":1}');
    expect(heldText(a)).toBe('{"a":1}');
    a.headers.set('Sforce-Limit-Info', 'api-usage=1/10');
    expect(json({}).headers.get('Sforce-Limit-Info')).toBeNull();
    expect(noContent().headers.has('content-type')).toBe(false);
  });
});
