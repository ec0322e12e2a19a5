/**
 * When the engine describes Lead and Contact (DESIGN §4 "Field set"): not every cycle, but at start, in the cycle
 * whose SetupAuditTrail answer first shows a setup change, after an INVALID_FIELD answer, and every 12 cycles as a
 * safety net; every cycle when the audit trail cannot be read (said once). Whatever the reason, a permission change
 * is acted on in the cycle that first sees it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld, type World } from '../../src/sim/world.ts';
import type { TraceEvent as EngineEvent } from '../../src/engine/types.ts';
import { DEFAULT_DESCRIBE_EVERY } from '../../src/engine/engine.ts';
import { mustPersonOf, sfRequests, sfWrites } from './helpers.ts';

afterAll(() => closeAllWorlds());

/** Per cycle report: how many describe subrequests it sent (0 or 2). */
function describesPerCycle(w: World, from: number): number {
  return sfRequests(w, from).filter((e) => e.path.endsWith('/describe')).length;
}

const auditReads = (w: World, from: number) => sfRequests(w, from).filter((e) => e.object === 'SetupAuditTrail');

/**
 * A linked lead whose Title the sync user may now only read (which does not change what the polls select: only the
 * audit trail can tell the engine in time), and a Marketo edit of its title and city; `from` is the request log's
 * length after it.
 */
async function titleMadeReadOnly(): Promise<{ w: World; id: string; personId: number; from: number }> {
  const w = createWorld();
  const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Title: 'CEO' });
  await w.advance('10m');
  const personId = mustPersonOf(w, id).id;
  w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'read');
  w.marketoUser.update(personId, { title: 'CTO', city: 'Oslo' });
  return { w, id, personId, from: w.org.requestLog.length };
}

/** Runs `n` cycles one by one and returns, per cycle, its describe subrequests and its report. */
async function cycles(w: World, n: number): Promise<Array<{ describes: number; sfCalls: number; ok: boolean }>> {
  const out: Array<{ describes: number; sfCalls: number; ok: boolean }> = [];
  for (let i = 0; i < n; i++) {
    const from = w.org.requestLog.length;
    const reports = await w.advance('5m');
    expect(reports).toHaveLength(1);
    out.push({ describes: describesPerCycle(w, from), sfCalls: reports[0]!.sfCalls, ok: reports[0]!.ok });
  }
  return out;
}

