/** DESIGN §1.7 and §4 "Rejections": logged once per distinct failure, retried, batch-mates not held back. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld, type World } from '../../src/sim/world.ts';
import { HOT_NEEDS_PHONE, attr, failureActivities, mustPersonOf } from './helpers.ts';

afterAll(() => closeAllWorlds());

async function leads(w: World, n: number) {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push(w.salesforceUser.create('Lead', { LastName: `Lead${i}`, Company: 'Acme' }));
  await w.advance('5m');
  return ids.map((id) => ({ id, personId: mustPersonOf(w, id).id }));
}

describe('a validation rule rejecting an update (DESIGN §1.7)', () => {
  async function rejectedFor(cycles: number, mutant?: string) {
    const w = createWorld(mutant ? { mutant } : {});
    w.org.setRule(HOT_NEEDS_PHONE);
    const [bad, good] = await leads(w, 2);
    w.marketoUser.update(bad!.personId, { rating: 'Hot', title: 'CEO' });
    w.marketoUser.update(good!.personId, { title: 'CTO' });
    await w.advance(cycles * 5 * 60_000);
    return { w, bad: bad!, good: good! };
  }

  it('stays pending, its batch-mate syncs, and the person gets one failure activity', async () => {
    const { w, bad, good } = await rejectedFor(1);
    expect(w.org.get('Lead', good.id)?.Title).toBe('CTO');
    expect(w.org.get('Lead', bad.id)).toMatchObject({ Rating: null, Title: null });
    const acts = failureActivities(w, bad.personId);
    expect(acts).toHaveLength(1);
    expect(acts[0]!.primaryAttributeValue).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    expect(attr(acts[0]!, 'message')).toBe('Hot leads need a phone number');
    expect(attr(acts[0]!, 'fields')).toBe('Phone');
    expect(attr(acts[0]!, 'operation')).toBe('update');
    expect(attr(acts[0]!, 'sfdcId')).toBe(bad.id);
    expect(failureActivities(w, good.personId)).toHaveLength(0);
  });

  it('is retried every cycle but logged once, not once per cycle', async () => {
    const { w, bad } = await rejectedFor(4);
    const rejections = w.engineEvents.filter((e) => e.type === 'rejection' && e.personId === bad.personId);
    expect(rejections.length).toBeGreaterThanOrEqual(4);
    expect(failureActivities(w, bad.personId)).toHaveLength(1);
  });

  it('(the check above catches an engine that logs every cycle)', async () => {
    const { w, bad } = await rejectedFor(3, 'log-failure-every-cycle');
    expect(failureActivities(w, bad.personId).length).toBeGreaterThan(1);
  });

  it('once the data is fixed, the record syncs and the pending failure clears', async () => {
    const { w, bad } = await rejectedFor(2);
    w.marketoUser.update(bad.personId, { phone: '+1 555 0100' });
    await w.advance('5m');
    expect(w.org.get('Lead', bad.id)).toMatchObject({ Rating: 'Hot', Title: 'CEO', Phone: '+1 555 0100' });
    expect(w.store.snapshot()?.links[String(bad.personId)]?.failure).toBeUndefined();
    expect(failureActivities(w, bad.personId)).toHaveLength(1);
  });

  it('once the rule is switched off, the pending record syncs on the next cycle without any new edit', async () => {
    const { w, bad } = await rejectedFor(1);
    w.org.setRule({ ...HOT_NEEDS_PHONE, active: false });
    await w.advance('5m');
    expect(w.org.get('Lead', bad.id)).toMatchObject({ Rating: 'Hot', Title: 'CEO' });
  });

  it('a different failure on the same person is logged as a new activity', async () => {
    const { w, bad } = await rejectedFor(1);
    w.org.setRule({ object: 'Lead', name: 'No_CEO', formula: 'Title = "CEO"', message: 'No CEOs please' });
    w.org.setRule({ ...HOT_NEEDS_PHONE, active: false });
    await w.advance('10m');
    const acts = failureActivities(w, bad.personId);
    expect(acts.map((a) => attr(a, 'message'))).toEqual(['Hot leads need a phone number', 'No CEOs please']);
  });
});

describe('format errors (DESIGN §1.7)', () => {
  it('a badly formatted value is rejected with the Salesforce error and logged', async () => {
    const w = createWorld();
    const [l] = await leads(w, 1);
    // Marketo accepts a 300-character city; Salesforce's City holds 40.
    w.marketoUser.update(l!.personId, { city: 'x'.repeat(60) });
    await w.advance('5m');
    const acts = failureActivities(w, l!.personId);
    expect(acts).toHaveLength(1);
    expect(acts[0]!.primaryAttributeValue).toBe('STRING_TOO_LONG');
    expect(attr(acts[0]!, 'fields')).toBe('City');
  });
});
