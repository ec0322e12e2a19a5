/**
 * A field the sync user loses and gets back (DESIGN §4 field set, §5.1 converged, §5.4 no-lost-update): edits made
 * to it meanwhile, on either side, reach the other side once it is back, even after the polls moved on.
 * Found by fuzz (case seed 1302090078); test/property/regressions/field-edited-while-hidden-never-synced.yaml.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld, type World } from '../../src/sim/world.ts';
import { mustPersonOf } from './helpers.ts';

afterAll(() => closeAllWorlds());

async function linkedLead(w: World, fields: Record<string, unknown>) {
  const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', ...fields });
  await w.advance('5m');
  return { id, personId: mustPersonOf(w, id).id };
}

/** Hide Lead.City, let a cycle notice, run `meanwhile`, then move the watermark well past it with another edit. */
async function whileCityHidden(w: World, other: string, meanwhile: () => Promise<void> | void) {
  w.org.setAccess(w.org.syncUser.id, 'Lead.City', 'none');
  await meanwhile();
  await w.advance('5m');
  // A later edit elsewhere: the poll's watermark moves past everything above, beyond the look-back.
  w.salesforceUser.update('Lead', other, { Title: 'CFO' });
  await w.advance('5m');
  await w.advance('5m');
}

describe('a field hidden from the sync user and shown again', () => {
  it('a Salesforce edit made while hidden reaches Marketo when the field is back, across a restart', async () => {
    const w = createWorld();
    const a = await linkedLead(w, { City: 'Baton Rouge', Email: 'a@example.test' });
    const b = await linkedLead(w, { City: 'Rogers', Email: 'b@example.test' });
    await whileCityHidden(w, b.id, () => {
      w.salesforceUser.update('Lead', a.id, { City: 'Boston' });
    });
    expect(w.instance.getPerson(a.personId)?.city).toBe('Baton Rouge');
    w.restartEngine(); // what the engine knew of the field set must survive a restart
    w.org.setAccess(w.org.syncUser.id, 'Lead.City', 'edit');
    await w.advance('5m');
    expect(w.instance.getPerson(a.personId)?.city).toBe('Boston');
    expect(w.org.get('Lead', a.id)?.City).toBe('Boston');
    // The other pair, untouched on City, keeps its value on both sides.
    expect(w.instance.getPerson(b.personId)?.city).toBe('Rogers');
    expect(w.org.get('Lead', b.id)?.City).toBe('Rogers');
  });

  it('a Marketo edit made while hidden reaches Salesforce when the field is back', async () => {
    const w = createWorld();
    const a = await linkedLead(w, { City: 'Baton Rouge', Email: 'a@example.test' });
    const b = await linkedLead(w, { City: 'Rogers', Email: 'b@example.test' });
    await whileCityHidden(w, b.id, () => {
      w.marketoUser.update(a.personId, { city: 'Boston' });
    });
    expect(w.org.get('Lead', a.id)?.City).toBe('Baton Rouge');
    w.org.setAccess(w.org.syncUser.id, 'Lead.City', 'edit');
    await w.advance('5m');
    expect(w.org.get('Lead', a.id)?.City).toBe('Boston');
    expect(w.instance.getPerson(a.personId)?.city).toBe('Boston');
  });

  it('a lead created by Sync Person to SFDC while hidden gets the person\'s value when the field is back', async () => {
    const w = createWorld();
    const b = await linkedLead(w, { City: 'Rogers', Email: 'b@example.test' });
    const p = w.marketoUser.create({ firstName: 'Loyal', lastName: 'Kreiger', company: 'Raynor', email: 'loyal@example.test', city: 'Fort Columbusfurt' });
    let leadId: string | undefined;
    await whileCityHidden(w, b.id, async () => {
      await w.advance('1m'); // a cycle notices the field is gone before the flow action runs
      const r = await w.syncPersonToSfdc(p.id);
      expect(r.outcome).toBe('created');
      leadId = r.sfId;
    });
    expect(w.org.get('Lead', leadId!)?.City ?? null).toBeNull();
    w.org.setAccess(w.org.syncUser.id, 'Lead.City', 'edit');
    await w.advance('5m');
    expect(w.org.get('Lead', leadId!)?.City).toBe('Fort Columbusfurt');
    expect(w.instance.getPerson(p.id)?.city).toBe('Fort Columbusfurt');
  });
});
