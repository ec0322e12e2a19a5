/**
 * Salesforce rejections written to the person's Marketo activity log
 * (DESIGN §1.7, §4 "Rejections"). Native Marketo writes its own Sync Lead to
 * SFDC activity; an engine outside Marketo can only write a custom activity,
 * so ours uses the custom type `SFDC Sync Failure`, created and approved on
 * first use. One activity per distinct failure per person, never one per cycle.
 */
import type { Clock } from '../sim/clock.ts';
import type { ActivityRecord, AddActivityResult, CustomActivityInput, CustomActivityTypeSpec, MarketoClient } from './marketo.ts';
import { isTransient } from './retry.ts';
import { secondsIso } from './normalize.ts';
import { failureKey, type PendingFailure } from './state-store.ts';
import type { Trace } from './types.ts';

export const FAILURE_ACTIVITY: CustomActivityTypeSpec = {
  apiName: 'sfdcSyncFailure',
  name: 'SFDC Sync Failure',
  description: 'Salesforce rejected a write of the sync engine',
  triggerName: 'Has SFDC Sync Failure',
  filterName: 'Had SFDC Sync Failure',
  primaryAttribute: { apiName: 'errorCode', name: 'Error Code', dataType: 'string' },
  attributes: [
    { apiName: 'message', name: 'Message', dataType: 'text' },
    { apiName: 'fields', name: 'Fields', dataType: 'string' },
    { apiName: 'operation', name: 'Operation', dataType: 'string' },
    { apiName: 'sfdcId', name: 'SFDC Id', dataType: 'string' },
  ],
};

export interface FailureItem {
  personId: number;
  sfId?: string;
  failure: PendingFailure;
  /** Keys already logged for this person; a successful log adds to it (it lives in the state). */
  logged: string[];
}

export class FailureLog {
  private activityTypeId: number | undefined;

  constructor(
    private readonly mkto: MarketoClient,
    private readonly clock: Clock,
    private readonly trace: Trace,
    /** The `log-failure-every-cycle` mutant: forget what was logged. */
    private readonly everyTime = false,
  ) {}

  /**
   * Logs each failure not logged yet. `unsureSince`: a run may have written activities after this time without
   * recording it (it died before saving); an activity found for the same failure since then counts as logged.
   */
  async log(items: readonly FailureItem[], unsureSince?: number): Promise<void> {
    let fresh = items.filter((i) => this.everyTime || !i.logged.includes(failureKey(i.failure)));
    if (fresh.length > 0 && unsureSince !== undefined && !this.everyTime) fresh = await this.notLoggedSince(fresh, unsureSince);
    for (const i of items) {
      this.trace({
        type: 'rejection',
        at: this.clock.now(),
        personId: i.personId,
        ...(i.sfId ? { sfId: i.sfId } : {}),
        operation: i.failure.operation,
        errorCode: i.failure.errorCode,
        message: i.failure.message,
        fields: i.failure.fields,
        logged: fresh.includes(i),
      });
    }
    if (fresh.length === 0) return;
    let results: AddActivityResult[];
    try {
      results = await this.write(fresh);
    } catch (err) {
      if (!isTransient(err)) throw err;
      // Marketo is failing: the cycle goes on, and the failures stay unlogged (not in `logged`): a rejection that
      // stands is logged next cycle, one that clears first is logged then (the engine's clearFailure).
      const reason = `failure activity not written (${err instanceof Error ? err.message : String(err)}): logged on a later cycle`;
      for (const i of fresh) this.trace({ type: 'skip', at: this.clock.now(), personId: i.personId, ...(i.sfId ? { sfId: i.sfId } : {}), reason });
      return;
    }
    fresh.forEach((i, n) => {
      if (results[n]?.status === 'added') i.logged.push(failureKey(i.failure));
    });
  }

  private async write(fresh: readonly FailureItem[]): Promise<AddActivityResult[]> {
    this.activityTypeId ??= await this.mkto.ensureActivityType(FAILURE_ACTIVITY);
    const sentAt = this.clock.now();
    return this.mkto.addActivities(
      fresh.map((i) => ({
        leadId: i.personId,
        activityDate: secondsIso(this.clock.now()),
        activityTypeId: this.activityTypeId!,
        primaryAttributeValue: i.failure.errorCode,
        attributes: [
          { apiName: 'message', value: i.failure.message },
          { apiName: 'fields', value: i.failure.fields.join(',') },
          { apiName: 'operation', value: i.failure.operation },
          { apiName: 'sfdcId', value: i.sfId ?? '' },
        ],
      })),
      // A lost answer may hide activities Marketo added: look them up before sending those again.
      (sent) => this.heldSince(sent, sentAt),
    );
  }

  /** For each activity sent, the id of a matching one Marketo holds dated from `sinceMs` on, if any. */
  private async heldSince(sent: readonly CustomActivityInput[], sinceMs: number): Promise<Array<number | undefined>> {
    const people = [...new Set(sent.map((a) => a.leadId))];
    // Activity dates have whole seconds: start a second early rather than miss one.
    const found = await this.mkto.activities(Math.floor(sinceMs / 1000) * 1000 - 1000, [this.activityTypeId!], people);
    const used = new Set<number>();
    return sent.map((a) => {
      const key = failureKey(failureOf({ id: 0, leadId: a.leadId, activityDate: a.activityDate, activityTypeId: a.activityTypeId, primaryAttributeValue: a.primaryAttributeValue, attributes: a.attributes }));
      const hit = found.find((f) => !used.has(f.id) && f.leadId === a.leadId && failureKey(failureOf(f)) === key);
      if (!hit) return undefined;
      used.add(hit.id);
      return hit.id;
    });
  }

  /** The items with no matching activity since `sinceMs`; those with one are recorded as logged. */
  private async notLoggedSince(items: FailureItem[], sinceMs: number): Promise<FailureItem[]> {
    this.activityTypeId ??= await this.mkto.ensureActivityType(FAILURE_ACTIVITY);
    const people = [...new Set(items.map((i) => i.personId))];
    // Activity dates have whole seconds: start a second early rather than miss one.
    const found = await this.mkto.activities(Math.floor(sinceMs / 1000) * 1000 - 1000, [this.activityTypeId], people);
    const seen = new Set(found.map((a) => `${a.leadId}|${failureKey(failureOf(a))}`));
    return items.filter((i) => {
      const key = failureKey(i.failure);
      if (!seen.has(`${i.personId}|${key}`)) return true;
      i.logged.push(key);
      return false;
    });
  }
}

function failureOf(a: ActivityRecord): Pick<PendingFailure, 'operation' | 'errorCode' | 'message' | 'fields'> {
  const attr = (name: string) => {
    const v = a.attributes?.find((x) => x.apiName === name || x.name?.toLowerCase() === name.toLowerCase())?.value;
    return v === undefined || v === null ? '' : String(v);
  };
  const fields = attr('fields');
  return { operation: attr('operation') as PendingFailure['operation'], errorCode: a.primaryAttributeValue ?? attr('errorCode'), message: attr('message'), fields: fields ? fields.split(',') : [] };
}
