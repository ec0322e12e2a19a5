/**
 * The engine's failure activities (DESIGN §4 "Rejections": one per distinct failure) under lost answers, failed
 * cycles and merges, each found by the property suite:
 * - the `SFDC Sync Failure` type is created on first use (create → attributes → approve); each step can time out after
 *   Marketo committed it, and the engine then reads the types again and adopts what landed instead of failing the cycle
 *   on "already exists" (activity-type-create-not-idempotent);
 * - an activity whose answer is lost is looked up before it is sent again;
 * - a rejection is logged even when the cycle's Marketo writes then fail;
 * - a survivor of a merge inherits what was logged on the loser's person.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FAILURE_ACTIVITY } from '../../src/engine/failure-log.ts';
import { MarketoClient } from '../../src/engine/marketo.ts';
import { DEFAULT_RETRY } from '../../src/engine/retry.ts';
import { closeAllWorlds, createWorld, MARKETO_BASE_URL } from '../../src/sim/world.ts';
import { HOT_NEEDS_PHONE, failureActivities, mustPersonOf, refusedOnNextCycle } from './helpers.ts';

afterAll(() => closeAllWorlds());

describe('the failure activity type, when an answer is lost after Marketo committed', () => {
  it('the type create times out after commit: the cycle adopts the type, logs the rejection once and goes on', async () => {
    const { w, id, personId } = await refusedOnNextCycle();
    // The cycle's first Marketo write is the type create (the update goes to Salesforce and is refused).
    w.fault({ system: 'marketo', kind: 'timeout-after-commit', times: 1 });
    const reports = await w.advance('5m');
    expect(w.faults.fired.map((f) => f.path)).toEqual(['/rest/v1/activities/external/type.json']);
    expect(reports.map((r) => r.ok)).toEqual([true]);
    expect(w.instance.activityLog.customTypes().filter((t) => t.name === 'SFDC Sync Failure')).toHaveLength(1);
    expect(w.instance.activityLog.customTypes()[0]).toMatchObject({ status: 'approved' });
    expect(failureActivities(w, personId)).toHaveLength(1);
    // The rejection clears before the next cycle: it stays logged once, and the pair syncs.
    w.org.setRule({ ...HOT_NEEDS_PHONE, active: false });
    await w.advance('10m');
    expect(w.org.get('Lead', id)?.Rating).toBe('Hot');
    expect(failureActivities(w, personId)).toHaveLength(1);
  });

  /** The world's in-process fetch when it has one; else the global fetch, which its msw server intercepts. */
  const worldFetch = (w: ReturnType<typeof createWorld>): typeof fetch => (w as unknown as { fetch?: typeof fetch }).fetch ?? fetch;

  /** A client whose first POST to a path ending in `suffix` reaches Marketo but whose answer is lost. */
  function losingClient(w: ReturnType<typeof createWorld>, suffix: string) {
    let seen = 0;
    const reach = worldFetch(w);
    const lossy: typeof fetch = async (input, init) => {
      // Given a Request or a URL and init, whichever the client sends.
      const request = input instanceof Request ? input : new Request(input, init);
      const res = await reach(request);
      if (request.method === 'POST' && new URL(request.url).pathname.endsWith(suffix) && ++seen === 1) throw new TypeError('Failed to fetch');
      return res;
    };
    return new MarketoClient({ baseUrl: MARKETO_BASE_URL, clientId: 'syncsim', clientSecret: 'syncsim-secret' }, { clock: w.clock, fetch: lossy });
  }

  it.each(['/external/type.json', '/attributes/create.json', '/approve.json'])(
    'a lost answer to the %s step: the type ends created once, with its attributes, approved',
    async (suffix) => {
      const w = createWorld();
      const client = losingClient(w, suffix);
      const id = await client.ensureActivityType(FAILURE_ACTIVITY);
      const types = w.instance.activityLog.customTypes();
      expect(types).toHaveLength(1);
      expect(types[0]).toMatchObject({ id, apiName: 'sfdcSyncFailure', status: 'approved' });
      expect(types[0]!.attributes.map((a) => a.apiName).sort()).toEqual(['fields', 'message', 'operation', 'sfdcId']);
      // And it is usable: an activity is accepted on that type.
      const person = w.marketoUser.create({ email: 'a@acme.test', lastName: 'A' });
      const [r] = await client.addActivities([
        { leadId: person.id, activityDate: '2026-01-05T09:00:00Z', activityTypeId: id, primaryAttributeValue: 'X', attributes: [] },
      ]);
      expect(r?.status).toBe('added');
    },
  );

  it('a type that is really refused (not a lost answer) still fails, naming the code', async () => {
    const w = createWorld();
    const client = new MarketoClient({ baseUrl: MARKETO_BASE_URL, clientId: 'syncsim', clientSecret: 'syncsim-secret' }, { clock: w.clock, fetch: worldFetch(w) });
    await expect(client.ensureActivityType({ ...FAILURE_ACTIVITY, name: '' })).rejects.toMatchObject({ code: '701' });
  });
});

