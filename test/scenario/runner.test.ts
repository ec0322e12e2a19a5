import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/scenario/runner.ts';
import { failureReport } from '../../src/scenario/report.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';
import { loadOk } from './helpers.ts';

afterAll(() => closeAllWorlds());

const LEAD = `salesforce:
  records:
    - { ref: alice, object: Lead, FirstName: Alice, LastName: Smith, Company: Acme, Email: alice@acme.test }
`;

function file(steps: string, setup = LEAD, head = 'name: runner test\n'): string {
  return `${head}${setup}steps:\n${steps}`;
}

describe('runScenario', () => {
  it('passes a scenario whose steps and expectations hold, with a trace and its hash', async () => {
    const r = await runScenario(loadOk(file(`  - wait: 1m
  - marketo.update: { ref: alice, title: CFO }
  - wait: 4m
  - expect:
      salesforce: { ref: alice, Title: CFO }
      converged: true
`)));
    expect(r.failure).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.name).toBe('runner test');
    expect(r.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.trace.toText()).toContain('step 2: marketo.update');
    expect(r.trace.events.some((e) => e.lane === 'salesforce' && e.kind === 'request')).toBe(true);
  });

  it('a failed expectation names the step, the line, expected, found on each side, and the virtual time', async () => {
    const r = await runScenario(loadOk(file(`  - wait: 1m
  - marketo.update: { ref: alice, title: CFO }
  - wait: 3m
  - expect:
      salesforce: { ref: alice, Title: CFO }
`), 'f.yaml'));
    expect(r.ok).toBe(false);
    expect(r.failure).toMatchObject({
      step: { number: 4, kind: 'expect' },
      file: 'f.yaml',
      line: 10,
      at: '2026-01-05T09:04:00.000Z',
      expected: 'Title = "CFO"',
    });
    expect(r.failure!.found).toMatch(/^Salesforce: Title = \(empty\); Marketo person 1: title = "CFO"$/);
    const report = failureReport(r);
    expect(report).toContain('f.yaml:10:');
    expect(report).toContain('timeline of "runner test"');
    expect(report).toContain('mkto.update');
  });

  it('the same seed gives the same trace hash; another seed may not change behaviour but is recorded', async () => {
    const scenario = loadOk(file(`  - wait: 5m
  - salesforce.update: { ref: alice, Title: CFO }
  - engine.restart
  - wait: 10m
  - expect: { converged: true }
`));
    const a = await runScenario(scenario);
    const b = await runScenario(scenario);
    expect(a.ok).toBe(true);
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.trace.toText()).toBe(a.trace.toText());
    const c = await runScenario(scenario, { seed: 99 });
    expect(c.seed).toBe(99);
    expect(c.trace.toText()).toContain('(seed 99)');
  });

  it('a refused user action fails the step and suggests `rejected:`', async () => {
    const r = await runScenario(loadOk(file(`  - salesforce.create: { ref: bob, object: Lead, LastName: Brown }
`)));
    expect(r.ok).toBe(false);
    expect(r.failure!.message).toMatch(/Salesforce refused salesforce\.create: REQUIRED_FIELD_MISSING.*add `rejected: REQUIRED_FIELD_MISSING`/);
    expect(r.failure!.line).toBe(6);
  });

  it('`rejected: CODE` passes when refused so, and fails when accepted or refused with another code', async () => {
    const ok = await runScenario(loadOk(file(`  - salesforce.create: { ref: bob, object: Lead, LastName: Brown }
    rejected: REQUIRED_FIELD_MISSING
`)));
    expect(ok.ok).toBe(true);
    const accepted = await runScenario(loadOk(file(`  - salesforce.update: { ref: alice, Title: CFO }
    rejected: FIELD_CUSTOM_VALIDATION_EXCEPTION
`)));
    expect(accepted.failure?.message).toBe('salesforce.update was accepted, but the step says it is rejected with FIELD_CUSTOM_VALIDATION_EXCEPTION');
    const other = await runScenario(loadOk(file(`  - salesforce.create: { ref: bob, object: Lead, LastName: Brown }
    rejected: STRING_TOO_LONG
`)));
    expect(other.failure?.message).toBe('salesforce.create was rejected with REQUIRED_FIELD_MISSING, not STRING_TOO_LONG');
  });

  it('a ref follows its pair: a Salesforce lead names its person on marketo steps once synced, the contact after conversion', async () => {
    const r = await runScenario(loadOk(file(`  - wait: 1m
  - marketo.update: { ref: alice, title: CFO }
  - salesforce.convert: { ref: alice }
  - salesforce.update: { ref: alice, Phone: "555" }
  - wait: 4m
  - expect:
      linked: { ref: alice, sfdcType: Contact }
      salesforce: [{ ref: alice, Phone: "555", Title: CFO }, { ref: alice, object: Lead, IsConverted: true }]
      marketo: { ref: alice, phone: "555" }
`)));
    expect(r.failure).toBeUndefined();
  });

  it('a marketo step on a Salesforce record not synced yet fails with the reason', async () => {
    const r = await runScenario(loadOk(file(`  - marketo.update: { ref: alice, title: CFO }
`)));
    expect(r.failure?.message).toMatch(/`alice` has no Marketo person yet \(a Salesforce record reaches Marketo at the next sync cycle\)/);
  });

  it('a setup record Salesforce refuses fails at its line, before any step', async () => {
    const r = await runScenario(loadOk(`name: bad setup
salesforce:
  records:
    - { ref: alice, object: Lead, LastName: Smith }
steps:
  - wait: 5m
`));
    expect(r.failure).toMatchObject({ step: null, line: 4 });
    expect(r.failure!.message).toMatch(/^setup: record `alice` \(Lead\): Salesforce refused it: REQUIRED_FIELD_MISSING/);
  });

  it('activity checks count exactly when `count` is given', async () => {
    const scenario = (count: number) =>
      loadOk(`name: activity count
marketo:
  people:
    - { ref: gina, email: gina@hooli.test, lastName: Hale }
steps:
  - marketo.syncPersonToSfdc: { ref: gina }
  - expect:
      activity: { ref: gina, type: SFDC Sync Failure, contains: Company, count: ${count} }
`);
    expect((await runScenario(scenario(1))).ok).toBe(true);
    const r = await runScenario(scenario(2));
    expect(r.failure?.message).toMatch(/has 1 matching "SFDC Sync Failure" activity/);
    expect(r.failure?.found).toMatch(/SFDC Sync Failure \[REQUIRED_FIELD_MISSING\]/);
  });

  it('`converged` fails with named violations when an engine variant skips edits', async () => {
    const scenario = loadOk(`name: flow action then a cycle
marketo:
  people:
    - { ref: dave, email: dave@initech.test, lastName: Lister, company: Initech }
steps:
  - marketo.syncPersonToSfdc: { ref: dave }
  - wait: 5m
  - expect: { converged: true }
`);
    expect((await runScenario(scenario)).ok).toBe(true);
    const broken = await runScenario(scenario, { mutant: 'echo-by-last-modified-by' });
    expect(broken.ok).toBe(false);
    expect(broken.failure!.message).toMatch(/^not converged: converged \(\d+\)/);
    expect(broken.failure!.violations!.every((v) => v.property === 'converged')).toBe(true);
  });

  it('the same-field conflict scenario catches an engine where Salesforce wins on leads', async () => {
    const scenario = loadOk(`name: lead conflict
salesforce:
  records:
    - { ref: carol, object: Lead, LastName: Jones, Company: Acme, Email: carol@acme.test }
steps:
  - wait: 1m
  - salesforce.update: { ref: carol, Title: CTO }
  - marketo.update: { ref: carol, title: Engineer }
  - wait: 4m
  - expect:
      salesforce: { ref: carol, Title: Engineer }
`);
    expect((await runScenario(scenario)).ok).toBe(true);
    const broken = await runScenario(scenario, { mutant: 'salesforce-wins-leads' });
    expect(broken.failure?.found).toMatch(/Salesforce: Title = "CTO"; Marketo person 1: title = "CTO"/);
  });

  it('onEvent sees every trace line as it is recorded', async () => {
    const lines: string[] = [];
    const r = await runScenario(loadOk(file('  - wait: 1m\n')), { onEvent: (line) => lines.push(line) });
    expect(lines.length).toBe(r.trace.events.length);
    expect(lines.join('\n')).toBe(r.trace.toText());
  });
});
