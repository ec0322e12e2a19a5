/** DESIGN §1.3 and §1.8: per-field three-way merge and the winner policy. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld, type World, type WorldOptions } from '../../src/sim/world.ts';
import { mustPersonOf } from './helpers.ts';

afterAll(() => closeAllWorlds());

async function linkedLead(opts: WorldOptions = {}) {
  const w = createWorld(opts);
  const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Title: 'Manager', Phone: '+1 555 0000' });
  await w.advance('5m');
  return { w, id, personId: mustPersonOf(w, id).id };
}

async function linkedContact(opts: WorldOptions = {}) {
  const w = createWorld(opts);
  const id = w.salesforceUser.create('Contact', { LastName: 'Jones', Title: 'Manager', Phone: '+1 555 0000' });
  await w.advance('5m');
  return { w, id, personId: mustPersonOf(w, id).id };
}

describe('conflicts are settled per field (DESIGN §1.8)', () => {
  it('different fields changed on both sides: both changes survive', async () => {
    const { w, id, personId } = await linkedLead();
    w.salesforceUser.update('Lead', id, { Title: 'CFO' });
    w.marketoUser.update(personId, { phone: '+1 555 0101' });
    await w.advance('5m');
    expect(w.org.get('Lead', id)).toMatchObject({ Title: 'CFO', Phone: '+1 555 0101' });
    expect(w.instance.getPerson(personId)).toMatchObject({ title: 'CFO', phone: '+1 555 0101' });
  });

  it('the same field on a lead: Marketo wins (DESIGN §1.3)', async () => {
    const { w, id, personId } = await linkedLead();
    w.salesforceUser.update('Lead', id, { Title: 'CFO' });
    w.marketoUser.update(personId, { title: 'CEO' });
    await w.advance('5m');
    expect(w.org.get('Lead', id)?.Title).toBe('CEO');
    expect(w.instance.getPerson(personId)?.title).toBe('CEO');
    const decision = w.engineEvents.find((e) => e.type === 'field' && e.field === 'Title');
    expect(decision).toMatchObject({ decision: 'to-salesforce', winner: 'marketo' });
  });

  it('the same field on a contact: Salesforce wins', async () => {
    const { w, id, personId } = await linkedContact();
    w.salesforceUser.update('Contact', id, { Title: 'CFO' });
    w.marketoUser.update(personId, { title: 'CEO' });
    await w.advance('5m');
    expect(w.org.get('Contact', id)?.Title).toBe('CFO');
    expect(w.instance.getPerson(personId)?.title).toBe('CFO');
  });

  it('a per-field policy overrides the object default', async () => {
    const { w, id, personId } = await linkedLead({ winner: { fields: { 'Lead.Title': 'salesforce' } } });
    w.salesforceUser.update('Lead', id, { Title: 'CFO', Phone: '+1 555 0001' });
    w.marketoUser.update(personId, { title: 'CEO', phone: '+1 555 0002' });
    await w.advance('5m');
    // Title follows its own policy, Phone the lead default (Marketo).
    expect(w.org.get('Lead', id)).toMatchObject({ Title: 'CFO', Phone: '+1 555 0002' });
    expect(w.instance.getPerson(personId)).toMatchObject({ title: 'CFO', phone: '+1 555 0002' });
  });

  it('an object policy can make Salesforce win for leads', async () => {
    const { w, id, personId } = await linkedLead({ winner: { Lead: 'salesforce' } });
    w.salesforceUser.update('Lead', id, { Title: 'CFO' });
    w.marketoUser.update(personId, { title: 'CEO' });
    await w.advance('5m');
    expect(w.instance.getPerson(personId)?.title).toBe('CFO');
  });

  async function editBetweenReadAndWrite(mutant?: string) {
    let armed = false;
    let edited = false;
    let id = '';
    const w: World = createWorld({
      ...(mutant ? { mutant } : {}),
      // The Salesforce user saves Phone after the engine read the lead and before it writes Title.
      onEngineEvent: (e) => {
        if (armed && !edited && e.type === 'field') {
          edited = true;
          w.clock.advanceBy(1000);
          w.salesforceUser.update('Lead', id, { Phone: '+1 555 0303' });
        }
      },
    });
    id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    await w.advance('5m');
    const personId = mustPersonOf(w, id).id;
    w.marketoUser.update(personId, { title: 'CEO' });
    armed = true;
    await w.advance('5m');
    expect(edited).toBe(true);
    // The sync user wrote Title after the user's edit: it is the lead's last modifier now.
    expect(w.org.get('Lead', id)?.LastModifiedById).toBe(w.org.syncUser.id);
    await w.advance('10m');
    return w.instance.getPerson(personId)?.phone ?? null;
  }

  it('a user edit landing between the engine read and its write is not lost, though the sync user wrote last', async () => {
    expect(await editBetweenReadAndWrite()).toBe('+1 555 0303');
  });

  it('(the check above catches an engine that skips records the sync user modified last)', async () => {
    expect(await editBetweenReadAndWrite('echo-by-last-modified-by')).toBeNull();
  });

  it('values keep their type through a round trip (numbers, booleans, blanks)', async () => {
    const { w, id, personId } = await linkedLead();
    w.marketoUser.update(personId, { annualRevenue: 1250000, numberOfEmployees: 42, unsubscribed: true, title: null });
    await w.advance('5m');
    expect(w.org.get('Lead', id)).toMatchObject({ AnnualRevenue: 1250000, NumberOfEmployees: 42, HasOptedOutOfEmail: true, Title: null });
    const before = w.org.get('Lead', id)?.SystemModstamp;
    await w.advance('10m');
    expect(w.org.get('Lead', id)?.SystemModstamp).toBe(before); // nothing bounced back
    expect(w.instance.getPerson(personId)).toMatchObject({ annualRevenue: 1250000, numberOfEmployees: 42, unsubscribed: true, title: null });
  });
});
