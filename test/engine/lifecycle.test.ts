/** DESIGN §1.11 and §4: conversion, deletion and merge in Salesforce are followed. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld } from '../../src/sim/world.ts';
import { mustPersonOf, personOf, sfWrites } from './helpers.ts';

afterAll(() => closeAllWorlds());

describe('conversion (DESIGN §1.11)', () => {
  it('relinks the person to the contact: one person, now of type Contact, and keeps syncing', async () => {
    const w = createWorld();
    const leadId = w.salesforceUser.create('Lead', { FirstName: 'Cy', LastName: 'Convert', Company: 'Acme', Email: 'cy@acme.test' });
    await w.advance('5m');
    const p = mustPersonOf(w, leadId);
    const conv = w.salesforceUser.convert(leadId);
    await w.advance('5m');
    expect(w.instance.listPeople()).toHaveLength(1);
    expect(w.instance.getPerson(p.id)).toMatchObject({
      sfdcType: 'Contact',
      sfdcContactId: conv.contactId,
      sfdcAccountId: conv.accountId,
      sfdcLeadId: leadId,
      lastName: 'Convert',
    });
    // The contact syncs both ways; the converted lead is never written to.
    const log = w.org.requestLog.length;
    w.marketoUser.update(p.id, { title: 'COO' });
    await w.advance('5m');
    expect(w.org.get('Contact', conv.contactId!)?.Title).toBe('COO');
    expect(sfWrites(w, log).every((e) => e.object !== 'Lead')).toBe(true);
    expect(w.org.requestLog.filter((e) => e.errorCodes.includes('CANNOT_UPDATE_CONVERTED_LEAD'))).toEqual([]);
  });

  it('a conversion and a Marketo edit in the same window: the edit lands on the contact', async () => {
    const w = createWorld();
    const leadId = w.salesforceUser.create('Lead', { LastName: 'Race', Company: 'Acme' });
    await w.advance('5m');
    const p = mustPersonOf(w, leadId);
    const conv = w.salesforceUser.convert(leadId);
    w.marketoUser.update(p.id, { phone: '+1 555 0777' });
    await w.advance('10m');
    expect(w.org.get('Contact', conv.contactId!)?.Phone).toBe('+1 555 0777');
    expect(w.instance.listPeople()).toHaveLength(1);
  });
});

describe('conversion into an existing contact', () => {
  it('behaves like a merge: the contact’s person survives, the lead’s person is merged into it', async () => {
    const w = createWorld();
    const acct = w.salesforceUser.create('Account', { Name: 'Acme' });
    const contactId = w.salesforceUser.create('Contact', { LastName: 'Same', AccountId: acct, Email: 'same@acme.test' });
    const leadId = w.salesforceUser.create('Lead', { LastName: 'Same', Company: 'Acme', Email: 'same@acme.test', Title: 'Buyer' });
    await w.advance('5m');
    const pContact = mustPersonOf(w, contactId);
    const pLead = mustPersonOf(w, leadId);
    w.salesforceUser.convert(leadId, { accountId: acct, contactId });
    await w.advance('10m');
    expect(w.instance.listPeople()).toHaveLength(1);
    expect(w.instance.getPerson(pLead.id)).toBeUndefined();
    expect(w.instance.getPerson(pContact.id)).toMatchObject({ sfdcType: 'Contact', sfdcContactId: contactId });
    expect(Object.keys(w.store.snapshot()!.links)).toEqual([String(pContact.id)]);
  });
});

describe('a person deleted in Marketo only (reference A12)', () => {
  it('is re-created by the next change to its Salesforce record', async () => {
    const w = createWorld();
    const leadId = w.salesforceUser.create('Lead', { LastName: 'Back', Company: 'Acme' });
    await w.advance('5m');
    const p = mustPersonOf(w, leadId);
    w.marketoUser.delete(p.id);
    await w.advance('5m');
    expect(personOf(w, leadId)).toBeUndefined(); // no change in Salesforce: nothing to bring back yet
    w.salesforceUser.update('Lead', leadId, { Title: 'Returned' });
    await w.advance('10m');
    const again = mustPersonOf(w, leadId);
    expect(again.id).not.toBe(p.id);
    expect(again).toMatchObject({ lastName: 'Back', title: 'Returned', sfdcType: 'Lead' });
  });
});

describe('deletion (DESIGN §1.11)', () => {
  it('a lead deleted in Salesforce leaves the person, with sfdcIsDeleted set, and no longer syncs it', async () => {
    const w = createWorld();
    const leadId = w.salesforceUser.create('Lead', { LastName: 'Gone', Company: 'Acme' });
    await w.advance('5m');
    const p = mustPersonOf(w, leadId);
    w.salesforceUser.delete('Lead', leadId);
    await w.advance('5m');
    expect(w.instance.getPerson(p.id)).toMatchObject({ sfdcIsDeleted: true, sfdcLeadId: leadId, lastName: 'Gone' });
    const log = w.org.requestLog.length;
    w.marketoUser.update(p.id, { title: 'Still here' });
    const reports = await w.advance('10m');
    expect(reports.every((r) => r.ok)).toBe(true);
    expect(sfWrites(w, log)).toEqual([]);
  });

  it('a deleted contact sets sfdcIsDeleted too', async () => {
    const w = createWorld();
    const id = w.salesforceUser.create('Contact', { LastName: 'Gone' });
    await w.advance('5m');
    const p = mustPersonOf(w, id);
    w.salesforceUser.delete('Contact', id);
    await w.advance('5m');
    expect(w.instance.getPerson(p.id)?.sfdcIsDeleted).toBe(true);
  });
});

describe('merge (DESIGN §4)', () => {
  it('merging two leads leaves one person, linked to the survivor, and no orphan link', async () => {
    const w = createWorld();
    const keep = w.salesforceUser.create('Lead', { LastName: 'Keep', Company: 'Acme', Email: 'k@acme.test' });
    const lose = w.salesforceUser.create('Lead', { LastName: 'Lose', Company: 'Acme', Email: 'l@acme.test', Phone: '+1 555 0404' });
    await w.advance('5m');
    const pKeep = mustPersonOf(w, keep);
    const pLose = mustPersonOf(w, lose);
    w.salesforceUser.merge('Lead', keep, [lose]);
    await w.advance('10m');
    expect(w.instance.getPerson(pLose.id)).toBeUndefined();
    expect(w.instance.listPeople()).toHaveLength(1);
    expect(w.instance.getPerson(pKeep.id)).toMatchObject({ sfdcLeadId: keep, lastName: 'Keep' });
    expect(personOf(w, lose)).toBeUndefined();
    const state = w.store.snapshot()!;
    expect(Object.keys(state.links)).toEqual([String(pKeep.id)]);
    // The survivor's pair syncs on.
    w.marketoUser.update(pKeep.id, { title: 'Survivor' });
    await w.advance('5m');
    expect(w.org.get('Lead', keep)?.Title).toBe('Survivor');
  });

  it('merging two contacts works the same way', async () => {
    const w = createWorld();
    const keep = w.salesforceUser.create('Contact', { LastName: 'Keep' });
    const lose = w.salesforceUser.create('Contact', { LastName: 'Lose' });
    await w.advance('5m');
    const pKeep = mustPersonOf(w, keep);
    w.salesforceUser.merge('Contact', keep, [lose]);
    await w.advance('10m');
    expect(w.instance.listPeople().map((p) => p.id)).toEqual([pKeep.id]);
    expect(w.instance.getPerson(pKeep.id)).toMatchObject({ sfdcType: 'Contact', sfdcContactId: keep });
  });

  it('a merge into a record that had no person moves the loser’s person onto the survivor', async () => {
    const w = createWorld();
    const lose = w.salesforceUser.create('Lead', { LastName: 'Lose', Company: 'Acme' });
    await w.advance('5m');
    const pLose = mustPersonOf(w, lose);
    const keep = w.salesforceUser.create('Lead', { LastName: 'Keep', Company: 'Acme' });
    w.salesforceUser.merge('Lead', keep, [lose]);
    await w.advance('5m');
    expect(w.instance.listPeople()).toHaveLength(1);
    expect(w.instance.getPerson(pLose.id)).toMatchObject({ sfdcLeadId: keep, lastName: 'Keep' });
  });
});

describe('idle after a delete', () => {
  it('a deleted lead costs nothing more once its flag is set', async () => {
    const w = createWorld();
    const leadId = w.salesforceUser.create('Lead', { LastName: 'Gone', Company: 'Acme' });
    await w.advance('5m');
    w.salesforceUser.delete('Lead', leadId);
    await w.advance('10m');
    const reports = await w.advance('15m');
    for (const r of reports) expect(r).toMatchObject({ ok: true, sfCalls: 1, mktoCalls: 1 });
  });
});
