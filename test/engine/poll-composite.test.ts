/**
 * The cycle's setup-change read (SetupAuditTrail) and poll share one Composite call (DESIGN §4 "Change detection",
 * "Field set"), with the describes in front only when due (start, safety net); after a setup change or a refused
 * poll the describes follow in a call of their own. The polls are written with the field set of the previous
 * describe, and polled again (one more call) only when the new describe selects other columns or a poll was
 * refused. What that must never cost: a hidden field read or written, a row synced with the wrong columns, the
 * Contact-before-Lead order, a duplicate. (test/engine/setup-changes.test.ts covers when the engine describes.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld, type World } from '../../src/sim/world.ts';
import { HOT_NEEDS_PHONE, failureActivities, leadsWithEmail, mustPersonOf, sfRequests } from './helpers.ts';

afterAll(() => closeAllWorlds());

/** The sync user's Salesforce requests since `from`, each as `kind object` (composite subrequests marked `+`). */
function shape(w: World, from: number): string[] {
  return sfRequests(w, from).map((e) => {
    const kind = e.path.endsWith('/describe')
      ? 'describe'
      : e.path.includes('/queryAll')
        ? 'poll'
        : e.path.includes('/oauth2/')
          ? 'login'
          : /\/query\/01g/.test(e.path)
            ? 'queryMore'
            : e.path.includes('/query?')
              ? 'query'
              : `${e.method} ${e.path.replace(/^\/services\/data\/v[\d.]+/, '')}`;
    const object = e.object ?? soqlObject(e.path);
    return `${e.composite ? '+' : ''}${kind}${object && kind !== 'login' ? ` ${object}` : ''}`;
  });
}

/** The object a query names (a refused query is logged without its object). */
function soqlObject(path: string): string | undefined {
  return /\bFROM (\w+)/.exec(decodeURIComponent(path.split('?q=')[1] ?? ''))?.[1];
}