/** Two linked leads, the failure activity type made by a first rejection of `a`, and the rule still on. */
async function typeInPlace() {
  const w = createWorld();
  const a = w.salesforceUser.create('Lead', { LastName: 'A', Company: 'Acme' });
  const b = w.salesforceUser.create('Lead', { LastName: 'B', Company: 'Acme' });
  await w.advance('5m');
  w.org.setRule(HOT_NEEDS_PHONE);
  const pa = mustPersonOf(w, a).id;
  w.marketoUser.update(pa, { rating: 'Hot' });
  await w.advance('5m');
  expect(failureActivities(w, pa)).toHaveLength(1);
  return { w, b, pb: mustPersonOf(w, b).id };
}

describe('the failure activity write, when its answer is lost', () => {
  it('after Marketo added it: the engine finds it and does not add it again', async () => {
    const { w, pb } = await typeInPlace();
    w.marketoUser.update(pb, { rating: 'Hot' });
    w.fault({ system: 'marketo', kind: 'timeout-after-commit', times: 1 });
    const [report] = await w.advance('5m');
    expect(w.faults.fired.map((f) => f.path)).toEqual(['/rest/v1/activities/external.json']);
    expect(report?.ok).toBe(true);
    expect(failureActivities(w, pb)).toHaveLength(1);
    await w.advance('10m');
    expect(failureActivities(w, pb)).toHaveLength(1);
  });

  it('before Marketo added it: the engine sends it again, and it is there once', async () => {
    const { w, pb } = await typeInPlace();
    w.marketoUser.update(pb, { rating: 'Hot' });
    w.fault({ system: 'marketo', kind: 'timeout', times: 2 });
    const [report] = await w.advance('5m');
    expect(w.faults.fired.length).toBe(2);
    expect(report?.ok).toBe(true);
    expect(failureActivities(w, pb)).toHaveLength(1);
  });
});

describe('a rejection in a cycle whose Marketo write then fails', () => {
  // Found by the strict campaign (seed 777, world seed 1372821729): the failure activity was written after the cycle's
  // Marketo writes; those failed the cycle, so the activity was never written, and the rule was off by the next cycle.
  it('is logged anyway, once, and the pair syncs when the rule is gone', async () => {
    const { w, b, pb } = await typeInPlace();
    w.salesforceUser.update('Lead', b, { Title: 'CEO' }); // a Marketo write in the same cycle
    w.marketoUser.update(pb, { rating: 'Hot' });
    // The activity write's answer is lost once (settled by a look-up); then every try of the person update.
    w.fault({ system: 'marketo', kind: 'timeout-after-commit', times: 1 + DEFAULT_RETRY.maxAttempts });
    const [report] = await w.advance('5m');
    expect(w.faults.fired.map((f) => f.path)).toEqual(['/rest/v1/activities/external.json', ...Array(DEFAULT_RETRY.maxAttempts).fill('/rest/v1/leads.json')]);
    expect(report?.ok).toBe(false);
    expect(failureActivities(w, pb)).toHaveLength(1);
    w.org.setRule({ ...HOT_NEEDS_PHONE, active: false });
    await w.advance('10m');
    expect(w.org.get('Lead', b)).toMatchObject({ Rating: 'Hot', Title: 'CEO' });
    expect(w.instance.getPerson(pb)).toMatchObject({ rating: 'Hot', title: 'CEO' });
    expect(failureActivities(w, pb)).toHaveLength(1);
  });
});

