/**
 * The oracle's properties on hand-made worlds: each one holds on a correct
 * run and names the problem when the state is broken behind the engine's
 * back (so each can fail).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { settleAndCheck } from '../../src/sim/campaign.ts';
import { Driver } from '../../src/sim/driver.ts';
import { historyOf } from '../../src/sim/history.ts';
import {
  conflictWinner,
  converged,
  deterministic,
  errorLogged,
  noDuplicate,
  noLostUpdate,
  quietWhenIdle,
  respectsPermissions,
  type IdleCycle,
} from '../../src/sim/oracle.ts';
import type { WritableScenario, WritableStep } from '../../src/scenario/write.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';

afterAll(() => closeAllWorlds());

function scenario(steps: WritableStep[]): WritableScenario {
  return {
    name: 'oracle',
    seed: 3,
    salesforce: { fields: [], permissions: [], rules: [], records: [{ ref: 'a', object: 'Lead', fields: { LastName: 'Smith', Company: 'Acme', Email: 'a@acme.test' } }] },
    marketo: { fields: [], people: [] },
    sync: { intervalMs: 300_000, winner: { Lead: 'marketo', Contact: 'salesforce' }, fieldWinners: {} },
    steps,
  };
}

async function run(steps: WritableStep[]): Promise<Driver> {
  const d = new Driver(scenario(steps));
  await d.runAll();
  return d;
}

const wait: WritableStep = { kind: 'wait', ms: 300_000 };

describe('the oracle', () => {
  it('finds nothing wrong with a correct run: a conflict won by Marketo, settled and idle', async () => {
    const d = await run([wait, { kind: 'salesforce.update', ref: 'a', fields: { Title: 'CFO' } }, { kind: 'marketo.update', ref: 'a', fields: { title: 'CEO' } }, wait]);
    const { violations, quietAfter } = await settleAndCheck(d);
    expect(violations).toEqual([]);
    expect(quietAfter).toBeDefined();
    expect(d.world.org.get('Lead', d.refs.salesforce('a')!.id)?.Title).toBe('CEO');
  });

  it('converged and no-lost-update name a value changed behind the engine (no history, no sync)', async () => {
    const d = await run([wait, { kind: 'marketo.update', ref: 'a', fields: { title: 'CEO' } }, wait]);
    const id = d.refs.salesforce('a')!.id;
    d.world.org.update('Lead', id, { Title: 'Intern' }, d.world.org.adminUser.id); // not through the user handle: no trace
    const c = converged(d.world);
    expect(c).toHaveLength(1);
    expect(c[0]!.message).toContain('Title: Salesforce "Intern" ≠ Marketo "CEO"');
    const lost = noLostUpdate(d.world);
    expect(lost.map((v) => v.property)).toEqual(['no-lost-update']);
    expect(lost[0]!.events[0]!.text).toContain('marketo user update');
  });

  it('conflict-winner names the losing value that ended on top, with the two edits as evidence', async () => {
    const d = await run([wait, { kind: 'salesforce.update', ref: 'a', fields: { Title: 'CFO' } }, { kind: 'marketo.update', ref: 'a', fields: { title: 'CEO' } }, wait]);
    const id = d.refs.salesforce('a')!.id;
    const person = d.refs.person('a')!;
    d.world.org.update('Lead', id, { Title: 'CFO' }, d.world.org.adminUser.id);
    d.world.instance.updatePerson(person.id, { title: 'CFO' });
    const v = conflictWinner(d.world);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain('marketo should win with "CEO"');
    expect(v[0]!.events.map((e) => e.text).slice(0, 2)).toEqual([expect.stringContaining('"Title":"CFO"'), expect.stringContaining('"title":"CEO"')]);
  });

  it('a standing rejection is not a convergence failure when it is logged, and is one when it is not', async () => {
    const d = await run([
      { kind: 'salesforce.rule', rule: { object: 'Lead', name: 'Hot_Needs_Phone', formula: 'AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))', message: 'Hot leads need a phone number', field: 'Phone' } },
      wait,
      { kind: 'marketo.update', ref: 'a', fields: { rating: 'Hot' } },
      wait,
    ]);
    expect(converged(d.world)).toEqual([]);
    expect(errorLogged(d.world)).toEqual([]);
    // Remove the activity: now the rejection is unlogged.
    const person = d.refs.person('a')!;
    const acts = d.world.instance.listActivities({ leadId: person.id });
    // Reach into the emulator's store (private) to lose the activity, as a buggy engine would never have written it.
    const log = d.world.instance.activityLog as unknown as { entries: Array<{ leadId: number }> };
    expect(acts.length).toBeGreaterThan(0);
    for (let i = log.entries.length - 1; i >= 0; i--) if (log.entries[i]!.leadId === person.id) log.entries.splice(i, 1);
    expect(converged(d.world)[0]!.message).toContain('has no failure activity');
    expect(errorLogged(d.world).map((v) => v.property)).toContain('error-logged');
  });

  it('no-duplicate names two people carrying one lead', async () => {
    const d = await run([wait]);
    const id = d.refs.salesforce('a')!.id;
    d.world.instance.createPerson({ email: 'twin@acme.test', lastName: 'Twin', sfdcType: 'Lead', sfdcLeadId: id }, { source: 'api' });
    const v = noDuplicate(d.world);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toMatch(/2 people .* are linked to one Salesforce record/);
  });

  it('respects-permissions counts requests naming a field after the sync user lost it', async () => {
    const d = await run([wait, { kind: 'salesforce.permission', object: 'Lead', field: 'Phone', access: 'none' }, wait, wait]);
    expect(respectsPermissions(d.world)).toEqual([]);
    const org = d.world.org;
    // The engine learns of the change from one refused request (its Composite poll asked for Phone before the describe
    // in the same call showed it gone): within what the oracle allows. Three more are too many.
    const learned = org.requestLog.filter((r) => r.user === org.syncUser.id && r.errorCodes.includes('INVALID_FIELD')).length;
    expect(learned).toBe(1);
    for (let i = 0; i < 3; i++) {
      org.logRequest({ user: org.syncUser.id, method: 'GET', path: '/services/data/v59.0/query', operation: 'query', object: 'Lead', fieldsRead: ['Id', 'Phone'], fieldsWritten: [], status: 400, errorCodes: ['INVALID_FIELD'] });
    }
    const v = respectsPermissions(d.world, historyOf(d.world.trace));
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain(`Lead.Phone in ${learned + 3} requests`);
  });

  it('quiet-when-idle wants no writes and the same reads each idle cycle', () => {
    const idle = (sfReads: number, sfWrites = 0): IdleCycle => ({ ok: true, sfReads, sfWrites, sfRejectedWrites: 0, mkReads: 1, mkWrites: 0 });
    expect(quietWhenIdle([idle(4), idle(4)])).toEqual([]);
    expect(quietWhenIdle([idle(4, 1), idle(4)]).map((v) => v.message)).toEqual(['idle cycle 1 wrote (1 to Salesforce, 0 to Marketo)']);
    expect(quietWhenIdle([idle(4), idle(5)])[0]!.message).toContain('do not cost the same');
    expect(quietWhenIdle([idle(40), idle(40)])[0]!.message).toContain('budget');
    // The engine's scheduled describe (hourly, and after setup changes) may fall in one idle cycle and not the next:
    // counted toward the budget, not toward "the same". Data reads that differ still do not pass.
    expect(quietWhenIdle([{ ...idle(3), sfDescribes: 0 }, { ...idle(3), sfDescribes: 2 }])).toEqual([]);
    expect(quietWhenIdle([{ ...idle(3), sfDescribes: 2 }, { ...idle(4), sfDescribes: 0 }])[0]!.message).toContain('do not cost the same');
    expect(quietWhenIdle([{ ...idle(3), sfDescribes: 28 }])[0]!.message).toContain('read 32 times (budget 30)');
  });

  it('deterministic compares two runs by trace hash', () => {
    expect(deterministic({ hash: 'a', events: 3 }, { hash: 'a', events: 3 })).toEqual([]);
    expect(deterministic({ hash: 'a', events: 3 }, { hash: 'b', events: 4 })[0]!.property).toBe('deterministic');
  });
});