describe('describe and poll in one Composite call', () => {
  it('first cycle after a start: login, the describes, then both polls in a second Composite call; the next cycle is one call', async () => {
    const w = createWorld();
    w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    w.salesforceUser.create('Contact', { LastName: 'Jones' });
    const from = w.org.requestLog.length;
    const [first] = await w.advance('1m');
    expect(first).toMatchObject({ ok: true, sfCalls: 3, peopleCreated: 2 });
    expect(shape(w, from)).toEqual(['login', '+query SetupAuditTrail', '+describe Lead', '+describe Contact', '+poll Contact', '+poll Lead']);
    await w.advance('5m'); // the echoes
    const next = w.org.requestLog.length;
    const [idle] = await w.advance('5m');
    expect(idle).toMatchObject({ ok: true, sfCalls: 1, mktoCalls: 1 });
    expect(shape(w, next)).toEqual(['+query SetupAuditTrail', '+poll Contact', '+poll Lead']);

    // A restarted engine has no field set to poll with: the same three calls again, and a Marketo identity and describe.
    w.restartEngine();
    const again = w.org.requestLog.length;
    const [restarted] = await w.advance('1m'); // a restarted engine runs its first cycle at once
    expect(restarted).toMatchObject({ ok: true, sfCalls: 3, mktoCalls: 3 });
    expect(shape(w, again)).toEqual(['login', '+query SetupAuditTrail', '+describe Lead', '+describe Contact', '+poll Contact', '+poll Lead']);
    const [after] = await w.advance('5m');
    expect(after).toMatchObject({ ok: true, sfCalls: 1, mktoCalls: 1 });
  });

  it('a field the sync user gains is polled in the same cycle: the Lead poll goes again with it, and its edit syncs now', async () => {
    const w = createWorld();
    w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'none');
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Title: 'Manager' });
    await w.advance('10m');
    const personId = mustPersonOf(w, id).id;
    expect(w.instance.getPerson(personId)?.title ?? null).toBeNull();

    w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'edit');
    w.salesforceUser.update('Lead', id, { Title: 'CEO' });
    const from = w.org.requestLog.length;
    const [report] = await w.advance('5m');
    expect(report).toMatchObject({ ok: true, sfCalls: 3 });
    // The audit answer shows the change: describe (one call); only the Lead poll is asked again (its columns changed;
    // Contact's did not, and was polled first anyway).
    expect(shape(w, from)).toEqual(['+query SetupAuditTrail', '+poll Contact', '+poll Lead', '+describe Lead', '+describe Contact', 'poll Lead']);
    const polls = sfRequests(w, from).filter((e) => e.path.includes('/queryAll') && e.object === 'Lead');
    expect(polls[0]?.fieldsRead).not.toContain('Title');
    expect(polls[1]?.fieldsRead).toContain('Title');
    expect(w.instance.getPerson(personId)?.title).toBe('CEO');
  });

  it('a Contact field made invisible: the Composite poll is refused, both objects are polled again (Contact first) in one call, nothing names the field after that', async () => {
    const w = createWorld();
    const contact = w.salesforceUser.create('Contact', { LastName: 'Jones', Title: 'Buyer' });
    const lead = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    await w.advance('10m');
    const pContact = mustPersonOf(w, contact).id;
    const pLead = mustPersonOf(w, lead).id;

    w.org.setAccess(w.org.syncUser.id, 'Contact.Title', 'none');
    w.salesforceUser.update('Contact', contact, { Phone: '+1 555 0101' });
    w.salesforceUser.update('Lead', lead, { City: 'Oslo' });
    w.marketoUser.update(pContact, { title: 'Chief Buyer', mobilePhone: '+1 555 0202' });
    const from = w.org.requestLog.length;
    const [report] = await w.advance('5m');
    expect(report).toMatchObject({ ok: true, sfCalls: 4 }); // the Composite, the describes, the polls again, the contact's update
    const entries = sfRequests(w, from);
    expect(shape(w, from).slice(0, 7)).toEqual(['+query SetupAuditTrail', '+poll Contact', '+poll Lead', '+describe Lead', '+describe Contact', '+poll Contact', '+poll Lead']);
    expect(entries[1]!.errorCodes).toEqual(['INVALID_FIELD']);
    // Nothing after the refused poll names the hidden field, read or write.
    for (const e of entries.slice(2)) {
      if (e.object !== 'Contact') continue;
      expect(e.fieldsRead).not.toContain('Title');
      expect(e.fieldsWritten).not.toContain('Title');
    }
    expect(w.instance.getPerson(pContact)).toMatchObject({ phone: '+1 555 0101' });
    expect(w.org.get('Contact', contact)).toMatchObject({ MobilePhone: '+1 555 0202', Title: 'Buyer' });
    expect(w.instance.getPerson(pLead)?.city).toBe('Oslo');
  });

  it('a standing rejection: the pending lead is read by id inside the Composite call, one Salesforce call per cycle, still one activity', async () => {
    const w = createWorld();
    w.org.setRule(HOT_NEEDS_PHONE);
    const id = w.salesforceUser.create('Lead', { LastName: 'Hot', Company: 'Acme' });
    await w.advance('10m');
    const personId = mustPersonOf(w, id).id;
    w.marketoUser.update(personId, { rating: 'Hot' });
    await w.advance('5m'); // rejected: pending from now on
    expect(failureActivities(w, personId)).toHaveLength(1);
    const from = w.org.requestLog.length;
    const reports = await w.advance('10m');
    expect(reports).toHaveLength(2);
    for (const r of reports) expect(r).toMatchObject({ ok: true, sfCalls: 2, rejected: 1 }); // the Composite call, the update tried again
    const cycle = ['+query SetupAuditTrail', '+poll Contact', '+poll Lead', '+poll Lead', 'PATCH /composite/sobjects Lead'];
    expect(shape(w, from)).toEqual([...cycle, ...cycle]);
    // The fourth subrequest is the by-id read of the pending lead.
    const byId = sfRequests(w, from).filter((e) => e.composite && /WHERE Id IN/.test(decodeURIComponent(e.path)));
    expect(byId).toHaveLength(2);
    expect(failureActivities(w, personId)).toHaveLength(1);

    // The rule goes: the pending lead takes the value, from the row read inside the Composite call. The audit trail
    // records the deactivation, so this cycle describes too (one call; the columns are the same, no poll again).
    w.org.setRule({ ...HOT_NEEDS_PHONE, active: false });
    const [fixed] = await w.advance('5m');
    expect(fixed).toMatchObject({ ok: true, sfCalls: 3, sfUpdated: 1, rejected: 0 });
    expect(w.org.get('Lead', id)?.Rating).toBe('Hot');
  });

  it('Sync Person to SFDC on a linked person: its record is read by id inside the audit read\'s Composite call', async () => {
    const w = createWorld();
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    await w.advance('10m');
    const personId = mustPersonOf(w, id).id;
    w.marketoUser.update(personId, { title: 'CFO' });
    w.salesforceUser.update('Lead', id, { City: 'Oslo' });
    const from = w.org.requestLog.length;
    expect(await w.syncPersonToSfdc(personId)).toMatchObject({ outcome: 'updated', sfId: id });
    // No setup change since the cycle's describe: the flow action does not describe.
    expect(shape(w, from)).toEqual(['+query SetupAuditTrail', '+poll Lead', 'PATCH /composite/sobjects Lead']);
    expect(w.org.get('Lead', id)?.Title).toBe('CFO');
    expect(w.instance.getPerson(personId)?.city).toBe('Oslo');

    // A field hidden since the last describe: the audit read shows it, so the flow action describes; the read by id
    // (columns of the last describe) is refused, and the row is read again without it.
    w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'none');
    w.marketoUser.update(personId, { city: 'Bergen' });
    const next = w.org.requestLog.length;
    expect(await w.syncPersonToSfdc(personId)).toMatchObject({ outcome: 'updated' });
    expect(shape(w, next)).toEqual(['+query SetupAuditTrail', '+poll Lead', '+describe Lead', '+describe Contact', 'poll Lead', 'PATCH /composite/sobjects Lead']);
    const reads = sfRequests(w, next).filter((e) => e.path.includes('/queryAll'));
    expect(reads.map((e) => e.errorCodes)).toEqual([['INVALID_FIELD'], []]);
    expect(reads[1]!.fieldsRead).not.toContain('Title');
    expect(w.org.get('Lead', id)?.City).toBe('Bergen');
    // The cycle after it polls with the new field set at once: nothing refused, and no describe (the flow action
    // acted on the change's audit row; the audit position is the engine's, shared with the cycle).
    const cycle = w.org.requestLog.length;
    const [report] = await w.advance('5m');
    expect(report).toMatchObject({ ok: true, sfCalls: 1 });
    expect(sfRequests(w, cycle).filter((e) => e.path.endsWith('/describe'))).toEqual([]);
    expect(sfRequests(w, cycle).filter((e) => e.errorCodes.length > 0)).toEqual([]);
  });

  it('a poll longer than a page continues with queryMore after the Composite call', async () => {
    const w = createWorld();
    await w.advance('1m'); // a first describe: the next cycle polls inside its Composite call
    for (let i = 0; i < 2050; i++) w.salesforceUser.create('Lead', { LastName: `L${i}`, Company: 'Acme' });
    const from = w.org.requestLog.length;
    const [report] = await w.advance('5m');
    expect(report).toMatchObject({ ok: true, sfCalls: 2, peopleCreated: 2050 });
    expect(shape(w, from)).toEqual(['+query SetupAuditTrail', '+poll Contact', '+poll Lead', 'queryMore']);
    expect(w.instance.listPeople()).toHaveLength(2050);
  });

  it('a lead whose create answer was lost is in the poll before the cycle settles it: linked to its person, no second person', async () => {
    const w = createWorld();
    await w.advance('1m');
    const p = w.marketoUser.create({ email: 'lost@answer.test', lastName: 'Lost', company: 'Co' });
    const q = w.marketoUser.create({ email: 'other@answer.test', lastName: 'Other', company: 'Co' });
    // The flow action (describes, the person read, the create) dies right as Salesforce answers its create.
    w.crashEngineAfter(3);
    expect((await w.syncPersonToSfdc(p.id)).outcome).toBe('failed');
    expect(leadsWithEmail(w, 'lost@answer.test')).toHaveLength(1);
    expect(w.instance.getPerson(p.id)?.sfdcLeadId ?? null).toBeNull();
    w.restartEngine();
    // Another flow action describes first, so the restarted engine's first cycle polls inside its Composite call.
    expect((await w.syncPersonToSfdc(q.id)).outcome).toBe('created');
    const from = w.org.requestLog.length;
    const [report] = await w.advance('5m');
    expect(report!.ok).toBe(true);
    const entries = sfRequests(w, from);
    const poll = entries.findIndex((e) => e.composite && e.path.includes('/queryAll') && e.object === 'Lead');
    const settle = entries.findIndex((e) => /\/query\?q=/.test(e.path) && /CreatedDate >=/.test(decodeURIComponent(e.path)));
    expect(poll).toBeGreaterThanOrEqual(0);
    expect(settle).toBeGreaterThan(poll);
    const leadId = leadsWithEmail(w, 'lost@answer.test')[0]!.Id;
    expect(w.instance.getPerson(p.id)).toMatchObject({ sfdcType: 'Lead', sfdcLeadId: leadId });
    expect(w.instance.listPeople()).toHaveLength(2);
    expect(w.instance.listPeople().filter((x) => x.sfdcLeadId === leadId)).toHaveLength(1);
    expect(w.org.count('Lead')).toBe(2);
  });
});
