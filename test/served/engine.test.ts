// The reference engine in this process against `sync-sim serve` in another, over real HTTP only:
// the control API sets the world up, acts as users, holds and advances the served clock and injects
// a fault; the engine runs its cycles; the properties that need no engine state hold at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStateStore, SyncEngine, type TraceEvent } from '../../src/engine/index.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { CLIENT, control, startServe, SYNC_USER, type ServedChild } from './harness.ts';

const SETUP = `
name: Served engine run
salesforce:
  rules:
    - object: Lead
      name: Interns_Need_Phone
      formula: AND(Title = "Intern", ISBLANK(Phone))
      message: Interns need a phone number
      field: Phone
  records:
    - { ref: alice, object: Lead, FirstName: Alice, LastName: Smith, Company: Acme, Email: alice@acme.test }
marketo:
  people:
    - { ref: bob, email: bob@globex.test, firstName: Bob, lastName: Jones, company: Globex }
steps:
  - wait: 5m
`;

let served: ServedChild;
let clock: VirtualClock;
let engine: SyncEngine;
const events: TraceEvent[] = [];

interface Person { id: number; email: string; title?: string | null; phone?: string | null; sfdcType?: string | null; sfdcLeadId?: string | null }
interface Lead { Id: string; Email: string; Title: string | null; Phone: string | null }

async function people(): Promise<Person[]> {
  return (await control<{ people: Person[] }>(served.origin, 'GET', '/records/marketo')).body.people;
}
async function leads(): Promise<Lead[]> {
  return (await control<{ records: Lead[] }>(served.origin, 'GET', '/records/salesforce/Lead')).body.records;
}

/** Moves the served clock and the engine's clock together (the engine's clock mirrors the server's). */
async function advance(by: string): Promise<void> {
  const r = await control<{ epochMs: number }>(served.origin, 'POST', '/clock/advance', { by });
  clock.advanceTo(r.body.epochMs);
}

async function cycle(): Promise<void> {
  const report = await engine.runCycle();
  expect(report.ok, report.error).toBe(true);
}

beforeAll(async () => {
  served = await startServe(['--clock', 'held']);
  const setup = await fetch(`${served.origin}/__syncsim/setup`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: SETUP });
  expect(setup.status).toBe(200);
  const now = await control<{ epochMs: number }>(served.origin, 'GET', '/clock');
  clock = new VirtualClock(now.body.epochMs);
  engine = new SyncEngine({
    clock,
    salesforce: { loginUrl: served.origin, username: SYNC_USER.username, password: SYNC_USER.password, ...CLIENT },
    marketo: { baseUrl: served.origin, ...CLIENT },
    store: new MemoryStateStore(),
    trace: (e) => events.push(e),
  });
});
afterAll(async () => {
  await served?.stop();
});

describe('the reference engine against sync-sim serve', () => {
  it('brings a Salesforce lead into Marketo, linked; leaves a Marketo-only person alone', async () => {
    await cycle();
    const all = await people();
    const alice = all.find((p) => p.email === 'alice@acme.test');
    expect(alice).toMatchObject({ sfdcType: 'Lead', sfdcLeadId: (await leads())[0]!.Id });
    expect(all.find((p) => p.email === 'bob@globex.test')?.sfdcLeadId ?? null).toBeNull();
  });

  it('merges per field: Title edited in Salesforce and Phone in Marketo both survive', async () => {
    await advance('1m');
    await control(served.origin, 'POST', '/salesforce/update', { ref: 'alice', fields: { Title: 'CFO' } });
    const alice = (await people()).find((p) => p.email === 'alice@acme.test')!;
    await control(served.origin, 'POST', '/marketo/update', { id: alice.id, fields: { phone: '+1 555 0100' } });
    await advance('4m');
    await cycle();
    const lead = (await leads()).find((l) => l.Email === 'alice@acme.test')!;
    expect(lead).toMatchObject({ Title: 'CFO', Phone: '+1 555 0100' });
    expect((await people()).find((p) => p.email === 'alice@acme.test')).toMatchObject({ title: 'CFO', phone: '+1 555 0100' });
  });

  it('Sync Person to SFDC creates the lead at once, through a Salesforce outage the engine retries', async () => {
    const bob = (await people()).find((p) => p.email === 'bob@globex.test')!;
    await control(served.origin, 'POST', '/faults', { system: 'salesforce', kind: 'unavailable', times: 1 });
    const result = await engine.syncPersonToSfdc(bob.id);
    expect(result.outcome).toBe('created');
    const faults = await control<{ fired: unknown[] }>(served.origin, 'GET', '/faults');
    expect(faults.body.fired).toHaveLength(1);
    expect(events.some((e) => e.type === 'retry')).toBe(true);
    expect((await leads()).filter((l) => l.Email === 'bob@globex.test')).toHaveLength(1);
  });

  it("a Salesforce rejection lands in the person's activity log once, and the properties hold", async () => {
    const bob = (await people()).find((p) => p.email === 'bob@globex.test')!;
    await advance('1m');
    await control(served.origin, 'POST', '/marketo/update', { id: bob.id, fields: { title: 'Intern' } });
    await advance('4m');
    await cycle();
    await advance('5m');
    await cycle();
    const acts = await control<{ activities: Array<{ activityType: string; attributes: Array<{ name: string; value: unknown }> }> }>(
      served.origin, 'GET', `/records/marketo/activities?leadId=${bob.id}`,
    );
    const failures = acts.body.activities.filter((a) => a.activityType === 'SFDC Sync Failure');
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures[0]!.attributes)).toContain('Interns need a phone number');

    // Quiescence: one more idle cycle, then the checks.
    await advance('5m');
    await cycle();
    const props = await control<{ ok: boolean; properties: Array<{ name: string; ok: boolean; violations: string[] }> }>(served.origin, 'GET', '/properties');
    expect(props.body.properties.filter((p) => !p.ok)).toEqual([]);
    expect(props.body.ok).toBe(true);
  });
});
