/**
 * DESIGN §4 "State": an engine killed between any two requests and restarted
 * from its store loses and duplicates nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld, type World } from '../../src/sim/world.ts';
import { leadsWithEmail, mustPersonOf } from './helpers.ts';

afterAll(() => closeAllWorlds());

/** Two linked leads, then edits on both sides and a new lead, all waiting for the next cycle. */
async function busyWorld(mutant?: string): Promise<{ w: World; a: string; b: string; c: string; pa: number; pb: number }> {
  const w = createWorld(mutant ? { mutant } : {});
  const a = w.salesforceUser.create('Lead', { LastName: 'A', Company: 'Acme', Email: 'a@acme.test' });
  const b = w.salesforceUser.create('Lead', { LastName: 'B', Company: 'Acme', Email: 'b@acme.test' });
  await w.advance('5m');
  const pa = mustPersonOf(w, a).id;
  const pb = mustPersonOf(w, b).id;
  w.salesforceUser.update('Lead', a, { Title: 'CFO' });
  w.marketoUser.update(pa, { city: 'Boston' });
  w.marketoUser.update(pb, { phone: '+1 555 0102' });
  const c = w.salesforceUser.create('Lead', { LastName: 'C', Company: 'Acme', Email: 'c@acme.test' });
  return { w, a, b, c, pa, pb };
}

function requestCount(w: World): number {
  return w.org.requestLog.length + w.instance.requestLog.length;
}

describe('a crash between any two requests of a cycle, then a restart from the store', () => {
  it('loses nothing and duplicates nothing, wherever the crash falls', async () => {
    // How many requests does that cycle make?
    const dry = await busyWorld();
    const before = requestCount(dry.w);
    await dry.w.advance('5m');
    const n = requestCount(dry.w) - before;
    // The Composite's subrequests count one each (SetupAuditTrail, poll Contact, poll Lead: no describe in this cycle).
    expect(n).toBeGreaterThanOrEqual(8);

    for (let k = 0; k <= n; k++) {
      const { w, a, b, c, pa, pb } = await busyWorld();
      w.crashEngineAfter(k);
      await w.advance('5m'); // the cycle dies after k requests
      w.restartEngine();
      await w.advance('15m');
      const where = `crash after ${k} of ${n} requests`;
      expect(w.org.get('Lead', a), where).toMatchObject({ Title: 'CFO', City: 'Boston' });
      expect(w.instance.getPerson(pa), where).toMatchObject({ title: 'CFO', city: 'Boston' });
      expect(w.org.get('Lead', b)?.Phone, where).toBe('+1 555 0102');
      expect(w.instance.listPeople().filter((p) => p.sfdcLeadId === c), where).toHaveLength(1);
      expect(w.instance.listPeople(), where).toHaveLength(3);
      expect(w.org.count('Lead'), where).toBe(3);
      expect(w.instance.getPerson(pb)?.phone, where).toBe('+1 555 0102');
    }
  });

  it('(the check above catches an engine that moves its watermarks before the work is saved)', async () => {
    let lost = 0;
    // Requests 1-3 of that cycle are the describe-and-poll Composite, the change feed and the people read; the writes follow.
    for (let k = 3; k <= 6; k++) {
      const { w, b } = await busyWorld('watermark-before-write');
      w.crashEngineAfter(k);
      await w.advance('5m');
      w.restartEngine();
      await w.advance('15m');
      if (w.org.get('Lead', b)?.Phone !== '+1 555 0102') lost++;
    }
    expect(lost).toBeGreaterThan(0);
  });

  it('a crash right after Salesforce saved a Sync Person to SFDC create: the restarted engine finds the lead', async () => {
    const w = createWorld();
    await w.advance('1m');
    const p = w.marketoUser.create({ email: 'crash@test.test', lastName: 'Crash', company: 'Co' });
    // Requests of the flow action: describe Lead and Contact, person read, then the create; die right after the create
    // is answered.
    const before = w.org.requestLog.length;
    w.crashEngineAfter(4);
    const r = await w.syncPersonToSfdc(p.id);
    expect(r.outcome).not.toBe('created');
    expect(w.org.requestLog.length).toBeGreaterThan(before);
    expect(leadsWithEmail(w, 'crash@test.test')).toHaveLength(1); // Salesforce did save it
    w.restartEngine();
    await w.advance('5m');
    const again = await w.syncPersonToSfdc(p.id);
    expect(again.outcome === 'updated' || again.outcome === 'unchanged').toBe(true);
    expect(leadsWithEmail(w, 'crash@test.test')).toHaveLength(1);
    expect(w.instance.getPerson(p.id)?.sfdcLeadId).toBe(leadsWithEmail(w, 'crash@test.test')[0]!.Id);
  });
});

