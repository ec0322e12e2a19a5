/** DESIGN §1.12 and §4 "Writes are batched": 1,000 leads in batches of 200 (Salesforce) and 300 (Marketo), calls counted. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld } from '../../src/sim/world.ts';
import { sfWrites } from './helpers.ts';

afterAll(() => closeAllWorlds());

describe('1,000 leads', () => {
  it('reach Marketo in 4 calls of ≤300, and their Marketo edits reach Salesforce in 5 calls of 200', async () => {
    const w = createWorld();
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(w.salesforceUser.create('Lead', { LastName: `Lead${i}`, Company: 'Acme', Email: `l${i}@acme.test` }));

    const mk0 = w.instance.requestLog.length;
    const sf0 = w.org.requestLog.length;
    const [first] = await w.advance('1m');
    expect(first).toMatchObject({ ok: true, peopleCreated: 1000 });
    const creates = w.instance.requestLog.slice(mk0).filter((e) => e.method === 'POST' && e.path === '/rest/v1/leads.json');
    expect(creates.map((e) => e.records)).toEqual([300, 300, 300, 100]);
    // Salesforce: login, one Composite call describing both objects, then (no field set to poll with before the first
    // describe) one Composite call polling both (1,000 rows fit one 2,000-row page); no writes.
    expect(first!.sfCalls).toBe(3);
    expect(sfWrites(w, sf0)).toEqual([]);
    expect(w.instance.listPeople()).toHaveLength(1000);

    await w.advance('10m'); // the echo cycles settle
    const people = w.instance.listPeople();
    for (const p of people) w.marketoUser.update(p.id, { title: 'Buyer' });
    const sf1 = w.org.requestLog.length;
    const mk1 = w.instance.requestLog.length;
    const [cycle] = await w.advance('5m');
    expect(cycle).toMatchObject({ ok: true, sfUpdated: 1000 });
    const updates = sfWrites(w, sf1);
    expect(updates.map((e) => e.records)).toEqual([200, 200, 200, 200, 200]);
    expect(ids.every((id) => w.org.get('Lead', id)?.Title === 'Buyer')).toBe(true);
    // Marketo: the change feed, then the changed people read 300 at a time.
    const reads = w.instance.requestLog.slice(mk1).filter((e) => e.operation === 'getLeads');
    expect(reads.map((e) => e.records)).toEqual([300, 300, 300, 100]);
    // Salesforce: the describes and polls (one Composite call), then the 5 updates; no reads by id (the ancestor stands in for unchanged rows).
    expect(cycle!.sfCalls).toBe(1 + 5);
    console.log(`1,000 Marketo edits → Salesforce: ${cycle!.sfCalls} Salesforce calls, ${cycle!.mktoCalls} Marketo calls`);
  });
});
