/**
 * DESIGN §1.1 (the rhythm), §1.2 (both directions, leads and contacts),
 * §1.9 second half (Salesforce records come in by the cycle), §4 echoes and
 * efficiency (an idle cycle's calls).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld } from '../../src/sim/world.ts';
import { mkWrites, mustPersonOf, sfRequests, sfWrites } from './helpers.ts';

afterAll(() => closeAllWorlds());

describe('the cycle rhythm (DESIGN §1.1)', () => {
  it('nothing moves between cycles; the next cycle starts an interval after the previous one ends', async () => {
    const w = createWorld();
    await w.advance('1s'); // cycle 1 at t0
    const t0 = w.clock.now() - 1000;
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Email: 'a@acme.test' });
    await w.advance('4m58s');
    expect(w.instance.listPeople()).toHaveLength(0); // not yet: no cycle ran
    await w.advance('2s');
    expect(mustPersonOf(w, id).lastName).toBe('Smith');

    // A fault that makes the cycle back off stretches it; the next one waits a full interval after its end.
    const starts = () => w.engineEvents.filter((e) => e.type === 'cycle-start').map((e) => e.at - t0);
    const ends = () => w.engineEvents.filter((e) => e.type === 'cycle-end').map((e) => e.at - t0);
    w.fault({ system: 'salesforce', kind: 'unavailable', times: 2 });
    await w.advance('5m');
    const lastEnd = ends().at(-1)!;
    expect(lastEnd).toBeGreaterThan(starts().at(-1)!); // the backoff took virtual time
    await w.advance('10m');
    expect(starts()[3]).toBe(lastEnd + 5 * 60_000);
  });
});

describe('both directions (DESIGN §1.2)', () => {
  it('a lead created and edited in Salesforce reaches Marketo, and a Marketo edit reaches the lead', async () => {
    const w = createWorld();
    const id = w.salesforceUser.create('Lead', { FirstName: 'Alice', LastName: 'Smith', Company: 'Acme', Email: 'alice@acme.test', AnnualRevenue: 5000000, NumberOfEmployees: 120, HasOptedOutOfEmail: true });
    await w.advance('5m');
    const p = mustPersonOf(w, id);
    expect(p).toMatchObject({ sfdcType: 'Lead', firstName: 'Alice', company: 'Acme', annualRevenue: 5000000, numberOfEmployees: 120, unsubscribed: true, leadStatus: 'Open - Not Contacted' });

    w.salesforceUser.update('Lead', id, { Title: 'CFO' });
    await w.advance('5m');
    expect(w.instance.getPerson(p.id)?.title).toBe('CFO');

    w.marketoUser.update(p.id, { phone: '+1 555 0100', city: 'Boston' });
    await w.advance('5m');
    expect(w.org.get('Lead', id)).toMatchObject({ Phone: '+1 555 0100', City: 'Boston', Title: 'CFO' });
  });

  it('a contact created in Salesforce reaches Marketo as a Contact person, and edits flow both ways', async () => {
    const w = createWorld();
    const acct = w.salesforceUser.create('Account', { Name: 'Globex' });
    const id = w.salesforceUser.create('Contact', { FirstName: 'Bob', LastName: 'Jones', Email: 'bob@globex.test', AccountId: acct });
    await w.advance('5m');
    const p = mustPersonOf(w, id);
    expect(p).toMatchObject({ sfdcType: 'Contact', sfdcContactId: id, sfdcAccountId: acct, lastName: 'Jones' });
    w.marketoUser.update(p.id, { title: 'VP Sales' });
    await w.advance('5m');
    expect(w.org.get('Contact', id)?.Title).toBe('VP Sales');
    w.salesforceUser.update('Contact', id, { MobilePhone: '+1 555 0199' });
    await w.advance('5m');
    expect(w.instance.getPerson(p.id)?.mobilePhone).toBe('+1 555 0199');
  });
});

describe('echoes and idle cycles (DESIGN §4, §5.6)', () => {
  it("the engine's own writes come back as echoes and cause no further writes", async () => {
    const w = createWorld();
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    await w.advance('5m');
    const p = mustPersonOf(w, id);
    w.marketoUser.update(p.id, { title: 'CEO' });
    await w.advance('5m'); // writes Title to Salesforce
    const modstamp = w.org.get('Lead', id)?.SystemModstamp;
    const sfLog = w.org.requestLog.length;
    const mkLog = w.instance.requestLog.length;
    await w.advance('15m'); // three cycles that see only echoes
    expect(sfWrites(w, sfLog)).toEqual([]);
    expect(mkWrites(w, mkLog)).toEqual([]);
    expect(w.org.get('Lead', id)?.SystemModstamp).toBe(modstamp);
  });

  it('an idle cycle costs 2 calls in all: 1 to Salesforce (setup changes and polls in one Composite call, no describe), 1 to Marketo', async () => {
    const w = createWorld();
    for (let i = 0; i < 50; i++) w.salesforceUser.create('Lead', { LastName: `L${i}`, Company: 'Acme' });
    await w.advance('20m'); // initial load, then the echo cycles
    const sfLog = w.org.requestLog.length;
    const reports = await w.advance('30m');
    expect(reports).toHaveLength(6);
    for (const r of reports) {
      expect(r).toMatchObject({ ok: true, sfCalls: 1, mktoCalls: 1, sfUpdated: 0, mktoUpdated: 0, peopleCreated: 0 });
    }
    // One Composite call per cycle, logged as its three subrequests: SetupAuditTrail since the last position, poll
    // Contact, poll Lead. No describe: nothing changed in Setup, and the hourly safety net is not due.
    const entries = sfRequests(w, sfLog);
    expect(entries.every((e) => e.composite === true)).toBe(true);
    const kinds = entries.map((e) => (e.path.endsWith('/describe') ? `describe ${e.object}` : e.path.includes('/queryAll') ? `poll ${e.object}` : `${e.operation} ${e.object}`));
    expect(kinds).toEqual(Array.from({ length: 6 }, () => ['query SetupAuditTrail', 'poll Contact', 'poll Lead']).flat());
    expect(sfWrites(w, sfLog)).toEqual([]);
  });

  it('an idle cycle commits once (nothing to move past); a cycle that moves a watermark commits twice, the state and then the watermarks', async () => {
    const w = createWorld();
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    await w.advance('20m');
    const saves = w.store.saves;
    await w.advance('5m');
    expect(w.store.saves - saves).toBe(1);
    const committed = w.store.snapshot();
    w.salesforceUser.update('Lead', id, { Title: 'CEO' });
    w.clock.advanceBy(2 * 60_000); // past the look-back: the edit's row moves the Lead watermark
    await w.advance('5m');
    expect(w.store.saves - saves).toBe(3);
    const moved = w.store.snapshot()!;
    expect(moved.sfWatermark.Lead! > committed!.sfWatermark.Lead!).toBe(true);
    await w.advance('5m'); // reads the Marketo echo of its write: the change feed's token moves
    const settled = w.store.snapshot()!;
    expect(settled.marketoToken).not.toBe(moved.marketoToken);
    // An idle cycle's one save holds everything a second one would have: a restart resumes from it as it was.
    const idleSaves = w.store.saves;
    await w.advance('5m');
    expect(w.store.saves - idleSaves).toBe(1);
    expect({ ...w.store.snapshot(), savedAt: 0 }).toEqual({ ...settled, savedAt: 0 });
  });

  it('an idle cycle still notices a permission change: the next poll leaves out the field the sync user lost', async () => {
    const w = createWorld();
    w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Title: 'CEO' });
    await w.advance('15m');
    // A refused query is logged without its object: read it from the SOQL.
    const polls = (from: number) => sfRequests(w, from).filter((e) => e.path.includes('/queryAll') && /FROM Lead\b/.test(decodeURIComponent(e.path)));
    const before = w.org.requestLog.length;
    await w.advance('5m');
    expect(polls(before)[0]?.fieldsRead).toContain('Title');
    w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'none');
    const after = w.org.requestLog.length;
    const [report] = await w.advance('5m');
    // The Composite's Lead poll still asked for Title (written with the last describe's field set) and was refused;
    // its audit answer shows the change, so Lead and Contact are described again (one call) and the Lead poll goes
    // again without Title (one more), in this cycle only.
    expect(report).toMatchObject({ ok: true, sfCalls: 3, mktoCalls: 1 });
    const leadPolls = polls(after);
    expect(leadPolls.map((e) => [e.composite === true, e.errorCodes])).toEqual([
      [true, ['INVALID_FIELD']],
      [false, []],
    ]);
    expect(leadPolls[1]?.fieldsRead).not.toContain('Title');
    const next = w.org.requestLog.length;
    const [idle] = await w.advance('5m');
    expect(idle).toMatchObject({ ok: true, sfCalls: 1, mktoCalls: 1 });
    expect(polls(next).map((e) => e.errorCodes)).toEqual([[]]);
    expect(polls(next)[0]?.fieldsRead).not.toContain('Title');
  });
});
