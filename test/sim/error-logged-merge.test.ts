/**
 * error-logged across Marketo merges. A merge moves the loser's activities onto the survivor (reference A13), so the
 * survivor's log can hold one failure once per merged person. The oracle counts an activity a merge brought over
 * against the loser's failure, and still reports a failure logged twice by the engine on one person: before the
 * merge on either person, or on the survivor after the merge brought the failure into its log.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Activity, Person } from '../../mocks/marketo/index.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { Driver } from '../../src/sim/driver.ts';
import { historyOf } from '../../src/sim/history.ts';
import { errorLogged } from '../../src/sim/oracle.ts';
import { activityAttr, failureActivities } from '../../src/sim/properties.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';

afterAll(() => closeAllWorlds());

const REGRESSIONS = 'test/property/regressions';

/** Runs a regression file's steps (its `expect: converged` included, which settles the world). */
async function runFile(name: string): Promise<Driver> {
  const loaded = parseScenario(readFileSync(`${REGRESSIONS}/${name}`, 'utf8'), name);
  if (!loaded.ok) throw new Error(`${name} does not load`);
  const d = new Driver(loaded.scenario);
  await d.runAll();
  return d;
}

/** The emulator's activity store, reached into as a buggy engine's extra or missing writes would leave it. */
function entriesOf(d: Driver): Activity[] {
  return (d.world.instance.activityLog as unknown as { entries: Activity[] }).entries;
}

/** Another failure activity like `like`, written now on `personId` for `sfdcId` (what a second engine write does). */
function logAgain(d: Driver, like: Activity, personId: number, sfdcId: string): void {
  d.world.instance.logActivity({
    leadId: personId,
    activityTypeId: like.activityTypeId,
    primaryAttributeValue: like.primaryAttributeValue ?? null,
    attributes: like.attributes.map((a) => (a.apiName === 'sfdcId' ? { ...a, value: sfdcId } : { ...a })),
  });
}

/** Every file here merges the people into the one linked to p1's lead: that person, and the lead. */
function survivorOf(d: Driver): { survivor: Person; survivorLead: string } {
  const survivorLead = d.refs.salesforce('p1')!.id;
  return { survivor: d.world.instance.listPeople().find((p) => p.sfdcLeadId === survivorLead)!, survivorLead };
}

const rejectionsOf = (d: Driver) => d.world.engineEvents.filter((e): e is Extract<typeof e, { type: 'rejection' }> => e.type === 'rejection');

describe('error-logged: two people with the same logged failure, merged (merged-people-failure-logged-twice)', () => {
  it("the survivor holds one activity per person, the engine logs nothing after the merge, and that is no violation", async () => {
    const d = await runFile('merged-people-failure-logged-twice.yaml');
    const w = d.world;
    const { survivor, survivorLead } = survivorOf(d);
    const rejected = rejectionsOf(d);
    const loser = rejected.map((r) => r.personId).find((id) => id !== survivor.id)!;
    const loserLead = rejected.find((r) => r.personId === loser)!.sfId!;
    expect(w.instance.getPerson(loser)).toBeUndefined();
    // Each person's rejection was logged once, then both activities sit on the survivor.
    expect(rejected.map((r) => [r.personId, r.logged]).sort()).toEqual([[loser, true], [survivor.id, true]].sort());
    const acts = failureActivities(w, survivor.id);
    expect(acts.map((a) => activityAttr(a, 'sfdcId')).sort()).toEqual([loserLead, survivorLead].sort());
    expect(errorLogged(w)).toEqual([]);
  });

  it('a second activity the engine writes on the survivor for the same failure is reported', async () => {
    const d = await runFile('merged-people-failure-logged-twice.yaml');
    const w = d.world;
    const { survivor, survivorLead } = survivorOf(d);
    const [like] = failureActivities(w, survivor.id);
    logAgain(d, like!, survivor.id, survivorLead);
    const v = errorLogged(w);
    expect(v.map((x) => x.message)).toEqual([expect.stringMatching(new RegExp(`^person ${survivor.id}: one failure \\(FIELD_CUSTOM_VALIDATION_EXCEPTION: Hot leads need a phone number\\) was logged 2 times`))]);
  });

  it("the loser's failure logged twice before the merge is reported against the loser", async () => {
    const d = await runFile('merged-people-failure-logged-twice.yaml');
    const w = d.world;
    const { survivor } = survivorOf(d);
    const loser = rejectionsOf(d).find((r) => r.personId !== survivor.id)!;
    const entries = entriesOf(d);
    const i = entries.findIndex((a) => activityAttr(a, 'sfdcId') === loser.sfId);
    expect(i).toBeGreaterThanOrEqual(0);
    // A twin written on the loser before the merge (same place in the log; the merge moved both).
    entries.splice(i + 1, 0, { ...entries[i]!, marketoGUID: `${entries[i]!.marketoGUID}-twin`, attributes: entries[i]!.attributes.map((x) => ({ ...x })) });
    const v = errorLogged(w);
    expect(v.map((x) => x.message)).toEqual([expect.stringContaining(`person ${loser.personId} (merged into person ${survivor.id} since): one failure (FIELD_CUSTOM_VALIDATION_EXCEPTION: Hot leads need a phone number) was logged 2 times`)]);
  });

  it("the loser's failure never logged is reported, though the survivor's own activity matches it", async () => {
    const d = await runFile('merged-people-failure-logged-twice.yaml');
    const w = d.world;
    const { survivor } = survivorOf(d);
    const loser = rejectionsOf(d).find((r) => r.personId !== survivor.id)!;
    const entries = entriesOf(d);
    const i = entries.findIndex((a) => activityAttr(a, 'sfdcId') === loser.sfId);
    entries.splice(i, 1);
    const v = errorLogged(w);
    expect(v.map((x) => x.message)).toEqual([`person ${loser.personId} (merged into person ${survivor.id} since): Salesforce rejected update with FIELD_CUSTOM_VALIDATION_EXCEPTION (Hot leads need a phone number) and no failure activity says so`]);
  });
});

