/**
 * The engine's deliberately broken variants (issue 6 §2 "The suite must be able to fail"): the names are exactly
 * the simulator's list, an unknown name is refused, and each mutant misbehaves where the reference engine does not.
 * Four more are shown next to the behaviour they break: echo-by-last-modified-by (conflicts.test.ts),
 * log-failure-every-cycle (rejections.test.ts), watermark-before-write (restart.test.ts),
 * flow-action-no-duplicate-check (sync-person.test.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MUTANTS } from '../../src/engine/index.ts';
import { MUTANT_NAMES } from '../../src/sim/mutants.ts';
import { closeAllWorlds, createWorld, type World } from '../../src/sim/world.ts';
import { failureActivities, mustPersonOf, sfRequests } from './helpers.ts';

afterAll(() => closeAllWorlds());

async function linkedLead(mutant?: string) {
  const w = createWorld(mutant ? { mutant } : {});
  const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Title: 'Manager', Phone: '+1 555 0000' });
  await w.advance('5m');
  return { w, id, personId: mustPersonOf(w, id).id };
}

describe('mutant names', () => {
  it('are exactly the simulator list (src/sim/mutants.ts)', () => {
    expect([...MUTANTS]).toEqual([...MUTANT_NAMES]);
  });

  it('an unknown name is refused with the valid names, not run as the reference engine', () => {
    expect(() => createWorld({ mutant: 'marketo-always-wins' })).toThrow(
      /unknown engine mutant "marketo-always-wins"; the mutants are: salesforce-wins-leads, echo-by-last-modified-by, .*flow-action-no-duplicate-check/,
    );
  });
});

describe('salesforce-wins-leads', () => {
  async function leadConflict(mutant?: string) {
    const { w, id, personId } = await linkedLead(mutant);
    w.salesforceUser.update('Lead', id, { Title: 'CFO' });
    w.marketoUser.update(personId, { title: 'CEO' });
    await w.advance('5m');
    return { sf: w.org.get('Lead', id)?.Title, mk: w.instance.getPerson(personId)?.title };
  }

  it('the reference engine: Marketo wins a lead field changed on both sides', async () => {
    expect(await leadConflict()).toEqual({ sf: 'CEO', mk: 'CEO' });
  });

  it('the mutant: Salesforce wins it', async () => {
    expect(await leadConflict('salesforce-wins-leads')).toEqual({ sf: 'CFO', mk: 'CFO' });
  });

  it('the mutant leaves contacts alone (Salesforce wins there anyway)', async () => {
    const w = createWorld({ mutant: 'salesforce-wins-leads', winner: { Contact: 'marketo' } });
    const id = w.salesforceUser.create('Contact', { LastName: 'Jones', Title: 'Manager' });
    await w.advance('5m');
    const personId = mustPersonOf(w, id).id;
    w.salesforceUser.update('Contact', id, { Title: 'CFO' });
    w.marketoUser.update(personId, { title: 'CEO' });
    await w.advance('5m');
    expect(w.org.get('Contact', id)?.Title).toBe('CEO');
  });
});

describe('no-retry-on-lock', () => {
  async function lockedUpdate(mutant?: string) {
    const { w, id, personId } = await linkedLead(mutant);
    w.marketoUser.update(personId, { title: 'CEO' });
    w.fault({ system: 'salesforce', kind: 'lock', times: 1 });
    await w.advance('5m');
    expect(w.faults.fired.some((f) => f.kind === 'lock')).toBe(true);
    return { w, id, personId };
  }

  it('the reference engine: a row lock on an update is retried within the cycle, no failure activity', async () => {
    const { w, id, personId } = await lockedUpdate();
    expect(w.org.get('Lead', id)?.Title).toBe('CEO');
    expect(failureActivities(w, personId)).toHaveLength(0);
    expect(w.engineEvents.some((e) => e.type === 'retry' && e.error.includes('UNABLE_TO_LOCK_ROW'))).toBe(true);
  });

  it('the mutant: the lock is logged as a rejection and the update waits for the next cycle', async () => {
    const { w, id, personId } = await lockedUpdate('no-retry-on-lock');
    expect(w.org.get('Lead', id)?.Title).toBe('Manager');
    expect(failureActivities(w, personId).map((a) => a.primaryAttributeValue)).toEqual(['UNABLE_TO_LOCK_ROW']);
  });

  async function lockedCreate(mutant?: string) {
    const w = createWorld(mutant ? { mutant } : {});
    const p = w.marketoUser.create({ email: 'locked@acme.test', lastName: 'Locked', company: 'Acme' });
    await w.advance('1m');
    w.fault({ system: 'salesforce', kind: 'lock', times: 1 });
    const r = await w.syncPersonToSfdc(p.id);
    return { w, p, r };
  }

  it('the reference engine: Sync Person to SFDC retries a create that hit a row lock, no failure activity', async () => {
    const { w, p, r } = await lockedCreate();
    expect(r.outcome).toBe('created');
    expect(w.instance.getPerson(p.id)?.sfdcLeadId).toBe(r.sfId);
    expect(w.org.count('Lead')).toBe(1);
    expect(failureActivities(w, p.id)).toHaveLength(0);
  });

  it('the mutant: the locked create is a rejection with a failure activity', async () => {
    const { w, p, r } = await lockedCreate('no-retry-on-lock');
    expect(r.outcome).toBe('rejected');
    expect(failureActivities(w, p.id).map((a) => a.primaryAttributeValue)).toEqual(['UNABLE_TO_LOCK_ROW']);
  });

  it('the reference engine: a create locked on every attempt is left to the cycle, still without an activity', async () => {
    const w = createWorld();
    const p = w.marketoUser.create({ email: 'stuck@acme.test', lastName: 'Stuck', company: 'Acme' });
    await w.advance('1m');
    w.fault({ system: 'salesforce', kind: 'lock', times: 6 });
    const r = await w.syncPersonToSfdc(p.id);
    expect(r).toMatchObject({ outcome: 'failed', error: { errorCode: 'UNABLE_TO_LOCK_ROW' } });
    expect(w.org.count('Lead')).toBe(0);
    await w.advance('5m');
    expect(w.org.count('Lead')).toBe(1);
    expect(w.instance.getPerson(p.id)?.sfdcType).toBe('Lead');
    expect(failureActivities(w, p.id)).toHaveLength(0);
  });
});

describe('write-hidden-fields', () => {
  /** Requests of the sync user after `from` that name Lead.Phone (select lists, write bodies). */
  function namingPhone(w: World, from: number): number {
    // A query Salesforce refuses (INVALID_FIELD) has no fields in the emulator's log: read its SOQL instead.
    const soql = (path: string) => decodeURIComponent(path.split('?q=')[1] ?? '').replace(/\+/g, ' ');
    return sfRequests(w, from).filter(
      (e) => (e.object === 'Lead' && (e.fieldsRead.includes('Phone') || e.fieldsWritten.includes('Phone'))) || /\bPhone\b.* FROM Lead\b/.test(soql(e.path)),
    ).length;
  }

  async function phoneHidden(mutant?: string) {
    const { w, id, personId } = await linkedLead(mutant);
    w.org.setAccess(w.org.syncUser.id, 'Lead.Phone', 'none');
    const from = w.org.requestLog.length;
    w.marketoUser.update(personId, { phone: '+1 555 0199', city: 'Oslo' });
    const reports = await w.advance('15m');
    return { w, id, from, reports };
  }

  it('the reference engine: a field the sync user lost is neither read nor written, and the rest syncs', async () => {
    const { w, id, from, reports } = await phoneHidden();
    expect(reports.every((r) => r.ok)).toBe(true);
    // Named once: the first cycle's Composite poll was written before its describe showed Phone gone, and Salesforce
    // refused it (INVALID_FIELD) without reading anything; never again after that.
    const naming = sfRequests(w, from).filter((e) => e.errorCodes.includes('INVALID_FIELD'));
    expect(naming.map((e) => e.composite)).toEqual([true]);
    expect(namingPhone(w, from)).toBe(1);
    expect(namingPhone(w, w.org.requestLog.indexOf(naming[0]!) + 1)).toBe(0);
    expect(w.org.get('Lead', id)).toMatchObject({ City: 'Oslo', Phone: '+1 555 0000' });
  });

  it('the mutant: it keeps naming the hidden field, cycle after cycle', async () => {
    const { w, from, reports } = await phoneHidden('write-hidden-fields');
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(namingPhone(w, from)).toBeGreaterThanOrEqual(reports.length);
    expect(reports.some((r) => !r.ok)).toBe(true);
  });

  it('the mutant writes a field the sync user may only read', async () => {
    const { w, id, personId } = await linkedLead('write-hidden-fields');
    w.org.setAccess(w.org.syncUser.id, 'Lead.Title', 'read');
    const from = w.org.requestLog.length;
    w.marketoUser.update(personId, { title: 'CEO' });
    await w.advance('5m');
    const writes = sfRequests(w, from).filter((e) => e.method === 'PATCH');
    expect(writes.some((e) => e.errorCodes.includes('INVALID_FIELD_FOR_INSERT_UPDATE'))).toBe(true);
    expect(w.org.get('Lead', id)?.Title).toBe('Manager');
  });
});
