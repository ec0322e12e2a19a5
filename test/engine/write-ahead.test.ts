/**
 * Write-ahead intents on the Salesforce update path (DESIGN §4: nothing lost, also when a write timed out after the
 * server committed it). The engine writes a contact's field to Salesforce, every try of the update times out after
 * Salesforce committed it, so the engine cannot know the write landed: its intent outlives the cycle's save. A Marketo
 * user then edits the field, and the engine restarts from its store. Without the intent the stale ancestor makes the
 * engine's own write look like a Salesforce user's change; the contact's winner (Salesforce) would then undo the
 * Marketo user's later edit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../../src/engine/retry.ts';
import { closeAllWorlds, createWorld } from '../../src/sim/world.ts';
import { mustPersonOf } from './helpers.ts';

afterAll(() => closeAllWorlds());

async function contactWhoseUpdateTimedOut() {
  const w = createWorld();
  const id = w.salesforceUser.create('Contact', { LastName: 'Echo', Email: 'echo@acme.test' });
  await w.advance('5m');
  const personId = mustPersonOf(w, id).id;
  w.marketoUser.update(personId, { title: 'CTO' });
  // Every try of the cycle's Salesforce update commits, and every answer is lost.
  w.fault({ system: 'salesforce', kind: 'timeout-after-commit', times: DEFAULT_RETRY.maxAttempts });
  await w.advance('5m');
  return { w, id, personId };
}

describe('a Salesforce update that times out after commit', () => {
  it('keeps its intent in the store past the cycle, with the written value', async () => {
    const { w, id, personId } = await contactWhoseUpdateTimedOut();
    expect(w.faults.fired.filter((f) => f.kind === 'timeout-after-commit')).toHaveLength(DEFAULT_RETRY.maxAttempts);
    expect(w.org.get('Contact', id)?.Title).toBe('CTO'); // it landed
    const saved = w.store.snapshot()!;
    expect(saved.links[String(personId)]?.ancestor.Title ?? null).toBeNull(); // the state does not know
    expect(saved.intents).toContainEqual({ personId, sfId: id, field: 'Title', to: 'salesforce', value: 'CTO' });
  });

  it('after a restart the intent is consulted: a Marketo user’s later edit wins on both sides', async () => {
    const { w, id, personId } = await contactWhoseUpdateTimedOut();
    w.marketoUser.update(personId, { title: 'CEO' });
    w.restartEngine();
    const from = w.engineEvents.length;
    await w.advance('5m');
    expect(w.org.get('Contact', id)?.Title).toBe('CEO');
    expect(w.instance.getPerson(personId)?.title).toBe('CEO');
    // Decided as a Marketo change, not as a conflict the contact's winner (Salesforce) settles.
    const title = w.engineEvents.slice(from).filter((e) => e.type === 'field' && e.field === 'Title');
    expect(title).toMatchObject([{ decision: 'to-salesforce', value: 'CEO' }]);
    expect(title[0]).not.toHaveProperty('winner');
    // Settled: the next save drops the intent, and the pair stays quiet.
    expect(w.store.snapshot()!.intents ?? []).toEqual([]);
    await w.advance('10m');
    expect(w.org.get('Contact', id)?.Title).toBe('CEO');
  });

  it('without a restart too: the running engine applies the open intent next cycle', async () => {
    const { w, id, personId } = await contactWhoseUpdateTimedOut();
    w.marketoUser.update(personId, { title: 'CEO' });
    await w.advance('5m');
    expect(w.org.get('Contact', id)?.Title).toBe('CEO');
    expect(w.instance.getPerson(personId)?.title).toBe('CEO');
  });

  it('a Salesforce user’s edit made after the lost write still reaches Marketo', async () => {
    const { w, id, personId } = await contactWhoseUpdateTimedOut();
    w.salesforceUser.update('Contact', id, { Title: 'CFO' });
    w.restartEngine();
    await w.advance('5m');
    expect(w.org.get('Contact', id)?.Title).toBe('CFO');
    expect(w.instance.getPerson(personId)?.title).toBe('CFO');
  });
});
