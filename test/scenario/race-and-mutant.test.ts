/**
 * What fuzz counterexamples need from the scenario language: `atRequest: n`
 * beside a person's action (it lands while the engine's requests are in
 * flight) and `sync: { mutant: NAME }` (the engine variant the file replays
 * against). Loaded, written back, run, and refused with the line when wrong.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/runner.ts';
import { writeScenario } from '../../src/scenario/write.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';
import { loadErrors, loadOk, withoutLocations } from './helpers.ts';

afterAll(() => closeAllWorlds());

const HEAD = `name: race
salesforce:
  records:
    - { ref: alice, object: Lead, LastName: Smith, Company: Acme, Email: alice@acme.test }
`;

describe('atRequest and sync.mutant', () => {
  it('load, and write back to the same scenario', () => {
    const s = loadOk(`${HEAD}sync:
  mutant: echo-by-last-modified-by
steps:
  - wait: 5m
  - salesforce.update: { ref: alice, Title: CFO }
    atRequest: 3
  - wait: 5m
`);
    expect(s.sync.mutant).toBe('echo-by-last-modified-by');
    expect(s.steps[1]).toMatchObject({ kind: 'salesforce.update', atRequest: 3 });
    const again = loadOk(writeScenario(s));
    expect(withoutLocations(again)).toEqual(withoutLocations(s));
  });

  it('bad values name the line and say what fits', () => {
    const [zero] = loadErrors(`${HEAD}steps:
  - salesforce.update: { ref: alice, Title: CFO }
    atRequest: 0
`);
    expect(zero).toMatchObject({ line: 7 });
    expect(zero!.message).toMatch(/whole number of requests from here, 1 or more/);
    const [onWait] = loadErrors(`${HEAD}steps:
  - wait: 5m
    atRequest: 2
`);
    expect(onWait).toMatchObject({ line: 7 });
    expect(onWait!.message).toMatch(/`atRequest` does not apply to `wait`/);
    const [mutant] = loadErrors(`${HEAD}sync:
  mutant: watermark-before-writes
steps:
  - wait: 5m
`);
    expect(mutant).toMatchObject({ line: 6 });
    expect(mutant!.message).toMatch(/unknown engine mutant `watermark-before-writes`: did you mean `watermark-before-write`\?/);
  });

  it('an atRequest edit lands just before that engine request, inside the cycle, and still syncs', async () => {
    const r = await runScenario(
      loadOk(`${HEAD}steps:
  - wait: 5m
  - marketo.update: { ref: alice, title: CFO }
    atRequest: 2
  - wait: 5m
  - expect:
      salesforce: { ref: alice, Title: CFO }
      converged: true
`),
    );
    expect(r.failure).toBeUndefined();
    const events = r.trace.events;
    const landed = events.findIndex((e) => e.kind === 'race');
    const edit = events.findIndex((e) => e.kind === 'mkto.update');
    const cycleStart = events.findLastIndex((e, i) => i < landed && e.kind === 'cycle-start');
    const cycleEnd = events.findIndex((e, i) => i > landed && e.kind === 'cycle-end');
    expect(landed).toBeGreaterThan(0);
    expect(edit).toBe(landed + 2); // the race line, the prior values, the edit
    expect(cycleStart).toBeGreaterThan(0);
    expect(cycleEnd).toBeGreaterThan(edit);
    // Exactly one request of that cycle went out before the edit landed.
    expect(events.slice(cycleStart, landed).filter((e) => e.kind === 'request')).toHaveLength(1);
  });

  it('the file\'s mutant is the engine a run uses (and a run option overrides it)', async () => {
    const scenario = loadOk(`name: lead conflict
salesforce:
  records:
    - { ref: carol, object: Lead, LastName: Jones, Company: Acme, Email: carol@acme.test }
sync:
  mutant: salesforce-wins-leads
steps:
  - wait: 1m
  - salesforce.update: { ref: carol, Title: CTO }
  - marketo.update: { ref: carol, title: Engineer }
  - wait: 4m
  - expect:
      salesforce: { ref: carol, Title: Engineer }
`);
    const broken = await runScenario(scenario);
    expect(broken.ok).toBe(false);
    expect(broken.trace.events[0]!.text).toContain('engine mutant salesforce-wins-leads');
    expect((await runScenario({ ...scenario, sync: { ...scenario.sync, mutant: undefined } })).ok).toBe(true);
  });
});