describe('error-logged: the survivor meets the failure a merge brought into its log (failure-logged-again-after-merge)', () => {
  it('the engine does not log it again, and that is no violation', async () => {
    const d = await runFile('failure-logged-again-after-merge.yaml');
    const w = d.world;
    const { survivor } = survivorOf(d);
    const own = rejectionsOf(d).filter((r) => r.personId === survivor.id);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((r) => !r.logged)).toBe(true);
    expect(failureActivities(w, survivor.id)).toHaveLength(1);
    expect(errorLogged(w)).toEqual([]);
  });

  it('an activity the engine writes for it on the survivor after the merge is reported', async () => {
    const d = await runFile('failure-logged-again-after-merge.yaml');
    const w = d.world;
    const { survivor, survivorLead } = survivorOf(d);
    const [inherited] = failureActivities(w, survivor.id);
    logAgain(d, inherited!, survivor.id, survivorLead);
    const v = errorLogged(w);
    expect(v.map((x) => x.message)).toEqual([expect.stringMatching(new RegExp(`^person ${survivor.id}: one failure .* was logged 1 times, 1 of them while its log already held it \\(person \\d+'s activity, merged in\\); it could have cleared and come back at most 0 time\\(s\\)$`))]);
  });
});

describe('error-logged: a person merged away after its cycle broke off before logging (merged-away-before-failure-logged)', () => {
  it("the survivor's log shows the failure, the loser's own activity was never written, and that is no violation", async () => {
    const d = await runFile('merged-away-before-failure-logged.yaml');
    const w = d.world;
    const { survivor } = survivorOf(d);
    const loser = rejectionsOf(d).find((r) => r.personId !== survivor.id)!;
    expect(w.instance.getPerson(loser.personId)).toBeUndefined();
    // The loser's cycle died after its rejection, and nothing carries its SFDC Id.
    const after = w.engineEvents.slice(w.engineEvents.indexOf(loser) + 1).find((e) => e.type === 'cycle-end');
    expect(after && after.type === 'cycle-end' && after.ok).toBe(false);
    const acts = failureActivities(w, survivor.id);
    expect(acts.some((a) => activityAttr(a, 'sfdcId') === loser.sfId)).toBe(false);
    expect(acts.length).toBeGreaterThan(0);
    expect(errorLogged(w)).toEqual([]);
  });

  it("the loser's failure is still reported when the survivor's log does not show it either, had the engine lived to read the answer", async () => {
    const d = await runFile('merged-away-before-failure-logged.yaml');
    const w = d.world;
    const { survivor } = survivorOf(d);
    const loser = rejectionsOf(d).find((r) => r.personId !== survivor.id)!;
    const entries = entriesOf(d);
    for (const a of failureActivities(w, survivor.id)) entries.splice(entries.indexOf(a), 1);
    const missing = (id: number, merged: string) => `person ${id}${merged}: Salesforce rejected update with FIELD_CUSTOM_VALIDATION_EXCEPTION (Hot leads need a phone number) and no failure activity says so`;
    const h = historyOf(w.trace);
    // In this file the process died as the rejecting answer arrived (the crash comes before the loser's rejection), so
    // nothing could log the loser's failure (rejected-as-engine-died-then-cleared); the survivor's own is missing now.
    const rejectedAt = w.trace.events.find((e) => e.lane === 'engine' && e.kind === 'rejection' && e.text.startsWith(`person ${loser.personId}:`))!.seq;
    expect(h.crashes[0]).toBeLessThan(rejectedAt);
    expect(errorLogged(w).map((x) => x.message)).toEqual([missing(survivor.id, '')]);
    // Had the engine died only after it read that answer, its cycle breaking off excuses nothing without the survivor's log.
    const lived = { ...h, crashes: h.crashes.map((c, i) => (i === 0 ? rejectedAt + 1 : c)) };
    expect(errorLogged(w, lived).map((x) => x.message)).toContain(missing(loser.personId, ` (merged into person ${survivor.id} since)`));
  });
});
