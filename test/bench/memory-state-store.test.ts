/**
 * MemoryStateStore re-serializes only the links that changed (issue 8): every
 * save must still equal a JSON round trip of the whole state at that moment,
 * whatever way the engine wrote to it, and later writes must not leak in.
 */
import { describe, expect, it } from 'vitest';
import { emptyState, MemoryStateStore, type EngineState, type LinkState } from '../../src/engine/state-store.ts';

function link(personId: number, sfId: string): LinkState {
  return { personId, object: 'Lead', sfId, leadId: sfId, ancestor: { Title: 'CEO', Phone: null }, logged: [] };
}

const roundTrip = (s: EngineState) => JSON.parse(JSON.stringify(s)) as EngineState;

describe('MemoryStateStore snapshots (incremental)', () => {
  it('each save equals a JSON round trip of the state, across every kind of write', async () => {
    const store = new MemoryStateStore();
    const state: EngineState = { ...emptyState(), startedAt: 5 };
    for (let i = 1; i <= 20; i++) state.links[String(i)] = link(i, `00Q${i}`);
    const checks: Array<(s: EngineState) => void> = [
      () => undefined,
      (s) => (s.links['3']!.ancestor.Title = 'CFO'),
      (s) => s.links['4']!.logged.push('INVALID_EMAIL|Email'),
      (s) => (s.links['5']!.failure = { operation: 'update', errorCode: 'X', message: 'm', fields: ['Phone'], since: 1 }),
      (s) => s.links['5']!.failure!.fields.push('Title'),
      (s) => delete s.links['5']!.failure,
      (s) => (s.links['6']!.retry = true),
      (s) => delete s.links['7'],
      (s) => (s.links['21'] = link(21, '00Q21')),
      (s) => (s.links['8'] = link(8, '00Q8b')),
      (s) => {
        s.links['9']!.logged = [];
        s.links['9']!.logged.push('A');
      },
      (s) => (s.sfWatermark.Lead = '2026-01-05T09:00:00.000+0000'),
      (s) => (s.links['10']!.ancestor = { Title: 'VP' }),
      (s) => (s.links['10']!.ancestor.Phone = '1'),
    ];
    for (const write of checks) {
      write(state);
      await store.save(state);
      expect(store.snapshot()).toEqual(roundTrip(state));
      expect(JSON.stringify(store.snapshot())).toBe(JSON.stringify(state));
    }
  });

  it('writes after a save stay out of the snapshot until the next save, and loads never share objects', async () => {
    const store = new MemoryStateStore();
    const state = emptyState();
    state.links['1'] = link(1, '00Q1');
    for (let i = 0; i < 5; i++) await store.save(state); // past the fresh window: the link is now watched
    state.links['1']!.ancestor.Title = 'CTO';
    expect((await store.load())!.links['1']!.ancestor.Title).toBe('CEO');
    await store.save(state);
    const loaded = (await store.load())!;
    expect(loaded.links['1']!.ancestor.Title).toBe('CTO');
    loaded.links['1']!.ancestor.Title = 'changed by the loader';
    expect((await store.load())!.links['1']!.ancestor.Title).toBe('CTO');
  });

  it("a new link written through the engine's own reference right after it was added is still saved", async () => {
    const store = new MemoryStateStore();
    const state = emptyState();
    await store.save(state);
    const mine = link(2, '00Q2');
    state.links['2'] = mine;
    await store.save(state);
    mine.ancestor.Title = 'written through the raw reference';
    await store.save(state);
    expect(store.snapshot()!.links['2']!.ancestor.Title).toBe('written through the raw reference');
    expect(state.links['2']).toBe(mine); // still the engine's own object while fresh
  });

  it('a state it has not seen (a reload) is copied whole', async () => {
    const store = new MemoryStateStore();
    const a = emptyState();
    a.links['1'] = link(1, '00Q1');
    await store.save(a);
    const b = (await store.load())!;
    b.links['2'] = link(2, '00Q2');
    b.links['1']!.ancestor.Title = 'CIO';
    await store.save(b);
    expect(store.snapshot()).toEqual(roundTrip(b));
    expect(store.saves).toBe(2);
  });
});
