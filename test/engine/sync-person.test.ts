/** DESIGN §1.4, §1.9, §1.10: Sync Person to SFDC, Marketo-only people, required fields, no duplicate leads. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld } from '../../src/sim/world.ts';
import { attr, failureActivities, leadsWithEmail, mustPersonOf } from './helpers.ts';

afterAll(() => closeAllWorlds());

describe('people created in Marketo (DESIGN §1.9)', () => {
  it('are not pushed to Salesforce by the cycle', async () => {
    const w = createWorld();
    const p = w.marketoUser.create({ email: 'mo@only.test', firstName: 'Mo', lastName: 'Only', company: 'Solo' });
    w.marketoUser.update(p.id, { title: 'Founder' });
    await w.advance('30m');
    expect(w.org.count('Lead')).toBe(0);
    expect(w.instance.getPerson(p.id)?.sfdcType ?? null).toBeNull();
  });
});

describe('Sync Person to SFDC (DESIGN §1.4)', () => {
  it('creates the lead at once, outside the schedule, and links the person', async () => {
    const w = createWorld();
    await w.advance('1m'); // the cycle ran at t0; the next one is 4 minutes away
    const p = w.marketoUser.create({ email: 'new@person.test', firstName: 'Nia', lastName: 'New', company: 'Fresh Co', title: 'CTO' });
    const cycles = w.engineEvents.filter((e) => e.type === 'cycle-start').length;
    const result = await w.syncPersonToSfdc(p.id);
    expect(result.outcome).toBe('created');
    expect(w.engineEvents.filter((e) => e.type === 'cycle-start').length).toBe(cycles); // no cycle was needed
    const lead = w.org.get('Lead', result.sfId!);
    expect(lead).toMatchObject({ Email: 'new@person.test', FirstName: 'Nia', LastName: 'New', Company: 'Fresh Co', Title: 'CTO' });
    expect(lead?.CreatedById).toBe(w.org.syncUser.id);
    // The person carries the link, and Salesforce's defaults came back at once.
    expect(w.instance.getPerson(p.id)).toMatchObject({ sfdcType: 'Lead', sfdcLeadId: result.sfId, leadStatus: 'Open - Not Contacted' });
  });

  it('uses the configured default owner for the new lead', async () => {
    const w0 = createWorld();
    const queue = w0.org.createQueue('Inbound');
    w0.close();
    const w = createWorld({ defaultLeadOwnerId: queue });
    const q = w.org.createQueue('Inbound');
    expect(q).toBe(queue); // ids come from counters: the same in a fresh world
    const p = w.marketoUser.create({ email: 'owner@test.test', lastName: 'Owner', company: 'Co' });
    const r = await w.syncPersonToSfdc(p.id);
    expect(w.org.get('Lead', r.sfId!)?.OwnerId).toBe(queue);
  });

  it('on a linked person pushes its changes now, and never makes a second lead', async () => {
    const w = createWorld();
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Email: 's@acme.test' });
    await w.advance('5m');
    const p = mustPersonOf(w, id);
    w.marketoUser.update(p.id, { title: 'Head of Ops' });
    const r = await w.syncPersonToSfdc(p.id);
    expect(r).toMatchObject({ outcome: 'updated', sfId: id });
    expect(w.org.get('Lead', id)?.Title).toBe('Head of Ops');
    expect(w.org.count('Lead')).toBe(1);
    expect(await w.syncPersonToSfdc(p.id)).toMatchObject({ outcome: 'unchanged' });
  });

  it('after the first sync the person keeps syncing by the cycle', async () => {
    const w = createWorld();
    const p = w.marketoUser.create({ email: 'k@keep.test', lastName: 'Keep', company: 'Co' });
    const r = await w.syncPersonToSfdc(p.id);
    w.salesforceUser.update('Lead', r.sfId!, { Title: 'Buyer' });
    w.marketoUser.update(p.id, { city: 'Paris' });
    await w.advance('10m');
    expect(w.instance.getPerson(p.id)?.title).toBe('Buyer');
    expect(w.org.get('Lead', r.sfId!)?.City).toBe('Paris');
    expect(w.org.count('Lead')).toBe(1);
    expect(w.instance.listPeople()).toHaveLength(1);
  });
});

describe('a new lead needs LastName and Company (DESIGN §1.10)', () => {
  it('a person without a company is rejected with REQUIRED_FIELD_MISSING, logged once, created once fixed', async () => {
    const w = createWorld();
    const p = w.marketoUser.create({ email: 'nc@none.test', lastName: 'NoCompany' });
    const r = await w.syncPersonToSfdc(p.id);
    expect(r.outcome).toBe('rejected');
    expect(r.error?.errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect(w.org.count('Lead')).toBe(0);
    await w.advance('15m'); // retried by the cycles, still no company
    const acts = failureActivities(w, p.id);
    expect(acts).toHaveLength(1);
    expect(acts[0]!.primaryAttributeValue).toBe('REQUIRED_FIELD_MISSING');
    expect(attr(acts[0]!, 'fields')).toBe('Company');
    expect(attr(acts[0]!, 'operation')).toBe('create');
    w.marketoUser.update(p.id, { company: 'Found Co' });
    await w.advance('5m');
    expect(leadsWithEmail(w, 'nc@none.test')).toHaveLength(1);
    expect(w.instance.getPerson(p.id)?.sfdcType).toBe('Lead');
  });
});

describe('never two leads for one person (DESIGN §4)', () => {
  async function createWithLostAnswer(mutant?: string) {
    const w = createWorld(mutant ? { mutant } : {});
    const p = w.marketoUser.create({ email: 'once@only.test', lastName: 'Once', company: 'Co' });
    await w.advance('1m');
    // Salesforce commits the create but the answer never arrives.
    w.fault({ system: 'salesforce', kind: 'timeout-after-commit', times: 1 });
    const r = await w.syncPersonToSfdc(p.id);
    await w.advance('10m');
    return { w, p, r };
  }

  it('a create that timed out after Salesforce committed it is found, not repeated', async () => {
    const { w, p, r } = await createWithLostAnswer();
    expect(r.outcome).toBe('created');
    expect(leadsWithEmail(w, 'once@only.test')).toHaveLength(1);
    expect(w.instance.getPerson(p.id)?.sfdcLeadId).toBe(r.sfId);
    expect(w.instance.listPeople()).toHaveLength(1);
  });

  it.each(['timeout', 'unavailable', 'session-expired'] as const)('a create that failed with %s (nothing saved) is tried again: one lead', async (kind) => {
    const w = createWorld();
    const p = w.marketoUser.create({ email: `${kind}@retry.test`, lastName: 'Retry', company: 'Co' });
    await w.advance('1m');
    w.fault({ system: 'salesforce', kind, times: 1 });
    const r = await w.syncPersonToSfdc(p.id);
    expect(r.outcome).toBe('created');
    expect(leadsWithEmail(w, `${kind}@retry.test`)).toHaveLength(1);
    expect(w.instance.getPerson(p.id)?.sfdcLeadId).toBe(r.sfId);
  });

  it('(the check above catches an engine that creates again without looking)', async () => {
    const { w } = await createWithLostAnswer('flow-action-no-duplicate-check');
    expect(leadsWithEmail(w, 'once@only.test').length).toBeGreaterThan(1);
  });
});
