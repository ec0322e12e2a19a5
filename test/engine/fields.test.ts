/** DESIGN §1.5 (which fields sync), §1.6 (only what the sync user can access), §5.7 (respects-permissions). */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld, type World } from '../../src/sim/world.ts';
import { mustPersonOf, sfRequests } from './helpers.ts';

afterAll(() => closeAllWorlds());

async function linkedLead(w: World, fields: Record<string, unknown> = {}) {
  const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', ...fields });
  await w.advance('5m');
  return { id, personId: mustPersonOf(w, id).id };
}

/** Every Lead field the sync user's requests read or wrote since `from`. */
function namedBySyncUser(w: World, from: number): { read: Set<string>; written: Set<string> } {
  const read = new Set<string>();
  const written = new Set<string>();
  for (const e of sfRequests(w, from)) {
    if (e.object !== 'Lead') continue;
    e.fieldsRead.forEach((f) => read.add(f));
    e.fieldsWritten.forEach((f) => written.add(f));
  }
  return { read, written };
}

describe('which fields sync (DESIGN §1.5)', () => {
  it('a standard field outside the mapping is neither read nor written', async () => {
    const w = createWorld();
    const log = w.org.requestLog.length;
    const { id } = await linkedLead(w, { Description: 'first call went well', Fax: '+1 555 0999' });
    w.salesforceUser.update('Lead', id, { Description: 'changed' });
    await w.advance('5m');
    const { read } = namedBySyncUser(w, log);
    expect(read.has('Description')).toBe(false);
    expect(read.has('Fax')).toBe(false);
    expect(read.has('Title')).toBe(true);
  });

  it('a custom field present on both sides syncs both ways; one only in Salesforce does not', async () => {
    const w = createWorld();
    w.org.addField({ object: 'Lead', name: 'Score__c', type: 'double', precision: 18, scale: 2 });
    w.org.addField({ object: 'Lead', name: 'Internal__c', type: 'string', length: 40 });
    w.instance.addField({ name: 'Score__c', dataType: 'float' });
    const { id, personId } = await linkedLead(w, { Score__c: 12.5, Internal__c: 'secret' });
    expect(w.instance.getPerson(personId)?.Score__c).toBe(12.5);
    w.marketoUser.update(personId, { Score__c: 40 });
    await w.advance('5m');
    expect(w.org.get('Lead', id)?.Score__c).toBe(40);
    const { read } = namedBySyncUser(w, 0);
    expect(read.has('Internal__c')).toBe(false);
  });
});

describe('only fields the sync user can access (DESIGN §1.6)', () => {
  it('access none: the field is never named in any request and its changes stay on their side', async () => {
    const w = createWorld();
    w.org.setAccess(w.org.syncUser.id, 'Lead.Phone', 'none');
    const { id, personId } = await linkedLead(w, { Phone: '+1 555 0100' });
    expect(w.instance.getPerson(personId)?.phone ?? null).toBeNull();
    w.marketoUser.update(personId, { phone: '+1 555 0200', title: 'CEO' });
    w.salesforceUser.update('Lead', id, { Phone: '+1 555 0300' });
    await w.advance('10m');
    expect(w.org.get('Lead', id)).toMatchObject({ Phone: '+1 555 0300', Title: 'CEO' });
    expect(w.instance.getPerson(personId)?.phone).toBe('+1 555 0200');
    const { read, written } = namedBySyncUser(w, 0);
    expect(read.has('Phone')).toBe(false);
    expect(written.has('Phone')).toBe(false);
    expect(w.org.requestLog.filter((e) => e.user === w.org.syncUser.id && e.errorCodes.length > 0)).toEqual([]);
  });

  it('access read: Salesforce changes reach Marketo, Marketo edits are never written to Salesforce', async () => {
    const w = createWorld();
    w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'read');
    const { id, personId } = await linkedLead(w, { Title: 'Manager' });
    expect(w.instance.getPerson(personId)?.title).toBe('Manager');
    w.salesforceUser.update('Lead', id, { Title: 'Director' });
    await w.advance('5m');
    expect(w.instance.getPerson(personId)?.title).toBe('Director');
    const log = w.org.requestLog.length;
    w.marketoUser.update(personId, { title: 'CEO', city: 'Boston' });
    await w.advance('5m');
    expect(w.org.get('Lead', id)).toMatchObject({ Title: 'Director', City: 'Boston' });
    expect(namedBySyncUser(w, log).written.has('Title')).toBe(false);
    // Salesforce is the system of record for a field the sync user cannot update: Marketo gets its value back.
    expect(w.instance.getPerson(personId)?.title).toBe('Director');
  });

  it('a permission change between cycles: the hidden field is named once, in the refused poll that teaches it, then never', async () => {
    const w = createWorld();
    const { id, personId } = await linkedLead(w, { Phone: '+1 555 0100' });
    expect(w.instance.getPerson(personId)?.phone).toBe('+1 555 0100');
    w.org.setAccess(w.org.syncUser.id, 'Lead.Phone', 'none');
    const log = w.org.requestLog.length;
    w.salesforceUser.update('Lead', id, { Phone: '+1 555 0111', Title: 'CTO' });
    const reports = await w.advance('5m');
    expect(reports.every((r) => r.ok)).toBe(true);
    expect(w.instance.getPerson(personId)).toMatchObject({ phone: '+1 555 0100', title: 'CTO' });
    // The cycle's Composite poll was written with the last field set: Salesforce refuses it (INVALID_FIELD), the
    // describe in the same call shows the new field set, and the poll goes again without Phone.
    const naming = sfRequests(w, log).filter((e) => e.object === 'Lead' && e.fieldsRead.includes('Phone'));
    expect(naming.map((e) => e.errorCodes)).toEqual([['INVALID_FIELD']]);
    const cycles = await w.advance('10m');
    expect(cycles.every((r) => r.ok)).toBe(true);
    expect(sfRequests(w, log).filter((e) => e.object === 'Lead' && e.fieldsRead.includes('Phone'))).toHaveLength(1);
    // Access back: the field syncs again (Salesforce changed it since, so its value flows).
    w.org.setAccess(w.org.syncUser.id, 'Lead.Phone', 'edit');
    w.salesforceUser.update('Lead', id, { Phone: '+1 555 0122' });
    await w.advance('5m');
    expect(w.instance.getPerson(personId)?.phone).toBe('+1 555 0122');
  });

  it('a permission removed between the describe and the poll: INVALID_FIELD, describe again, the cycle still completes', async () => {
    let armed = 0;
    const w: World = createWorld({
      // Right after a start the describes and the poll are two Composite calls (no field set to poll with before
      // the first describe): the permission changes just before Salesforce reads the second one.
      onRequest: (r) => {
        if (armed > 0 && r.path.endsWith('/composite') && --armed === 0) w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'none');
      },
    });
    const { id, personId } = await linkedLead(w);
    w.salesforceUser.update('Lead', id, { City: 'Oslo' });
    w.restartEngine();
    armed = 2;
    const log = w.org.requestLog.length;
    const reports = await w.advance('1m'); // a restarted engine runs its first cycle at once
    expect(reports).toHaveLength(1);
    expect(reports[0]!.ok).toBe(true);
    const syncUser = w.org.requestLog.slice(log).filter((e) => e.user === w.org.syncUser.id);
    expect(syncUser.some((e) => e.errorCodes.includes('INVALID_FIELD'))).toBe(true);
    expect(syncUser.filter((e) => e.path.endsWith('/Lead/describe'))).toHaveLength(2);
    expect(w.instance.getPerson(personId)?.city).toBe('Oslo');
  });
});
