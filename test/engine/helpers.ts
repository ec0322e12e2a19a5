/** Small look-ups over a World for the engine's behaviour tests. */
import type { Activity, Person } from '../../mocks/marketo/index.ts';
import { createWorld, type World } from '../../src/sim/world.ts';

/** The person linked to a Salesforce record (by the link fields Marketo carries). */
export function personOf(w: World, sfId: string): Person | undefined {
  const hits = w.instance.listPeople().filter((p) => p.sfdcLeadId === sfId || p.sfdcContactId === sfId);
  if (hits.length > 1) throw new Error(`${hits.length} people carry ${sfId}`);
  return hits[0];
}

export function mustPersonOf(w: World, sfId: string): Person {
  const p = personOf(w, sfId);
  if (!p) throw new Error(`no person linked to ${sfId}`);
  return p;
}

/** The engine's `SFDC Sync Failure` activities on a person. */
export function failureActivities(w: World, personId: number): Activity[] {
  const type = w.instance.activityLog.customTypes().find((t) => t.name === 'SFDC Sync Failure');
  if (!type) return [];
  return w.instance.listActivities({ leadId: personId, typeIds: [type.id] });
}

export function attr(a: Activity, name: string): unknown {
  return a.attributes.find((x) => x.apiName === name || x.name === name)?.value;
}

/** Requests the sync user's engine sent to Salesforce since `from` (request log index). */
export function sfRequests(w: World, from = 0) {
  return w.org.requestLog.slice(from).filter((e) => e.user === w.org.syncUser.id);
}

/** Salesforce write requests (collections and single-record DML) in a slice of the log. */
export function sfWrites(w: World, from = 0) {
  return sfRequests(w, from).filter((e) => e.method !== 'GET' && !e.path.includes('/oauth2/') && !/\/query/.test(e.path));
}

export function mkWrites(w: World, from = 0) {
  return w.instance.requestLog.slice(from).filter((e) => e.method === 'POST' && e.path.startsWith('/rest/'));
}

/** Every live lead with this email (admin's view). */
export function leadsWithEmail(w: World, email: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const r of w.org.queryContext(w.org.adminUser.id).scan('Lead', { includeDeleted: false })) if (r.Email === email) out.push(r);
  return out;
}

/** The validation rule the rejection tests switch on: a Hot lead needs a phone. */
export const HOT_NEEDS_PHONE = {
  object: 'Lead',
  name: 'Hot_Needs_Phone',
  formula: 'AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))',
  message: 'Hot leads need a phone number',
  field: 'Phone',
};

/**
 * A new world with one linked lead, HOT_NEEDS_PHONE on, and Marketo setting the person's Rating to Hot: the next
 * cycle sends Rating=Hot without a phone, which the rule refuses.
 */
export async function refusedOnNextCycle(): Promise<{ w: World; id: string; personId: number }> {
  const w = createWorld();
  const id = w.salesforceUser.create('Lead', { LastName: 'Smith', Company: 'Acme' });
  await w.advance('5m');
  const personId = mustPersonOf(w, id).id;
  w.org.setRule(HOT_NEEDS_PHONE);
  w.marketoUser.update(personId, { rating: 'Hot' });
  return { w, id, personId };
}
