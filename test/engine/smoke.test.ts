import { afterAll, expect, it } from 'vitest';
import { closeAllWorlds, createWorld } from '../../src/sim/world.ts';

afterAll(() => closeAllWorlds());

it('smoke: a Salesforce lead reaches Marketo and a Marketo edit comes back', async () => {
  const w = createWorld();
  const id = w.salesforceUser.create('Lead', { FirstName: 'Alice', LastName: 'Smith', Company: 'Acme', Email: 'alice@acme.test' });
  const reports = await w.advance('1m');
  console.log(JSON.stringify(reports), w.trace.toText());
  const people = w.instance.listPeople();
  console.log(people);
  expect(people).toHaveLength(1);
  const p = people[0]!;
  w.marketoUser.update(p.id, { title: 'CEO' });
  const r2 = await w.advance('5m');
  console.log(JSON.stringify(r2), w.trace.toText());
  expect(w.org.get('Lead', id)?.Title).toBe('CEO');
});
