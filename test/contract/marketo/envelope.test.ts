import { describe, expect, it } from 'vitest';
import { BASE, errorEnvelope, marketoHarness, REQUEST_ID } from './harness.ts';

const m = marketoHarness();

describe('Marketo envelope and request-level errors', () => {
  it('answers success with requestId, success and result, with unique deterministic request ids', async () => {
    const a = await m.get('/rest/v1/leads.json', { filterType: 'email', filterValues: 'nobody@x.test' });
    const b = await m.get('/rest/v1/leads.json', { filterType: 'email', filterValues: 'nobody@x.test' });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ requestId: expect.stringMatching(REQUEST_ID), success: true, result: [] });
    expect(b.body.requestId).not.toBe(a.body.requestId);
  });

  it('answers HTTP 414 for a URI over 8 KB', async () => {
    const r = await m.get('/rest/v1/leads.json', { filterType: 'email', filterValues: 'a'.repeat(8200) });
    expect(r.status).toBe(414);
    expect(m.instance.requestLog.at(-1)).toMatchObject({ status: 414, success: false, errorCodes: ['414'] });
  });

  it('answers HTTP 413 for a body over 1 MB', async () => {
    const r = await m.post('/rest/v1/leads.json', { input: [{ email: 'a@x.test', address: 'x'.repeat(1024 * 1024) }] });
    expect(r.status).toBe(413);
  });

  it('answers 609 for a body that is not JSON', async () => {
    const r = await m.call('/rest/v1/leads.json', { method: 'POST', body: '{"input": [', contentType: 'application/json' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(errorEnvelope('609', 'Invalid JSON'));
  });

  it('answers 612 for a JSON endpoint called with another content type', async () => {
    const r = await m.call('/rest/v1/leads.json', { method: 'POST', body: '{"input":[{"email":"a@x.test"}]}', contentType: 'text/plain' });
    expect(r.body).toEqual(errorEnvelope('612', 'Invalid Content Type'));
    expect(m.instance.listPeople()).toEqual([]);
  });

  it('answers 605 for a method the endpoint does not support', async () => {
    const put = await m.call('/rest/v1/leads.json', { method: 'PUT', body: { input: [] } });
    expect(put.body).toEqual(errorEnvelope('605', 'HTTP Method not supported'));
    const getDelete = await m.get('/rest/v1/leads/delete.json');
    expect(getDelete.body).toEqual(errorEnvelope('605', 'HTTP Method not supported'));
    // 605 does not count against the quota (reference B3).
    expect(m.instance.limits.usage().today).toBe(0);
  });

  it('answers 610 for an unknown path', async () => {
    const r = await m.get('/rest/v1/nothing/here.json');
    expect(r.body).toEqual(errorEnvelope('610', 'Requested resource not found'));
    expect(m.instance.requestLog.at(-1)).toMatchObject({ operation: 'unknown', path: '/rest/v1/nothing/here.json', errorCodes: ['610'] });
  });

  it('answers 404 for an unknown identity path', async () => {
    const r = await fetch(`${BASE}/identity/oauth/other`);
    expect(r.status).toBe(404);
  });

  it('runs a POST with _method=GET and the query in a form body', async () => {
    m.instance.createPerson({ email: 'long@x.test', firstName: 'Long' });
    const t = await m.getToken();
    const r = await fetch(`${BASE}/rest/v1/leads.json?_method=GET`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ filterType: 'email', filterValues: 'long@x.test', fields: 'firstName' }).toString(),
    });
    const body = (await r.json()) as { success: boolean; result: unknown[] };
    expect(body.success).toBe(true);
    expect(body.result).toEqual([{ firstName: 'Long' }]);
  });

  it('never answers a 500 for malformed input', async () => {
    const bodies: unknown[] = [[], 'null', 42, { input: 'x' }, { input: [null, 7, 'a'] }, { action: 5, input: [{}] }, { lookupField: 3, input: [{}] }];
    for (const body of bodies) {
      const r = await m.post('/rest/v1/leads.json', body);
      expect(r.status).toBe(200);
      expect(r.body.requestId).toMatch(REQUEST_ID);
    }
    const weird = await m.post('/rest/v1/activities/external/type.json', { primaryAttribute: 'x' });
    expect(weird.body.success).toBe(false);
    expect(m.instance.requestLog.every((e) => e.status < 500)).toBe(true);
  });

  it('records what each request read and wrote in the request log', async () => {
    await m.post('/rest/v1/leads.json', { lookupField: 'email', input: [{ email: 'a@x.test', Title: 'CEO' }, { email: 'b@x.test', numberOfEmployees: 'many' }] });
    await m.get('/rest/v1/leads.json', { filterType: 'email', filterValues: 'a@x.test', fields: 'title,phone' });
    const [, sync, read] = m.instance.requestLog;
    expect(sync).toMatchObject({
      seq: expect.any(Number),
      at: '2026-01-05T09:00:00.000Z',
      method: 'POST',
      path: '/rest/v1/leads.json',
      operation: 'syncLeads',
      fieldsWritten: ['email', 'title', 'numberOfEmployees'],
      status: 200,
      success: true,
      errorCodes: ['1001'],
      records: 2,
    });
    expect(read).toMatchObject({ operation: 'getLeads', fieldsRead: ['email', 'title', 'phone'], records: 1 });
  });
});