describe('describe only when the schema or the sync user\'s access may have changed', () => {
  it('idle cycles describe nothing: one Composite call of the audit read and the two polls', async () => {
    const w = createWorld();
    w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    await w.advance('10m'); // the start (describes) and the echo
    const from = w.org.requestLog.length;
    const runs = await cycles(w, 5);
    expect(runs).toEqual(Array.from({ length: 5 }, () => ({ describes: 0, sfCalls: 1, ok: true })));
    expect(auditReads(w, from)).toHaveLength(5);
    expect(auditReads(w, from).every((e) => e.composite === true && e.errorCodes.length === 0)).toBe(true);
  });

  it('a field made read-only: described in the cycle that sees the audit row, and Marketo\'s edit of it is not written', async () => {
    const { w, id, personId, from } = await titleMadeReadOnly();
    const [report] = await w.advance('5m');
    expect(report).toMatchObject({ ok: true, sfCalls: 3, sfUpdated: 1, rejected: 0 }); // Composite, describes, the update
    expect(describesPerCycle(w, from)).toBe(2);
    const writes = sfWrites(w, from);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.fieldsWritten).toContain('City');
    expect(writes[0]!.fieldsWritten).not.toContain('Title');
    expect(sfRequests(w, from).filter((e) => e.errorCodes.length > 0)).toEqual([]);
    expect(w.org.get('Lead', id)).toMatchObject({ City: 'Oslo', Title: 'CEO' });
    // One audit row, one describe: the next cycles are idle again.
    expect((await cycles(w, 3)).map((c) => c.describes)).toEqual([0, 0, 0]);
  });

  it('a field hidden and shown again: each change is acted on in the cycle that sees it (dropped, then synced again)', async () => {
    const w = createWorld();
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Title: 'CEO' });
    await w.advance('10m');
    const personId = mustPersonOf(w, id).id;
    w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'none');
    w.marketoUser.update(personId, { title: 'CTO' });
    const hiddenAt = w.org.requestLog.length;
    const [hidden] = await w.advance('5m');
    expect(hidden).toMatchObject({ ok: true });
    expect(describesPerCycle(w, hiddenAt)).toBe(2);
    // After the refused Composite poll, nothing names Title.
    const after = sfRequests(w, hiddenAt).slice(3);
    expect(after.some((e) => e.fieldsRead.includes('Title') || e.fieldsWritten.includes('Title'))).toBe(false);
    expect(w.org.get('Lead', id)?.Title).toBe('CEO');

    w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'edit');
    const shownAt = w.org.requestLog.length;
    const [shown] = await w.advance('5m');
    expect(shown).toMatchObject({ ok: true });
    expect(describesPerCycle(w, shownAt)).toBe(2);
    // Marketo's edit made while the field was hidden reaches Salesforce now (hidden-field.test.ts has the details).
    expect(w.org.get('Lead', id)?.Title).toBe('CTO');
  });

  it('a custom field added in Salesforce is in the field set from the cycle that sees its audit row', async () => {
    const w = createWorld();
    // Marketo has the field from the start (its describe is refreshed at most hourly).
    w.instance.addField({ name: 'tier__c', dataType: 'string' });
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    await w.advance('10m');
    const personId = mustPersonOf(w, id).id;
    w.org.addField({ object: 'Lead', name: 'Tier__c', type: 'string' });
    w.salesforceUser.update('Lead', id, { Tier__c: 'Gold' });
    const from = w.org.requestLog.length;
    const [report] = await w.advance('5m');
    expect(report).toMatchObject({ ok: true });
    expect(describesPerCycle(w, from)).toBe(2);
    expect(w.instance.getPerson(personId)?.['tier__c']).toBe('Gold');
  });

  it('a restarted engine describes in its first cycle, then goes idle again', async () => {
    const w = createWorld();
    await w.advance('10m');
    w.restartEngine();
    const from = w.org.requestLog.length;
    const [first] = await w.advance('1m');
    expect(first).toMatchObject({ ok: true });
    expect(describesPerCycle(w, from)).toBe(2);
    // The audit read goes first: a setup change it shows was made before the describes ran, so they cover it.
    const composite = sfRequests(w, from).filter((e) => e.composite).slice(0, 3);
    expect(composite.map((e) => (e.path.endsWith('/describe') ? `describe ${e.object}` : e.object))).toEqual(['SetupAuditTrail', 'describe Lead', 'describe Contact']);
    expect((await cycles(w, 2)).map((c) => c.describes)).toEqual([0, 0]);
  });

  it(`the safety net: a describe every ${DEFAULT_DESCRIBE_EVERY} cycles with no setup change`, async () => {
    const w = createWorld();
    await w.advance('1m'); // the first cycle (at once): describes
    const runs = await cycles(w, 2 * DEFAULT_DESCRIBE_EVERY);
    // runs[i] is cycle i + 2.
    const describedIn = runs.flatMap((r, i) => (r.describes > 0 ? [i + 2] : []));
    expect(describedIn).toEqual([1 + DEFAULT_DESCRIBE_EVERY, 1 + 2 * DEFAULT_DESCRIBE_EVERY]);
    // The safety net's describes ride in the cycle's one Composite call.
    expect(runs[DEFAULT_DESCRIBE_EVERY - 1]).toMatchObject({ describes: 2, sfCalls: 1, ok: true });
  });

  it('a change the audit trail does not record: the refused poll (INVALID_FIELD) makes the cycle describe; a gained field waits for the safety net', async () => {
    const w = createWorld();
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Title: 'CEO' });
    await w.advance('5m');
    const personId = mustPersonOf(w, id).id;
    // As if made where Setup does not audit it (a package install, say): no SetupAuditTrail row.
    const record = w.org.recordSetupChange.bind(w.org);
    w.org.recordSetupChange = () => '';
    try {
      w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'none');
    } finally {
      w.org.recordSetupChange = record;
    }
    const from = w.org.requestLog.length;
    const [report] = await w.advance('5m');
    expect(report).toMatchObject({ ok: true, sfCalls: 3 }); // Composite (Lead poll refused), describes, Lead poll again
    const polls = sfRequests(w, from).filter((e) => e.path.includes('/queryAll') && e.object === 'Lead');
    expect(polls.map((e) => e.errorCodes)).toEqual([['INVALID_FIELD'], []]);
    expect(polls[1]!.fieldsRead).not.toContain('Title');
    expect(describesPerCycle(w, from)).toBe(2);

    // Shown again without an audit row: nothing is refused, so only the safety net notices.
    w.org.recordSetupChange = () => '';
    try {
      w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'edit');
    } finally {
      w.org.recordSetupChange = record;
    }
    w.marketoUser.update(personId, { title: 'CTO' });
    const runs = await cycles(w, DEFAULT_DESCRIBE_EVERY);
    const describedIn = runs.flatMap((r, i) => (r.describes > 0 ? [i] : []));
    expect(describedIn).toHaveLength(1);
    expect(w.org.get('Lead', id)?.Title).toBe('CTO');
  });

  it('without View Setup and Configuration: describes every cycle, as before the audit trail, and says so once', async () => {
    const events: EngineEvent[] = [];
    const w = createWorld({ onEngineEvent: (e) => events.push(e) });
    w.org.setViewSetup(w.org.syncUser.id, false);
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Title: 'CEO' });
    await w.advance('1m'); // the first cycle (at once)
    expect(describesPerCycle(w, 0)).toBe(2);
    const runs = await cycles(w, 3);
    expect(runs.map((r) => r.describes)).toEqual([2, 2, 2]);
    // After the first (refused) read, the audit trail is not asked again; each cycle is still one Composite call.
    const refused = auditReads(w, 0);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.errorCodes).toEqual(['INVALID_TYPE']);
    expect(runs.slice(1).map((r) => r.sfCalls)).toEqual([1, 1]);
    const notices = events.filter((e) => e.type === 'skip' && /SetupAuditTrail unreadable/.test(e.reason));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ reason: expect.stringContaining('INVALID_TYPE') });

    // A permission change is still acted on in the cycle that first sees it.
    const personId = mustPersonOf(w, id).id;
    w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'read');
    w.marketoUser.update(personId, { title: 'CTO' });
    const from = w.org.requestLog.length;
    await w.advance('5m');
    expect(sfWrites(w, from).some((e) => e.fieldsWritten.includes('Title'))).toBe(false);
    expect(sfRequests(w, from).filter((e) => e.errorCodes.length > 0)).toEqual([]);
  });

  it('a refused audit read in a cycle that was not going to describe: that cycle describes in a follow-up call', async () => {
    const w = createWorld();
    await w.advance('10m');
    w.org.setViewSetup(w.org.syncUser.id, false);
    const from = w.org.requestLog.length;
    const [report] = await w.advance('5m');
    expect(report).toMatchObject({ ok: true, sfCalls: 2 }); // the Composite (audit refused), the describes
    expect(describesPerCycle(w, from)).toBe(2);
    expect((await cycles(w, 2)).map((c) => c.describes)).toEqual([2, 2]);
  });
});

