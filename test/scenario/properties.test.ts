/**
 * The DESIGN §5 checks in src/sim/properties.ts (what served mode reports,
 * from the two systems alone), each shown to pass on a synced world and to
 * catch its violation; error-logged and quiet-when-idle have one
 * implementation, the oracle's, shown here on the same worlds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { errorLogged, measureIdle, quietWhenIdle } from '../../src/sim/oracle.ts';
import { converged, noDuplicate, respectsPermissions } from '../../src/sim/properties.ts';
import { closeAllWorlds, createWorld } from '../../src/sim/world.ts';

afterAll(() => closeAllWorlds());

async function syncedLead(mutant?: string) {
  const w = createWorld(mutant ? { mutant } : {});
  const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme', Email: 'alice@acme.test' });
  await w.advance('1m');
  const person = w.instance.listPeople()[0]!;
  return { w, id, person };
}

describe('converged', () => {
  it('holds once a cycle has run, and names the field of a pair that disagrees', async () => {
    const { w, id, person } = await syncedLead();
    expect(converged(w)).toEqual([]);
    w.salesforceUser.update('Lead', id, { Title: 'CFO' });
    expect(converged(w)).toEqual([
      expect.objectContaining({ property: 'converged', personId: person.id, sfId: id, field: 'Title', message: `Lead ${id} Title = "CFO" but person ${person.id} title = null` }),
    ]);
    await w.advance('5m');
    expect(converged(w)).toEqual([]);
  });

  it('excuses a pair held back by a standing rejection that has its failure activity', async () => {
    const { w, id, person } = await syncedLead();
    w.org.setRule({ object: 'Lead', name: 'No_Interns', formula: 'Title = "Intern"', message: 'No interns' });
    w.marketoUser.update(person.id, { title: 'Intern' });
    await w.advance('5m');
    expect(w.org.get('Lead', id)!.Title).toBeNull();
    expect(converged(w)).toEqual([]);
    expect(errorLogged(w)).toEqual([]);
  });
});

describe('error-logged', () => {
  it('catches an engine that logs the same failure every cycle', async () => {
    const { w, person } = await syncedLead('log-failure-every-cycle');
    w.org.setRule({ object: 'Lead', name: 'No_Interns', formula: 'Title = "Intern"', message: 'No interns' });
    w.marketoUser.update(person.id, { title: 'Intern' });
    await w.advance('15m');
    const v = errorLogged(w);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toMatch(/one failure \(FIELD_CUSTOM_VALIDATION_EXCEPTION: No interns\) was logged [2-9] times/);
  });
});

describe('no-duplicate', () => {
  it('flags a lead the sync user created that no person links to', async () => {
    const { w } = await syncedLead();
    expect(noDuplicate(w)).toEqual([]);
    const orphan = w.org.create('Lead', { LastName: 'Twice', Company: 'Acme' }, w.org.syncUser.id);
    expect(orphan.success).toBe(true);
    expect(noDuplicate(w).map((v) => v.sfId)).toEqual([orphan.success ? orphan.id : '']);
  });

  it('flags a record linked from two people', async () => {
    const { w, id } = await syncedLead();
    w.instance.createPerson({ email: 'copy@acme.test', lastName: 'Copy', sfdcType: 'Lead', sfdcLeadId: id }, { source: 'api' });
    expect(noDuplicate(w)).toEqual([expect.objectContaining({ sfId: id, message: expect.stringMatching(/linked from 2 people/) })]);
  });
});

describe('respects-permissions', () => {
  it('flags a request of the sync user naming a field it cannot read, counting only requests after the change', async () => {
    const { w } = await syncedLead();
    expect(respectsPermissions(w)).toEqual([]);
    w.org.setAccess(w.org.syncUser.id, 'Lead.Phone', 'none');
    // Earlier requests read Phone while the sync user could: only a check from the change on is fair.
    const from = w.org.requestLog.length + 1;
    expect(respectsPermissions(w).length).toBeGreaterThan(0);
    expect(respectsPermissions(w, { fromSeq: from })).toEqual([]);
    await w.advance('5m');
    expect(respectsPermissions(w, { fromSeq: from })).toEqual([]);
    w.org.logRequest({ user: w.org.syncUser.id, method: 'GET', path: '/services/data/v59.0/query', operation: 'query', object: 'Lead', fieldsRead: ['Id', 'Phone'], fieldsWritten: [], status: 200, errorCodes: [] });
    expect(respectsPermissions(w, { fromSeq: from })).toEqual([expect.objectContaining({ field: 'Lead.Phone' })]);
  });
});

describe('quiet-when-idle', () => {
  it('idle cycles of a converged world write nothing and read the same; an edit between them shows', async () => {
    const { w, id } = await syncedLead();
    expect(quietWhenIdle(await measureIdle(w, 2))).toEqual([]);
    w.salesforceUser.update('Lead', id, { Title: 'CFO' });
    const v = quietWhenIdle(await measureIdle(w, 2));
    expect(v.map((x) => x.message)).toContain('idle cycle 1 wrote (0 to Salesforce, 1 to Marketo)');
  });
});