describe('a failure logged on a person that is then merged away', () => {
  // Found by the strict campaign (seed 31337, world seed 1768854803): Marketo merges the loser's activity log into the
  // survivor's, and the survivor then hit the same rejection; the engine logged it a second time on the survivor.
  it('the survivor inherits what was logged: the same failure is not logged on it again', async () => {
    const w = createWorld();
    w.org.setRule(HOT_NEEDS_PHONE);
    const keep = w.salesforceUser.create('Lead', { LastName: 'Keep', Company: 'Acme', Email: 'k@acme.test' });
    const lose = w.salesforceUser.create('Lead', { LastName: 'Lose', Company: 'Acme', Email: 'l@acme.test' });
    await w.advance('5m');
    const pKeep = mustPersonOf(w, keep).id;
    const pLose = mustPersonOf(w, lose).id;
    w.marketoUser.update(pLose, { rating: 'Hot' });
    await w.advance('5m');
    expect(failureActivities(w, pLose)).toHaveLength(1);
    w.salesforceUser.merge('Lead', keep, [lose]);
    await w.advance('20m');
    expect(w.instance.getPerson(pLose)).toBeUndefined();
    // The survivor took the loser's Hot rating in Marketo's merge; Salesforce refuses it on the surviving lead too.
    expect(w.instance.getPerson(pKeep)).toMatchObject({ rating: 'Hot', sfdcLeadId: keep });
    expect(w.org.get('Lead', keep)?.Rating).toBeNull();
    expect(failureActivities(w, pKeep)).toHaveLength(1);
    // A different failure on the survivor is still logged.
    w.org.setRule({ ...HOT_NEEDS_PHONE, message: 'Hot leads need a phone, really' });
    await w.advance('5m');
    expect(failureActivities(w, pKeep)).toHaveLength(2);
  });
});

describe('a failure activity that Marketo will not take (its write fails every try)', () => {
  async function refusedActivity() {
    const { w, b, pb } = await typeInPlace();
    w.marketoUser.update(pb, { rating: 'Hot' });
    // Marketo refuses every try of the cycle's only Marketo write, the failure activity.
    w.fault({ system: 'marketo', kind: 'lock', times: DEFAULT_RETRY.maxAttempts });
    const [report] = await w.advance('5m');
    expect(w.faults.fired.map((f) => f.path)).toEqual(Array(DEFAULT_RETRY.maxAttempts).fill('/rest/v1/activities/external.json'));
    expect(failureActivities(w, pb)).toHaveLength(0);
    return { w, b, pb, report };
  }

  it('does not fail the cycle; a rejection that stands is logged next cycle, once', async () => {
    const { w, pb, report } = await refusedActivity();
    expect(report?.ok).toBe(true);
    await w.advance('15m');
    expect(failureActivities(w, pb)).toHaveLength(1);
  });

  it('a rejection that clears before the next cycle is logged then, once, and the pair syncs', async () => {
    const { w, b, pb } = await refusedActivity();
    w.org.setRule({ ...HOT_NEEDS_PHONE, active: false });
    await w.advance('5m');
    expect(w.org.get('Lead', b)?.Rating).toBe('Hot');
    expect(failureActivities(w, pb)).toHaveLength(1);
    expect(failureActivities(w, pb)[0]!.primaryAttributeValue).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    await w.advance('10m');
    expect(failureActivities(w, pb)).toHaveLength(1);
  });
});
