/**
 * Engine bugs the property suite found (src/sim/oracle.ts KNOWN_ENGINE_BUGS), each pinned by the smallest world
 * that showed it. The Sync Person to SFDC lock fix is shown in mutants.test.ts (no-retry-on-lock).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld } from '../../src/sim/world.ts';
import { mustPersonOf, personOf } from './helpers.ts';

afterAll(() => closeAllWorlds());

describe('merge-loser-orphaned: a Salesforce merge whose survivor’s person was deleted in Marketo', () => {
  it('the loser’s person takes the survivor over instead of pointing at the merged-away lead', async () => {
    const w = createWorld();
    const keep = w.salesforceUser.create('Lead', { LastName: 'Keep', Company: 'Acme', Email: 'k@acme.test' });
    const lose = w.salesforceUser.create('Lead', { LastName: 'Lose', Company: 'Acme', Email: 'l@acme.test' });
    await w.advance('5m');
    const pKeep = mustPersonOf(w, keep);
    const pLose = mustPersonOf(w, lose);
    w.salesforceUser.merge('Lead', keep, [lose]);
    w.marketoUser.delete(pKeep.id);
    await w.advance('10m');
    expect(personOf(w, lose)).toBeUndefined();
    expect(w.instance.listPeople().map((p) => p.id)).toEqual([pLose.id]);
    expect(w.instance.getPerson(pLose.id)).toMatchObject({ sfdcType: 'Lead', sfdcLeadId: keep, lastName: 'Keep' });
    expect(Object.keys(w.store.snapshot()!.links)).toEqual([String(pLose.id)]);
    // And the pair syncs on.
    w.marketoUser.update(pLose.id, { title: 'Survivor' });
    await w.advance('5m');
    expect(w.org.get('Lead', keep)?.Title).toBe('Survivor');
  });
});