describe('a crash after Marketo made the person but before the engine saved the link', () => {
  it('a Marketo edit made meanwhile survives the restart: the person is adopted, not overwritten', async () => {
    let armed = false;
    let crashAt = -1;
    let seen = 0;
    const w: World = createWorld({
      onRequest: (r) => {
        if (!armed) return;
        seen++;
        if (r.system === 'marketo' && r.method === 'POST' && r.path === '/rest/v1/leads.json') crashAt = seen;
      },
    });
    const id = w.salesforceUser.create('Lead', { LastName: 'Adopt', Company: 'Acme', Title: 'Analyst' });
    // Dry run to find where the person create falls in the first cycle.
    armed = true;
    await w.advance('1s');
    armed = false;
    expect(crashAt).toBeGreaterThan(0);

    // Same world again, this time dying right after that request.
    const v = createWorld();
    const id2 = v.salesforceUser.create('Lead', { LastName: 'Adopt', Company: 'Acme', Title: 'Analyst' });
    expect(id2).toBe(id);
    v.crashEngineAfter(crashAt);
    await v.advance('1s');
    const person = mustPersonOf(v, id2);
    expect(v.store.snapshot()?.links[String(person.id)]).toBeUndefined(); // the link never reached the store
    v.marketoUser.update(person.id, { title: 'Director' });
    v.restartEngine();
    await v.advance('15m');
    expect(v.instance.listPeople()).toHaveLength(1);
    expect(v.instance.getPerson(person.id)?.title).toBe('Director');
    expect(v.org.get('Lead', id2)?.Title).toBe('Director');
  });

  it('a Salesforce edit made meanwhile survives too, beside a Marketo edit of another field', async () => {
    // Where the person create falls in the first cycle (the same dry run as above).
    let crashAt = -1;
    let seen = 0;
    const dry: World = createWorld({
      onRequest: (r) => {
        seen++;
        if (r.system === 'marketo' && r.method === 'POST' && r.path === '/rest/v1/leads.json') crashAt = seen;
      },
    });
    dry.salesforceUser.create('Lead', { LastName: 'Adopt', Company: 'Acme', Title: 'Analyst' });
    await dry.advance('1s');
    expect(crashAt).toBeGreaterThan(0);

    const v = createWorld();
    const id = v.salesforceUser.create('Lead', { LastName: 'Adopt', Company: 'Acme', Title: 'Analyst' });
    v.crashEngineAfter(crashAt);
    await v.advance('1s');
    const person = mustPersonOf(v, id);
    expect(v.store.snapshot()?.links[String(person.id)]).toBeUndefined();
    // Salesforce: Company; Marketo: Title. Adopted with no ancestor, Marketo's stale Company won as a first sync.
    v.salesforceUser.update('Lead', id, { Company: 'Globex' });
    v.marketoUser.update(person.id, { title: 'Director' });
    v.restartEngine();
    await v.advance('15m');
    expect(v.instance.listPeople()).toHaveLength(1);
    expect(v.org.get('Lead', id)?.Company).toBe('Globex');
    expect(v.instance.getPerson(person.id)?.company).toBe('Globex');
    expect(v.org.get('Lead', id)?.Title).toBe('Director');
    expect(v.instance.getPerson(person.id)?.title).toBe('Director');
  });
});
