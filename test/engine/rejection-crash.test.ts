/**
 * DESIGN §4 "Rejections" and "State": a rejection Salesforce answered is logged once, even when the engine dies
 * between that answer and the failure activity and the rejection clears before the restarted engine retries (the
 * bench's fuzz worker, seed 2 run 887: regressions/rejection-lost-to-crash-before-activity.yaml).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, type World } from '../../src/sim/world.ts';
import { HOT_NEEDS_PHONE, failureActivities, refusedOnNextCycle } from './helpers.ts';

afterAll(() => closeAllWorlds());

function requestCount(w: World): number {
  return w.org.requestLog.length + w.instance.requestLog.length;
}

/** Whether Salesforce refused one of the sync user's writes with the rule's error. */
function refusedOnTheWire(w: World): boolean {
  return w.org.requestLog.some((e) => e.user === w.org.syncUser.id && e.errorCodes.includes('FIELD_CUSTOM_VALIDATION_EXCEPTION'));
}

describe('a crash between a rejection and its failure activity, the rule off before the restart', () => {
  it('wherever the crash falls, a rejection Salesforce answered is logged exactly once', async () => {
    // How many requests does the refusing cycle make (the PATCH, then the activity type's create and the activity)?
    const dry = await refusedOnNextCycle();
    const before = requestCount(dry.w);
    await dry.w.advance('5m');
    const n = requestCount(dry.w) - before;
    expect(failureActivities(dry.w, dry.personId)).toHaveLength(1);

    // The k-th request reaches its server and the process dies on it: the first k whose cycle was refused on the wire
    // is the PATCH's own, whose answer no live engine read (nothing can log it); from the next k on, one did.
    let patchAt: number | undefined;
    for (let k = 1; k <= n; k++) {
      const { w, id, personId } = await refusedOnNextCycle();
      w.crashEngineAfter(k);
      await w.advance('5m'); // the cycle dies after k requests
      if (patchAt === undefined && refusedOnTheWire(w)) patchAt = k;
      w.org.setRule({ ...HOT_NEEDS_PHONE, active: false });
      w.restartEngine();
      await w.advance('15m');
      const where = `crash after ${k} of ${n} requests (the PATCH is request ${patchAt ?? '?'})`;
      expect(w.org.get('Lead', id)?.Rating, where).toBe('Hot');
      expect(failureActivities(w, personId), where).toHaveLength(patchAt !== undefined && k > patchAt ? 1 : 0);
    }
    // Crashes fell between the answer and the activity (the type's lookup, create, attributes, approve, the write).
    expect(patchAt).toBeDefined();
    expect(n - patchAt!).toBeGreaterThanOrEqual(4);
  });
});
