import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultPlan, withFaults } from '../../mocks/faults.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { Rng } from '../../src/sim/rng.ts';

// Stand-in emulators: they count the writes they commit, which is what
// timeout-after-commit must prove happened.
let committed = 0;
let sessionsExpired = 0;
const sfHandlers = [
  http.get('*/services/data/v59.0/query', () => HttpResponse.json({ totalSize: 0, done: true, records: [] })),
  http.patch('*/services/data/v59.0/composite/sobjects', () => {
    committed++;
    return HttpResponse.json([{ id: '00Q000000000001AAA', success: true, errors: [] }]);
  }),
  http.post('*/services/data/v59.0/sobjects/Lead', () => {
    committed++;
    return HttpResponse.json({ id: '00Q000000000001AAA', success: true, errors: [] }, { status: 201 });
  }),
];
const mktoHandlers = [http.get('*/rest/v1/leads.json', () => HttpResponse.json({ requestId: 'x#1', success: true, result: [] }))];

const clock = new VirtualClock();
const plan = new FaultPlan(clock, new Rng(1));
const server = setupServer(
  ...withFaults('salesforce', sfHandlers, plan, { expireSessions: () => sessionsExpired++ }),
  ...withFaults('marketo', mktoHandlers, plan),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  plan.clear();
  committed = 0;
});

type Envelope = { success: boolean; errors: Array<{ code: string }> };
const SF = 'https://na1.my.salesforce.com/services/data/v59.0';
const MK = 'https://123-ABC-456.mktorest.com/rest/v1';
const patchBatch = (n: number) =>
  fetch(`${SF}/composite/sobjects`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ allOrNone: false, records: Array.from({ length: n }, (_, i) => ({ id: `00Q00000000000${i}`, attributes: { type: 'Lead' } })) }),
  });

describe('fault plan', () => {
  it('passes requests through when no fault is on', async () => {
    const res = await fetch(`${SF}/query?q=SELECT+Id+FROM+Lead`);
    expect(res.status).toBe(200);
    expect(((await (await fetch(`${MK}/leads.json`)).json()) as { success: boolean }).success).toBe(true);
  });

  it('answers 503 SERVER_UNAVAILABLE for `times` requests, then recovers', async () => {
    plan.add({ system: 'salesforce', kind: 'unavailable', times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${SF}/query?q=x`)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(plan.fired.filter((f) => f.kind === 'unavailable')).toHaveLength(2);
  });

  it('ends a fault after its duration on the virtual clock', async () => {
    plan.add({ system: 'salesforce', kind: 'unavailable', forMs: 60_000 });
    expect((await fetch(`${SF}/query?q=x`)).status).toBe(503);
    clock.advanceBy(60_000);
    expect((await fetch(`${SF}/query?q=x`)).status).toBe(200);
  });

  it('timeout fails before the server acts; timeout-after-commit after it committed', async () => {
    plan.add({ system: 'salesforce', kind: 'timeout', times: 1 });
    await expect(patchBatch(1)).rejects.toThrow();
    expect(committed).toBe(0);
    plan.add({ system: 'salesforce', kind: 'timeout-after-commit', times: 1 });
    await expect(patchBatch(1)).rejects.toThrow();
    expect(committed).toBe(1);
  });

  it('locks every record of a collection write but leaves reads alone', async () => {
    plan.add({ system: 'salesforce', kind: 'lock', times: 1 });
    expect((await fetch(`${SF}/query?q=x`)).status).toBe(200);
    const res = await patchBatch(3);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
    expect(body.map((r) => r.errors[0]!.statusCode)).toEqual(['UNABLE_TO_LOCK_ROW', 'UNABLE_TO_LOCK_ROW', 'UNABLE_TO_LOCK_ROW']);
    expect(committed).toBe(0);
  });

  it('a single-record lock is a 400 with one error object', async () => {
    plan.add({ system: 'salesforce', kind: 'lock', times: 1 });
    const res = await fetch(`${SF}/sobjects/Lead`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual([{ errorCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record', fields: [] }]);
  });

  it('session-expired invalidates sessions through the hook', async () => {
    const before = sessionsExpired;
    plan.add({ system: 'salesforce', kind: 'session-expired', times: 1 });
    await fetch(`${SF}/query?q=x`);
    expect(sessionsExpired).toBe(before + 1);
  });

  it('Marketo faults are HTTP 200 envelopes with string codes', async () => {
    plan.add({ system: 'marketo', kind: 'rate-limit', times: 1 });
    plan.add({ system: 'marketo', kind: 'quota', times: 1 });
    const first = (await (await fetch(`${MK}/leads.json`)).json()) as Envelope;
    const second = (await (await fetch(`${MK}/leads.json`)).json()) as Envelope;
    expect(first.success).toBe(false);
    expect(first.errors[0].code).toBe('606');
    expect(second.errors[0].code).toBe('607');
    // Marketo faults never touch Salesforce paths.
    expect((await fetch(`${SF}/query?q=x`)).status).toBe(200);
  });

  it('fires by probability from the seeded RNG: same seed, same requests hit', async () => {
    const pattern = async (seed: number) => {
      const p = new FaultPlan(new VirtualClock(), new Rng(seed));
      p.add({ system: 'salesforce', kind: 'unavailable', probability: 0.5 });
      const req = new Request(`${SF}/query?q=x`);
      return Array.from({ length: 32 }, () => (p.decide('salesforce', req, false, false) ? 1 : 0)).join('');
    };
    expect(await pattern(9)).toBe(await pattern(9));
    expect(await pattern(9)).not.toBe(await pattern(10));
    expect((await pattern(9)).includes('1')).toBe(true);
    expect((await pattern(9)).includes('0')).toBe(true);
  });
});
