// Bad input over the wire gets the real systems' answers from `sync-sim serve`, and the server keeps
// serving: malformed JSON, wrong content types, bodies and URIs past the real limits, unknown paths,
// missing auth; plus keep-alive and concurrent clients.
import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT, startServe, SYNC_USER, VERSION, type ServedChild } from './harness.ts';

let served: ServedChild;
let sfToken: string;
let mktoToken: string;

beforeAll(async () => {
  served = await startServe();
  const sf = await fetch(`${served.origin}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, username: SYNC_USER.username, password: SYNC_USER.password }),
  });
  sfToken = ((await sf.json()) as { access_token: string }).access_token;
  const mk = await fetch(`${served.origin}/identity/oauth/token?grant_type=client_credentials&client_id=syncsim&client_secret=syncsim-secret`);
  mktoToken = ((await mk.json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await served?.stop();
});

const sfUrl = (path: string) => `${served.origin}/services/data/v${VERSION}${path}`;
const sfAuth = () => ({ Authorization: `Bearer ${sfToken}` });
const mkAuth = () => ({ Authorization: `Bearer ${mktoToken}` });

async function stillServing(): Promise<void> {
  const res = await fetch(`${served.origin}/services/data`);
  expect(res.status).toBe(200);
}

describe('malformed input', () => {
  it('Salesforce: malformed JSON is 400 JSON_PARSER_ERROR', async () => {
    const res = await fetch(sfUrl('/sobjects/Lead'), { method: 'POST', headers: { ...sfAuth(), 'content-type': 'application/json' }, body: '{"LastName": ' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(((await res.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('JSON_PARSER_ERROR');
    await stillServing();
  });

  it('Marketo: malformed JSON is 609, a wrong content type 612, both in an HTTP 200 envelope', async () => {
    const bad = await fetch(`${served.origin}/rest/v1/leads.json`, { method: 'POST', headers: { ...mkAuth(), 'content-type': 'application/json' }, body: '{"input": [' });
    expect(bad.status).toBe(200);
    expect(((await bad.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('609');
    const type = await fetch(`${served.origin}/rest/v1/leads.json`, { method: 'POST', headers: { ...mkAuth(), 'content-type': 'text/plain' }, body: '{"input": []}' });
    expect(((await type.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('612');
    await stillServing();
  });

  it('SOAP: an unreadable envelope is a soapenv:Client fault in XML', async () => {
    const res = await fetch(`${served.origin}/services/Soap/u/${VERSION}`, { method: 'POST', headers: { 'content-type': 'text/xml', SOAPAction: 'login' }, body: '<not-xml' });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await res.text()).toContain('soapenv:Client');
  });

  it('the control API: malformed JSON is 400, a wrong content type 415, in JSON', async () => {
    const bad = await fetch(`${served.origin}/__syncsim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_JSON');
    const type = await fetch(`${served.origin}/__syncsim/faults`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' });
    expect(type.status).toBe(415);
  });
});