/** The sync user's Composite subrequests since `from`, each as `describe Object` or the object its query reads. */
const compositeShape = (w: World, from: number) =>
  sfRequests(w, from)
    .filter((e) => e.composite)
    .map((e) => (e.path.endsWith('/describe') ? `describe ${e.object}` : (e.object ?? e.path)));

describe('Sync Person to SFDC describes by the same rule as the cycle (audit position shared with it)', () => {
  it('no setup change since the last describe: its Composite call is the audit read and the linked row, no describe', async () => {
    const w = createWorld();
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    await w.advance('10m');
    const personId = mustPersonOf(w, id).id;
    w.marketoUser.update(personId, { title: 'CFO' });
    const from = w.org.requestLog.length;
    expect(await w.syncPersonToSfdc(personId)).toMatchObject({ outcome: 'updated', sfId: id });
    expect(compositeShape(w, from)).toEqual(['SetupAuditTrail', 'Lead']);
    expect(describesPerCycle(w, from)).toBe(0);
    expect(w.org.get('Lead', id)?.Title).toBe('CFO');

    // An unlinked person: the audit read alone, then the create.
    const p = w.marketoUser.create({ email: 'nia@new.test', lastName: 'New', company: 'Fresh Co', title: 'CTO' });
    const next = w.org.requestLog.length;
    const created = await w.syncPersonToSfdc(p.id);
    expect(created.outcome).toBe('created');
    expect(compositeShape(w, next)).toEqual(['SetupAuditTrail']);
    expect(describesPerCycle(w, next)).toBe(0);
    expect(w.org.get('Lead', created.sfId!)).toMatchObject({ Title: 'CTO', Company: 'Fresh Co' });
  });

  it('a field made read-only just before the flow action: it describes, and its update does not name the field', async () => {
    const { w, id, personId, from } = await titleMadeReadOnly();
    expect(await w.syncPersonToSfdc(personId)).toMatchObject({ outcome: 'updated', sfId: id });
    expect(describesPerCycle(w, from)).toBe(2);
    const writes = sfWrites(w, from);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.fieldsWritten).toContain('City');
    expect(writes[0]!.fieldsWritten).not.toContain('Title');
    expect(sfRequests(w, from).filter((e) => e.errorCodes.length > 0)).toEqual([]);
    expect(w.org.get('Lead', id)).toMatchObject({ City: 'Oslo', Title: 'CEO' });
    // The flow action acted on the audit row: the cycles after it do not describe for it again.
    expect((await cycles(w, 2)).map((c) => c.describes)).toEqual([0, 0]);
  });

  it('a field hidden just before a create: the create does not name it and is not refused', async () => {
    const w = createWorld();
    await w.advance('10m');
    w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'none');
    const p = w.marketoUser.create({ email: 'hid@den.test', lastName: 'Hidden', company: 'Co', title: 'CTO', city: 'Oslo' });
    const from = w.org.requestLog.length;
    const r = await w.syncPersonToSfdc(p.id);
    expect(r.outcome).toBe('created');
    expect(describesPerCycle(w, from)).toBe(2);
    const writes = sfWrites(w, from);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.some((e) => e.fieldsWritten.includes('Title'))).toBe(false);
    expect(writes[0]!.fieldsWritten).toContain('City');
    expect(sfRequests(w, from).filter((e) => e.errorCodes.length > 0)).toEqual([]);
    expect(w.org.get('Lead', r.sfId!)).toMatchObject({ City: 'Oslo', Title: null });
  });

  it('the audit read refused: the flow action describes in a follow-up call, and from then on in its Composite call', async () => {
    const w = createWorld();
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    await w.advance('10m');
    const personId = mustPersonOf(w, id).id;
    w.org.setViewSetup(w.org.syncUser.id, false);
    w.marketoUser.update(personId, { title: 'CFO' });
    const from = w.org.requestLog.length;
    expect(await w.syncPersonToSfdc(personId)).toMatchObject({ outcome: 'updated' });
    expect(compositeShape(w, from)).toEqual(['SetupAuditTrail', 'Lead', 'describe Lead', 'describe Contact']);
    expect(auditReads(w, from).map((e) => e.errorCodes)).toEqual([['INVALID_TYPE']]);
    w.marketoUser.update(personId, { title: 'CEO' });
    const next = w.org.requestLog.length;
    expect(await w.syncPersonToSfdc(personId)).toMatchObject({ outcome: 'updated' });
    expect(compositeShape(w, next)).toEqual(['describe Lead', 'describe Contact', 'Lead']);
    expect(w.org.get('Lead', id)?.Title).toBe('CEO');
  });
});
