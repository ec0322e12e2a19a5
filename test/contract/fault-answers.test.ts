// The fault front's answers are built without msw's HttpResponse.json: they must be the ones it would make
// (status, status text, headers, body), and a lock must still count the records a write names.
import { http, HttpResponse, type RequestHandler } from 'msw';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../mocks/dispatch.ts';
import { FaultPlan, withFaults, type FaultKind, type FaultSystem } from '../../mocks/faults.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { Rng } from '../../src/sim/rng.ts';

const SF = 'https://na1.my.salesforce.com/services/data/v59.0';
const MK = 'https://123-ABC-456.mktorest.com/rest/v1';
const SF_JSON = { 'Content-Type': 'application/json;charset=UTF-8' };

const real: RequestHandler[] = [http.all('*', () => HttpResponse.json({ real: true }))];

async function snapshot(r: Response | undefined) {
  if (!r) return undefined;
  return { status: r.status, statusText: r.statusText, headers: [...r.headers], body: await r.text() };
}

async function faulted(system: FaultSystem, kind: FaultKind, request: Request) {
  const plan = new FaultPlan(new VirtualClock(), new Rng(1));
  plan.add({ system, kind, times: 1 });
  const [front] = withFaults(system, real, plan);
  const answer = await dispatch([front!], request);
  return { answer: await snapshot(answer), fired: plan.fired };
}

const write = (path: string, body: unknown, method = 'PATCH') =>
  new Request(`${SF}${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('fault answers are what HttpResponse.json makes', () => {
  const lockError = { statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record', fields: [] };
  const cases: Array<[string, FaultSystem, FaultKind, () => Request, () => Response]> = [
    ['Salesforce unavailable', 'salesforce', 'unavailable', () => new Request(`${SF}/query?q=x`), () =>
      HttpResponse.json([{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' }], { status: 503, headers: SF_JSON })],
    ['Salesforce rate limit', 'salesforce', 'rate-limit', () => new Request(`${SF}/query?q=x`), () =>
      HttpResponse.json([{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' }], { status: 403, headers: SF_JSON })],
    ['Salesforce quota', 'salesforce', 'quota', () => new Request(`${SF}/query?q=x`), () =>
      HttpResponse.json([{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }], { status: 403, headers: SF_JSON })],
    ['a lock on a collection update (records in the body)', 'salesforce', 'lock', () => write('/composite/sobjects', { allOrNone: false, records: [{}, {}, {}] }), () =>
      HttpResponse.json([0, 1, 2].map(() => ({ success: false, errors: [lockError] })), { status: 200, headers: SF_JSON })],
    ['a lock on a collection delete (ids in the query)', 'salesforce', 'lock', () => new Request(`${SF}/composite/sobjects?ids=a,b&allOrNone=false`, { method: 'DELETE' }), () =>
      HttpResponse.json([0, 1].map(() => ({ success: false, errors: [lockError] })), { status: 200, headers: SF_JSON })],
    ['a lock on a single-record write', 'salesforce', 'lock', () => write('/sobjects/Lead/00Q000000000001', { Title: 'ü' }), () =>
      HttpResponse.json([{ errorCode: 'UNABLE_TO_LOCK_ROW', message: lockError.message, fields: [] }], { status: 400, headers: SF_JSON })],
    ['an expired Salesforce session (no hook)', 'salesforce', 'session-expired', () => new Request(`${SF}/query?q=x`), () =>
      HttpResponse.json([{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }], { status: 401, headers: SF_JSON })],
    ['Marketo unavailable', 'marketo', 'unavailable', () => new Request(`${MK}/leads.json?filterType=id&filterValues=1`), () =>
      HttpResponse.json({ requestId: 'fault#1', success: false, errors: [{ code: '608', message: 'API Temporarily Unavailable' }] })],
    ['Marketo rate limit', 'marketo', 'rate-limit', () => new Request(`${MK}/leads.json`), () =>
      HttpResponse.json({ requestId: 'fault#1', success: false, errors: [{ code: '606', message: "Max rate limit '100' exceeded with in '20' secs" }] })],
    ['an expired Marketo token', 'marketo', 'session-expired', () => new Request(`${MK}/leads.json`), () =>
      HttpResponse.json({ requestId: 'fault#0', success: false, errors: [{ code: '602', message: 'Access token expired' }] })],
  ];

  it.each(cases)('%s', async (_, system, kind, request, expected) => {
    const { answer, fired } = await faulted(system, kind, request());
    expect(answer).toEqual(await snapshot(expected()));
    expect(fired).toHaveLength(1);
    expect(fired[0]!.path).toBe(new URL(request().url).pathname);
  });

  it('a lock leaves a read-only Composite call alone, and the body for the real handler', async () => {
    const plan = new FaultPlan(new VirtualClock(), new Rng(1));
    plan.add({ system: 'salesforce', kind: 'lock' });
    let seen = '';
    const [front] = withFaults('salesforce', [http.post('*/composite', async ({ request }) => {
      seen = await request.text();
      return HttpResponse.json({ compositeResponse: [] });
    })], plan);
    const body = JSON.stringify({ compositeRequest: [{ method: 'GET', url: '/services/data/v59.0/sobjects/Lead/describe', referenceId: 'd' }] });
    const answer = await dispatch([front!], new Request(`${SF}/composite`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }));
    expect(await answer?.json()).toEqual({ compositeResponse: [] });
    expect(seen).toBe(body);
    expect(plan.fired).toHaveLength(0);
  });
});