describe('the real size limits', () => {
  it('Marketo: a body over 1 MB is HTTP 413; one just under is read', async () => {
    const big = JSON.stringify({ input: [{ email: 'big@served.test', comments: 'x'.repeat(1024 * 1024) }] });
    const res = await fetch(`${served.origin}/rest/v1/leads.json`, { method: 'POST', headers: { ...mkAuth(), 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    const under = JSON.stringify({ input: [{ email: 'under@served.test', lastName: 'y'.repeat(100) }], pad: 'z'.repeat(1000 * 1000) });
    const ok = await fetch(`${served.origin}/rest/v1/leads.json`, { method: 'POST', headers: { ...mkAuth(), 'content-type': 'application/json' }, body: under });
    expect(ok.status).toBe(200);
    await stillServing();
  });

  it('Marketo: a URI over 8 KB is HTTP 414', async () => {
    const res = await fetch(`${served.origin}/rest/v1/leads.json?filterType=email&filterValues=${'a'.repeat(8 * 1024)}`, { headers: mkAuth() });
    expect(res.status).toBe(414);
  });

  it('Salesforce: a URI over 16,384 bytes is 414, URI and headers over it together 431; 10 KB is served', async () => {
    const soql = (n: number) => encodeURIComponent(`SELECT Id FROM Lead WHERE LastName = '${'q'.repeat(n)}'`);
    const ok = await fetch(sfUrl(`/query?q=${soql(10_000)}`), { headers: sfAuth() });
    expect(ok.status).toBe(200);
    const tooLong = await fetch(sfUrl(`/query?q=${soql(17_000)}`), { headers: sfAuth() });
    expect(tooLong.status).toBe(414);
    const withHeaders = await fetch(sfUrl(`/query?q=${soql(10_000)}`), { headers: { ...sfAuth(), 'x-padding': 'p'.repeat(7_000) } });
    expect(withHeaders.status).toBe(431);
    await stillServing();
  });

  it('a body over 50 MB is refused with 413 before any endpoint reads it; a 2 MB Salesforce body is read', async () => {
    const huge = new Uint8Array(50 * 1024 * 1024 + 1).fill(0x20);
    const res = await fetch(sfUrl('/sobjects/Lead'), { method: 'POST', headers: { ...sfAuth(), 'content-type': 'application/json' }, body: huge });
    expect(res.status).toBe(413);
    const twoMb = await fetch(sfUrl('/sobjects/Lead'), {
      method: 'POST',
      headers: { ...sfAuth(), 'content-type': 'application/json' },
      body: JSON.stringify({ LastName: 'Big', Company: 'Co', Description: 'd'.repeat(2 * 1024 * 1024) }),
    });
    expect(twoMb.status).toBe(400);
    expect(((await twoMb.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('STRING_TOO_LONG');
    await stillServing();
  });
});

describe('unknown paths and missing auth', () => {
  it('unknown paths: Salesforce 404 NOT_FOUND under /services, Marketo 610 under /rest, a JSON 404 elsewhere', async () => {
    const sfApi = await fetch(sfUrl('/nothing/here'), { headers: sfAuth() });
    expect(sfApi.status).toBe(404);
    expect(((await sfApi.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('NOT_FOUND');
    const sfOther = await fetch(`${served.origin}/services/nothing`);
    expect(sfOther.status).toBe(404);
    const mk = await fetch(`${served.origin}/rest/v1/nothing.json`, { headers: mkAuth() });
    expect(((await mk.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('610');
    const other = await fetch(`${served.origin}/favicon.ico`);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toMatch(/^application\/json/);
    expect(other.headers.get('x-powered-by')).toBeNull();
  });

  it('missing auth: Salesforce 401 INVALID_SESSION_ID, Marketo 601, OAuth without a grant 400', async () => {
    const sf = await fetch(sfUrl('/sobjects'));
    expect(sf.status).toBe(401);
    expect(((await sf.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('INVALID_SESSION_ID');
    const mk = await fetch(`${served.origin}/rest/v1/activities/types.json`);
    expect(((await mk.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('601');
    const oauth = await fetch(`${served.origin}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams({ client_id: 'syncsim' }) });
    expect(oauth.status).toBe(400);
    expect(((await oauth.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  it('a client that hangs up mid-request or sends garbage does not stop the server', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(served.port, '127.0.0.1', () => {
        socket.write(`POST /services/data/v${VERSION}/sobjects/Lead HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"LastName":`);
        socket.destroy();
        resolve();
      });
    });
    const garbage = await new Promise<string>((resolve) => {
      const socket = connect(served.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('close', () => resolve(got));
    });
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    await stillServing();
  });
});

describe('connections', () => {
  it('keeps connections alive: two requests on one socket', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ reused: boolean; status: number; connection: string | undefined }>((resolve, reject) => {
        const req = httpRequest(`${served.origin}/services/data`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ reused: req.reusedSocket, status: res.statusCode ?? 0, connection: res.headers.connection }));
        });
        req.on('error', reject);
        req.end();
      });
    const first = await get();
    const second = await get();
    agent.destroy();
    expect(first).toMatchObject({ status: 200, reused: false, connection: 'keep-alive' });
    expect(second).toMatchObject({ status: 200, reused: true });
  });

  it('serves concurrent clients: 40 creates at once, 40 distinct ids, all queryable', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(sfUrl('/sobjects/Lead'), { method: 'POST', headers: { ...sfAuth(), 'content-type': 'application/json' }, body: JSON.stringify({ LastName: `Par${i}`, Company: 'Parallel' }) }).then(
          async (r) => ({ status: r.status, body: (await r.json()) as { id: string } }),
        ),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(40);
    const q = await fetch(sfUrl(`/query?q=${encodeURIComponent("SELECT COUNT() FROM Lead WHERE Company = 'Parallel'")}`), { headers: sfAuth() });
    expect(((await q.json()) as { totalSize: number }).totalSize).toBe(40);
  });
});
