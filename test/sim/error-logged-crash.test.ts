/**
 * error-logged when the engine dies as a rejection's answer arrives. The world's crash freezes the state store as
 * that answer reaches the process, so the rejection is nowhere durable and its activity is never sent: if the failure
 * clears before a live engine writes again, no engine could have logged it, and the oracle does not ask. A failure
 * that stands is met again by the restarted engine, and that rejection still needs its activity.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Activity } from '../../mocks/marketo/index.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { Driver } from '../../src/sim/driver.ts';
import { historyOf } from '../../src/sim/history.ts';
import { errorLogged } from '../../src/sim/oracle.ts';
import { failureActivities } from '../../src/sim/properties.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';

afterAll(() => closeAllWorlds());

const FILE = 'test/property/regressions/rejected-as-engine-died-then-cleared.yaml';

/** Runs the regression file's steps (its `expect: converged` settles the world); `ruleStaysOn` drops the rule-off step. */
async function run(ruleStaysOn = false): Promise<Driver> {
  let text = readFileSync(FILE, 'utf8');
  if (ruleStaysOn) text = text.replace(/\n {2}- salesforce\.rule:\n(?: {6}.*\n)+/, '\n');
  const loaded = parseScenario(text, FILE);
  if (!loaded.ok) throw new Error(`${FILE} does not load`);
  const d = new Driver(loaded.scenario);
  await d.runAll();
  return d;
}

const seqsOf = (d: Driver, lane: string, kind: string) => d.world.trace.events.filter((e) => e.lane === lane && e.kind === kind).map((e) => e.seq);
const messages = (d: Driver, h = historyOf(d.world.trace)) => errorLogged(d.world, h).map((v) => v.message);

describe('error-logged: a rejection answered to a dying engine (rejected-as-engine-died-then-cleared)', () => {
  it('the rejection reached a dead engine, the failure cleared, nothing was logged, and that is no violation', async () => {
    const d = await run();
    const [crash] = seqsOf(d, 'world', 'crash');
    const rejections = seqsOf(d, 'engine', 'rejection');
    // One rejection, reported after the crash and before the restart: the dead process's.
    expect(rejections).toHaveLength(1);
    expect(crash).toBeLessThan(rejections[0]!);
    expect(seqsOf(d, 'world', 'restart')[0]).toBeGreaterThan(rejections[0]!);
    expect(failureActivities(d.world)).toEqual([]);
    expect(messages(d)).toEqual([]);
  });

  it('the same rejection seen by a live engine (the crash after it, or a restart between) still needs its activity', async () => {
    const d = await run();
    const h = historyOf(d.world.trace);
    const rejection = seqsOf(d, 'engine', 'rejection')[0]!;
    const missing = 'person 1: Salesforce rejected update with FIELD_CUSTOM_VALIDATION_EXCEPTION (Hot leads need a phone number) and no failure activity says so';
    // The engine died only after it had the answer: it could have kept the failure.
    expect(messages(d, { ...h, crashes: [rejection + 1] })).toEqual([missing]);
    // Restarted between the crash and the rejection: a live engine met it.
    expect(messages(d, { ...h, restarts: [...h.restarts, rejection - 1].sort((a, b) => a - b) })).toEqual([missing]);
  });

  it('a failure that stands is rejected again after the restart, logged once, and reported when that activity is missing', async () => {
    const d = await run(true);
    const [crash] = seqsOf(d, 'world', 'crash');
    const [restart] = seqsOf(d, 'world', 'restart');
    const rejections = seqsOf(d, 'engine', 'rejection');
    expect(rejections.filter((s) => s > crash! && s < restart!)).toHaveLength(1);
    expect(rejections.filter((s) => s > restart!).length).toBeGreaterThan(0);
    expect(failureActivities(d.world)).toHaveLength(1);
    expect(messages(d)).toEqual([]);
    // An engine that never logs what its live retry met: the dead first rejection excuses nothing.
    const entries = (d.world.instance.activityLog as unknown as { entries: Activity[] }).entries;
    const logged = failureActivities(d.world)[0]!;
    entries.splice(entries.findIndex((a) => a.id === logged.id), 1);
    expect(messages(d)).toEqual(['person 1: Salesforce rejected update with FIELD_CUSTOM_VALIDATION_EXCEPTION (Hot leads need a phone number) and no failure activity says so']);
  });
});
