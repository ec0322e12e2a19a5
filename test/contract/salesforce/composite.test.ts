import { describe, expect, it } from 'vitest';
import type { Connection } from 'jsforce';
import { raw, soapConnection, useSalesforce, VERSION } from './harness.ts';

const sf = useSalesforce();
const base = `/services/data/v${VERSION}`;

type Sub = { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string };

async function composite(body: unknown, given?: Connection): Promise<{ status: number; json: { compositeResponse: Sub[] } & Array<{ errorCode: string; message: string }> }> {
  const conn = given ?? (await soapConnection());
  const res = await raw(conn, 'POST', '/composite', JSON.stringify(body));
  return { status: res.status, json: (await res.json()) as never };
}

describe('POST /composite', () => {
  it('describes two objects in one call: the same bodies as direct describes, one API call, each subrequest logged', async () => {
    const conn = await soapConnection();
    const used = sf.org.apiUsage().used;
    const logged = sf.org.requestLog.length;
    const answer = (await conn.request({
      method: 'POST',
      url: '/composite',
      body: JSON.stringify({
        compositeRequest: [
          { method: 'GET', url: `${base}/sobjects/Lead/describe`, referenceId: 'Lead' },
          { method: 'GET', url: `${base}/sobjects/Contact/describe`, referenceId: 'Contact' },
        ],
      }),
      headers: { 'Content-Type': 'application/json' },
    })) as { compositeResponse: Sub[] };
    expect(sf.org.apiUsage().used).toBe(used + 1);
    expect(answer.compositeResponse.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([['Lead', 200], ['Contact', 200]]);
    const direct = await conn.describe('Lead');
    expect(answer.compositeResponse[0]!.body).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(sf.org.apiUsage().used).toBe(used + 2);
    // Logged as its two subrequests (reads), not as one POST.
    const entries = sf.org.requestLog.slice(logged, logged + 2);
    expect(entries.map((e) => [e.method, e.operation, e.path, e.composite])).toEqual([
      ['GET', 'describe', `${base}/sobjects/Lead/describe`, true],
      ['GET', 'describe', `${base}/sobjects/Contact/describe`, true],
    ]);
  });

  it('describe follows the sync user’s field permissions inside a composite too', async () => {
    sf.org.setAccess(sf.org.syncUser.id, 'Lead.Title', 'none');
    try {
      const { json } = await composite({ compositeRequest: [{ method: 'GET', url: `${base}/sobjects/Lead/describe`, referenceId: 'Lead' }] });
      const names = (json.compositeResponse[0]!.body as { fields: Array<{ name: string }> }).fields.map((f) => f.name);
      expect(names).not.toContain('Title');
      expect(names).toContain('Company');
    } finally {
      sf.org.setAccess(sf.org.syncUser.id, 'Lead.Title', 'edit');
    }
  });

  it('a failing subrequest answers with its own status and error array; the others still run (allOrNone false)', async () => {
    const { status, json } = await composite({
      compositeRequest: [
        { method: 'GET', url: `${base}/sobjects/Nope__c/describe`, referenceId: 'bad' },
        { method: 'GET', url: `${base}/query?q=${encodeURIComponent('SELECT Id FROM Lead LIMIT 1')}`, referenceId: 'q' },
      ],
    });
    expect(status).toBe(200);
    expect(json.compositeResponse[0]).toEqual({
      body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
      httpHeaders: {},
      httpStatusCode: 404,
      referenceId: 'bad',
    });
    expect(json.compositeResponse[1]).toMatchObject({ httpStatusCode: 200, referenceId: 'q', body: { done: true } });
  });

  it('references an earlier subrequest’s answer; allOrNone rolls every write back and halts the rest', async () => {
    const ok = await composite({
      compositeRequest: [
        { method: 'POST', url: `${base}/sobjects/Lead`, referenceId: 'newLead', body: { LastName: 'Ref', Company: 'Acme' } },
        { method: 'GET', url: `${base}/sobjects/Lead/@{newLead.id}?fields=LastName`, referenceId: 'readBack' },
      ],
    });
    const created = ok.json.compositeResponse[0]!;
    expect(created.httpStatusCode).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(created.httpHeaders.Location).toBe(`${base}/sobjects/Lead/${id}`);
    expect(ok.json.compositeResponse[1]).toMatchObject({ httpStatusCode: 200, body: { LastName: 'Ref', Id: id } });

    const before = sf.org.count('Lead');
    const rolled = await composite({
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `${base}/sobjects/Lead`, referenceId: 'good', body: { LastName: 'Kept?', Company: 'Acme' } },
        { method: 'POST', url: `${base}/sobjects/Lead`, referenceId: 'bad', body: { LastName: 'No company' } },
        { method: 'GET', url: `${base}/sobjects/Lead/describe`, referenceId: 'later' },
      ],
    });
    expect(sf.org.count('Lead')).toBe(before);
    expect(rolled.json.compositeResponse.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([['good', 400], ['bad', 400], ['later', 400]]);
    expect((rolled.json.compositeResponse[1]!.body as Array<{ errorCode: string }>)[0]!.errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect((rolled.json.compositeResponse[0]!.body as Array<{ errorCode: string }>)[0]!.errorCode).toBe('PROCESSING_HALTED');

    const dangling = await composite({
      compositeRequest: [
        { method: 'POST', url: `${base}/sobjects/Lead`, referenceId: 'fails', body: { LastName: 'No company' } },
        { method: 'GET', url: `${base}/sobjects/Lead/@{fails.id}`, referenceId: 'dependent' },
      ],
    });
    expect(dangling.json.compositeResponse[1]).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] });
  });

  it('refuses a malformed request as a whole with 400, naming the place, and logs it', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /compositeRequest is required/],
      [{ compositeRequest: [{ method: 'GET', url: `${base}/sobjects/Lead/describe` }] }, /compositeRequest\[0\]\.referenceId is required/],
      [{ compositeRequest: [{ method: 'get', url: `${base}/sobjects/Lead/describe`, referenceId: 'a' }] }, /compositeRequest\[0\]\.method/],
      [{ compositeRequest: [{ method: 'GET', url: `${base}/limits`, referenceId: 'a' }] }, /does not support/],
      [{ compositeRequest: [{ method: 'GET', url: '/services/data/v66.0/sobjects/Lead/describe', referenceId: 'a' }] }, /no later than/],
      [{ compositeRequest: Array.from({ length: 26 }, (_, i) => ({ method: 'GET', url: `${base}/sobjects/Lead/describe`, referenceId: `r${i}` })) }, /at most 25/],
      [{ compositeRequest: Array.from({ length: 6 }, (_, i) => ({ method: 'GET', url: `${base}/query?q=SELECT+Id+FROM+Lead`, referenceId: `q${i}` })) }, /at most 5 query/],
      [{ compositeRequest: [{ method: 'GET', url: `${base}/sobjects/Lead/describe`, referenceId: 'a' }, { method: 'GET', url: `${base}/sobjects/Lead/describe`, referenceId: 'a' }] }, /Duplicate referenceId a/],
    ];
    const conn = await soapConnection();
    for (const [body, message] of cases) {
      const logged = sf.org.requestLog.length;
      const { status, json } = await composite(body, conn);
      expect(status).toBe(400);
      expect(json[0]!.errorCode).toBe('INVALID_INPUT');
      expect(json[0]!.message).toMatch(message);
      expect(sf.org.requestLog.slice(logged).map((e) => [e.operation, e.status])).toEqual([['composite', 400]]);
    }
  });

  it('needs a session like any REST call', async () => {
    const res = await fetch(`https://x.my.salesforce.com${base}/composite`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });
});
