/** DESIGN §4 "Transient faults": retried with backoff on the clock, tokens refreshed, nothing lost or doubled. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld, type World } from '../../src/sim/world.ts';
import { mustPersonOf } from './helpers.ts';

afterAll(() => closeAllWorlds());

async function pair(w: World) {
  const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
  await w.advance('5m');
  return { id, personId: mustPersonOf(w, id).id };
}

describe('transient faults', () => {
  it.each([
    ['salesforce', 'unavailable'],
    ['salesforce', 'timeout'],
    ['salesforce', 'lock'],
    ['salesforce', 'rate-limit'],
    ['salesforce', 'session-expired'],
    ['marketo', 'unavailable'],
    ['marketo', 'timeout'],
    ['marketo', 'rate-limit'],
    ['marketo', 'lock'],
    ['marketo', 'session-expired'],
  ] as const)('%s %s: edits on both sides still arrive, once', async (system, kind) => {
    const w = createWorld();
    const { id, personId } = await pair(w);
    w.salesforceUser.update('Lead', id, { Title: 'CFO' });
    w.marketoUser.update(personId, { phone: '+1 555 0100' });
    const newLead = w.salesforceUser.create('Lead', { LastName: 'New', Company: 'Acme', Email: 'new@acme.test' });
    w.fault({ system, kind, times: 3 });
    await w.advance('15m');
    expect(w.faults.fired.length).toBeGreaterThan(0);
    expect(w.org.get('Lead', id)).toMatchObject({ Title: 'CFO', Phone: '+1 555 0100' });
    expect(w.instance.getPerson(personId)).toMatchObject({ title: 'CFO', phone: '+1 555 0100' });
    expect(w.instance.listPeople().filter((p) => p.sfdcLeadId === newLead)).toHaveLength(1);
    expect(w.instance.listPeople()).toHaveLength(2);
    expect(w.org.count('Lead')).toBe(2);
  });

  it('a Salesforce session that expires is refreshed by logging in again (jsforce refresh), no cycle fails', async () => {
    const w = createWorld();
    const { id, personId } = await pair(w);
    w.org.expireSessions();
    w.marketoUser.update(personId, { title: 'CTO' });
    const reports = await w.advance('5m');
    expect(reports.every((r) => r.ok)).toBe(true);
    expect(w.org.get('Lead', id)?.Title).toBe('CTO');
    const logins = w.org.requestLog.filter((e) => e.user === w.org.syncUser.id && e.path.includes('/oauth2/token'));
    expect(logins).toHaveLength(2);
  });

  it('a Marketo update that times out after it was saved is not applied twice and the pair converges', async () => {
    const w = createWorld();
    const { id, personId } = await pair(w);
    w.salesforceUser.update('Lead', id, { Title: 'CFO' });
    w.fault({ system: 'marketo', kind: 'timeout-after-commit', times: 1 });
    await w.advance('10m');
    expect(w.instance.getPerson(personId)?.title).toBe('CFO');
    expect(w.instance.listPeople()).toHaveLength(1);
  });

  it('a new Salesforce lead whose person create timed out after Marketo saved it gets one person, found by its Salesforce id', async () => {
    const w = createWorld();
    await w.advance('1m');
    const id = w.salesforceUser.create('Lead', { LastName: 'Once', Company: 'Acme' });
    w.fault({ system: 'marketo', kind: 'timeout-after-commit', times: 1 });
    await w.advance('15m');
    expect(w.instance.listPeople().filter((p) => p.sfdcLeadId === id)).toHaveLength(1);
  });

  it("Marketo's daily quota (607) stops Marketo work until the reset, then syncing resumes", async () => {
    const w = createWorld();
    const { id, personId } = await pair(w);
    w.fault({ system: 'marketo', kind: 'quota', times: 1 });
    w.salesforceUser.update('Lead', id, { Title: 'CFO' });
    const r = await w.advance('5m');
    expect(r[0]).toMatchObject({ ok: false });
    const quota = w.engineEvents.find((e) => e.type === 'quota');
    expect(quota).toBeDefined();
    const calls = w.instance.requestLog.length;
    await w.advance('1h');
    expect(w.instance.requestLog.length).toBe(calls); // no Marketo calls while the quota is spent
    await w.advance('1d');
    expect(w.instance.getPerson(personId)?.title).toBe('CFO');
  });
});
