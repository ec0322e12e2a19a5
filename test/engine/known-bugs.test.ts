/**
 * Engine bugs the property suite found, now fixed, each pinned by the smallest world that showed it (their shrunk
 * counterexamples replay in test/property/regressions/). The Sync Person to SFDC lock fix is shown in mutants.test.ts
 * (no-retry-on-lock); the failure-activity fixes are in failure-activity.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld, type World } from '../../src/sim/world.ts';
import { failureActivities, HOT_NEEDS_PHONE, mustPersonOf, personOf } from './helpers.ts';

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

describe('activity-logged-again-after-crash: a crash right after the failure activity is written', () => {
  async function rejectedLead() {
    const w = createWorld();
    w.org.setRule(HOT_NEEDS_PHONE);
    const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
    await w.advance('5m');
    const personId = mustPersonOf(w, id).id;
    w.marketoUser.update(personId, { rating: 'Hot', title: 'CEO' });
    return { w, personId };
  }

  const requests = (w: World) => w.org.requestLog.length + w.instance.requestLog.length;

  it('the restarted engine finds the activity and does not log the same failure again, wherever the crash falls', async () => {
    const dry = await rejectedLead();
    const before = requests(dry.w);
    await dry.w.advance('5m');
    const n = requests(dry.w) - before;
    expect(failureActivities(dry.w, dry.personId)).toHaveLength(1);
    for (let k = 0; k <= n; k++) {
      const { w, personId } = await rejectedLead();
      w.crashEngineAfter(k);
      await w.advance('5m');
      w.restartEngine();
      await w.advance('15m');
      expect(failureActivities(w, personId), `crash after ${k} of ${n} requests`).toHaveLength(1);
    }
  });

  it('a failure that cleared and came back is still logged again after a restart', async () => {
    const { w, personId } = await rejectedLead();
    await w.advance('5m');
    w.marketoUser.update(personId, { phone: '+1 555 0100' });
    await w.advance('5m');
    expect(w.store.snapshot()!.links[String(personId)]?.failure).toBeUndefined();
    w.marketoUser.update(personId, { phone: null });
    w.crashEngineAfter(0);
    await w.advance('5m');
    w.restartEngine();
    await w.advance('5m');
    expect(failureActivities(w, personId)).toHaveLength(2);
  });
});

describe('found by the property suite: Sync Person to SFDC after a permission change', () => {
  it('describes afresh, so its create never names a field the sync user lost since the last cycle', async () => {
    const w = createWorld();
    await w.advance('1m');
    w.org.setAccess(w.org.syncUser.id, 'Lead.City', 'none');
    const p = w.marketoUser.create({ email: 'city@acme.test', lastName: 'City', company: 'Acme', city: 'Oslo' });
    const from = w.org.requestLog.length;
    const r = await w.syncPersonToSfdc(p.id);
    expect(r.outcome).toBe('created');
    const naming = w.org.requestLog.slice(from).filter((e) => e.user === w.org.syncUser.id && (e.fieldsWritten.includes('City') || e.errorCodes.includes('INVALID_FIELD')));
    expect(naming).toEqual([]);
    expect(w.org.get('Lead', r.sfId!)?.City).toBeNull();
  });
});

describe('crash-echo-beats-later-edit: a crash after the engine’s write lands and before its state is saved', () => {
  // The restarted engine's ancestor predates its own write; a user edit on the other side then made both sides look
  // changed and the winner policy kept the engine's echo. Write-ahead intents make the written value the ancestor.
  const requests = (w: World) => w.org.requestLog.length + w.instance.requestLog.length;

  /** Runs `setup` for a dry count of the next cycle's requests, then once per crash point. */
  async function everyCrashPoint(
    setup: () => Promise<{ w: World; landed: () => boolean; userEdit: () => void; check: (where: string) => void }>,
  ): Promise<number> {
    const dry = await setup();
    const before = requests(dry.w);
    await dry.w.advance('5m');
    const n = requests(dry.w) - before;
    let landedBeforeSave = 0;
    for (let k = 0; k <= n; k++) {
      const { w, landed, userEdit, check } = await setup();
      w.crashEngineAfter(k);
      await w.advance('5m');
      if (landed()) landedBeforeSave++;
      userEdit();
      w.restartEngine();
      await w.advance('15m');
      check(`crash after ${k} of ${n} requests`);
    }
    return landedBeforeSave;
  }

  it('lead: the engine wrote Marketo, then a Salesforce user edits the field: the user’s edit wins on both sides', async () => {
    const landed = await everyCrashPoint(async () => {
      const w = createWorld();
      const id = w.salesforceUser.create('Lead', { LastName: 'Echo', Company: 'Acme', Email: 'echo@acme.test' });
      await w.advance('5m');
      const personId = mustPersonOf(w, id).id;
      w.salesforceUser.update('Lead', id, { Rating: 'Hot' });
      return {
        w,
        landed: () => w.instance.getPerson(personId)?.rating === 'Hot' && w.store.snapshot()!.links[String(personId)]?.ancestor.Rating !== 'Hot',
        userEdit: () => void w.salesforceUser.update('Lead', id, { Rating: 'Warm' }),
        check: (where) => {
          expect(w.org.get('Lead', id)?.Rating, where).toBe('Warm');
          expect(w.instance.getPerson(personId)?.rating, where).toBe('Warm');
        },
      };
    });
    expect(landed).toBeGreaterThan(0); // some crash point fell between the write and the save
  });

  it('contact: the engine wrote Salesforce, then a Marketo user edits the field: the user’s edit wins on both sides', async () => {
    const landed = await everyCrashPoint(async () => {
      const w = createWorld();
      const id = w.salesforceUser.create('Contact', { LastName: 'Echo', Email: 'echo@acme.test' });
      await w.advance('5m');
      const personId = mustPersonOf(w, id).id;
      w.marketoUser.update(personId, { title: 'CTO' });
      return {
        w,
        landed: () => w.org.get('Contact', id)?.Title === 'CTO' && w.store.snapshot()!.links[String(personId)]?.ancestor.Title !== 'CTO',
        userEdit: () => void w.marketoUser.update(personId, { title: 'CEO' }),
        check: (where) => {
          expect(w.org.get('Contact', id)?.Title, where).toBe('CEO');
          expect(w.instance.getPerson(personId)?.title, where).toBe('CEO');
        },
      };
    });
    expect(landed).toBeGreaterThan(0);
  });
});
